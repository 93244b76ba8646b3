"""Venture services: the table of stage changes, registration, supports, jobs."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openmil.core.models import AuditEntry, Organisation
from openmil.ventures import services
from openmil.ventures.models import (
    TRANSITIONS,
    Sector,
    Stage,
    StageChange,
    TerritorialNeed,
    Venture,
)
from tests.factories import OrganisationFactory, ParticipantFactory
from tests.ventures.factories import TerritorialNeedFactory, VentureFactory, incubator

pytestmark = pytest.mark.django_db

ALLOWED = {
    ("idea", "business_plan"),
    ("idea", "closed"),
    ("business_plan", "financing"),
    ("business_plan", "idea"),
    ("business_plan", "closed"),
    ("financing", "registered"),
    ("financing", "business_plan"),
    ("financing", "closed"),
    ("registered", "operating"),
    ("registered", "closed"),
    ("operating", "growing"),
    ("operating", "closed"),
    ("growing", "operating"),
    ("growing", "closed"),
}
ALL_PAIRS = list(itertools.product(Stage.values, Stage.values))


def test_the_transition_table_is_exactly_the_documented_one():
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == ALLOWED


def test_closed_is_reachable_from_every_stage_and_final():
    assert all(Stage.CLOSED in TRANSITIONS[s] for s in Stage.values if s != "closed")
    assert TRANSITIONS[Stage.CLOSED] == frozenset()


def venture_at(stage, *, lab, founder):
    venture = VentureFactory(
        lab=lab, founders=[founder], started_on=dt.date(2025, 1, 1)
    )
    registered = stage in ("registered", "operating", "growing")
    Venture.objects.filter(pk=venture.pk).update(
        stage=stage, registration_date=dt.date(2025, 2, 1) if registered else None
    )
    venture.refresh_from_db()
    return venture


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids="→".join)
def test_only_allowed_stage_changes_pass(
    current, target, lab_a, facilitator, participant
):
    venture = venture_at(current, lab=lab_a, founder=participant)
    extra = {"registration_date": dt.date(2025, 3, 1)}
    if (current, target) in ALLOWED:
        change = services.venture_transition(
            actor=facilitator, venture=venture, to_stage=target, **extra
        )
        venture.refresh_from_db()
        assert venture.stage == target
        assert (change.from_stage, change.to_stage) == (current, target)
    else:
        with pytest.raises(ValidationError) as error:
            services.venture_transition(
                actor=facilitator, venture=venture, to_stage=target, **extra
            )
        assert "to_stage" in error.value.message_dict
        venture.refresh_from_db()
        assert venture.stage == current


def test_a_stage_change_records_the_date_and_who_made_it(
    lab_a, facilitator, participant
):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    services.venture_transition(
        actor=facilitator,
        venture=venture,
        to_stage=Stage.BUSINESS_PLAN,
        on=dt.date(2025, 3, 4),
        note="Plan written with the mentor",
    )
    change = venture.stage_changes.get(to_stage=Stage.BUSINESS_PLAN)
    assert change.on == dt.date(2025, 3, 4)
    assert change.recorded_by == facilitator
    assert change.note == "Plan written with the mentor"
    entry = AuditEntry.objects.get(object_type="venture", action="update")
    assert entry.participant_id == participant.pk
    assert entry.changes["stage"] == {"before": "idea", "after": "business_plan"}


def test_entering_registered_needs_the_registration_date(
    lab_a, facilitator, participant
):
    venture = venture_at("financing", lab=lab_a, founder=participant)
    with pytest.raises(ValidationError) as error:
        services.venture_transition(
            actor=facilitator, venture=venture, to_stage=Stage.REGISTERED
        )
    assert "registration_date" in error.value.message_dict
    services.venture_transition(
        actor=facilitator,
        venture=venture,
        to_stage=Stage.REGISTERED,
        registration_date=dt.date(2025, 6, 1),
    )
    venture.refresh_from_db()
    assert venture.registration_date == dt.date(2025, 6, 1)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("on", timezone.localdate() + dt.timedelta(days=1)),
        ("on", dt.date(2024, 12, 31)),
        ("registration_date", dt.date(2024, 12, 1)),
        ("registration_date", timezone.localdate() + dt.timedelta(days=3)),
    ],
)
def test_stage_change_dates_are_checked(field, value, lab_a, facilitator, participant):
    venture = venture_at("financing", lab=lab_a, founder=participant)
    StageChange.objects.create(
        venture=venture,
        from_stage="business_plan",
        to_stage="financing",
        on=dt.date(2025, 1, 5),
    )
    kwargs = {"registration_date": dt.date(2025, 6, 1), field: value}
    with pytest.raises(ValidationError) as error:
        services.venture_transition(
            actor=facilitator, venture=venture, to_stage=Stage.REGISTERED, **kwargs
        )
    assert field in error.value.message_dict


def test_create_starts_at_idea_with_one_audit_entry_per_founder(
    lab_a, facilitator, participant
):
    partner = ParticipantFactory(lab=lab_a)
    venture = services.venture_create(
        actor=facilitator,
        lab=lab_a,
        data={"name": "Bakery of the Two Shores", "sector": Sector.I},
        founders=[participant, partner],
    )
    assert venture.stage == Stage.IDEA
    assert list(venture.stage_changes.values_list("to_stage", flat=True)) == ["idea"]
    logged = AuditEntry.objects.filter(object_type="venture", action="create")
    assert set(logged.values_list("participant_id", flat=True)) == {
        participant.pk,
        partner.pk,
    }


def test_founders_of_another_lab_are_refused(lab_a, lab_b, facilitator, participant):
    stranger = ParticipantFactory(lab=lab_b)
    with pytest.raises(ValidationError) as error:
        services.venture_create(
            actor=facilitator,
            lab=lab_a,
            data={"name": "X", "sector": Sector.C},
            founders=[participant, stranger],
        )
    assert "founders" in error.value.message_dict
    assert not Venture.objects.exists()


def test_a_territorial_need_of_another_lab_is_refused(
    lab_a, lab_b, facilitator, participant
):
    need = TerritorialNeedFactory(lab=lab_b)
    with pytest.raises(ValidationError):
        services.venture_create(
            actor=facilitator,
            lab=lab_a,
            data={"name": "X", "sector": Sector.C, "territorial_need": need},
            founders=[participant],
        )


@pytest.mark.parametrize("role_fixture", ["analyst", "partner_staff", "mentor"])
def test_roles_without_edit_rights_cannot_create(
    role_fixture, request, lab_a, participant
):
    user = request.getfixturevalue(role_fixture)
    with pytest.raises(PermissionDenied):
        services.venture_create(
            actor=user,
            lab=lab_a,
            data={"name": "X", "sector": Sector.C},
            founders=[participant],
        )


def test_support_with_money_needs_an_amount(lab_a, facilitator, participant):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    lender = OrganisationFactory(lab=lab_a, kind=Organisation.Kind.INCUBATOR)
    with pytest.raises(ValidationError) as error:
        services.venture_support_add(
            actor=facilitator,
            venture=venture,
            data={"kind": "microcredit", "provider": lender, "on": dt.date(2025, 2, 1)},
        )
    assert "amount" in error.value.message_dict
    support = services.venture_support_add(
        actor=facilitator,
        venture=venture,
        data={
            "kind": "microcredit",
            "provider": lender,
            "on": dt.date(2025, 2, 1),
            "amount": Decimal("5000"),
        },
    )
    assert support.amount == Decimal("5000")
    mentoring = services.venture_support_add(
        actor=facilitator,
        venture=venture,
        data={"kind": "mentor", "provider": lender, "on": dt.date(2025, 2, 2)},
    )
    assert mentoring.amount is None


def test_support_from_another_labs_organisation_is_refused(
    lab_a, lab_b, facilitator, participant
):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    with pytest.raises(ValidationError) as error:
        services.venture_support_add(
            actor=facilitator,
            venture=venture,
            data={
                "kind": "incubator",
                "provider": incubator(lab_b),
                "on": dt.date(2025, 2, 1),
            },
        )
    assert "provider" in error.value.message_dict


def test_jobs_history_is_kept_and_the_latest_count_is_current(
    lab_a, facilitator, participant
):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    services.venture_jobs_record(
        actor=facilitator, venture=venture, jobs=2, on=dt.date(2025, 6, 1)
    )
    services.venture_jobs_record(
        actor=facilitator, venture=venture, jobs=5, on=dt.date(2025, 12, 1)
    )
    # A count recorded late for an earlier date does not replace the latest.
    services.venture_jobs_record(
        actor=facilitator, venture=venture, jobs=3, on=dt.date(2025, 9, 1)
    )
    venture.refresh_from_db()
    assert venture.jobs_created == 5
    history = list(venture.jobs_records.order_by("on").values_list("on", "jobs"))
    assert history == [
        (dt.date(2025, 6, 1), 2),
        (dt.date(2025, 9, 1), 3),
        (dt.date(2025, 12, 1), 5),
    ]


@pytest.mark.parametrize(
    ("jobs", "on"),
    [(-1, dt.date(2025, 6, 1)), (1, dt.date(2024, 1, 1)), (1, dt.date(2999, 1, 1))],
)
def test_bad_jobs_counts_are_refused(jobs, on, lab_a, facilitator, participant):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    with pytest.raises(ValidationError):
        services.venture_jobs_record(
            actor=facilitator, venture=venture, jobs=jobs, on=on
        )
    assert not venture.jobs_records.exists()


def test_shortage_occupation_needs_an_occupation(lab_a, facilitator):
    with pytest.raises(ValidationError) as error:
        services.territorial_need_create(
            actor=facilitator,
            lab=lab_a,
            data={"kind": "shortage_occupation", "title": "Bakers"},
        )
    assert "occupation" in error.value.message_dict
    need = services.territorial_need_create(
        actor=facilitator,
        lab=lab_a,
        data={"kind": "vacant_premises", "title": "Empty shop, Rua da Graça"},
    )
    assert need.status == TerritorialNeed.Status.OPEN
    assert AuditEntry.objects.filter(object_type="territorial_need").count() == 1


def test_update_keeps_before_and_after_in_the_log(lab_a, facilitator, participant):
    venture = VentureFactory(lab=lab_a, founders=[participant], name="Old name")
    services.venture_update(
        actor=facilitator, venture=venture, data={"name": "New name"}
    )
    entry = AuditEntry.objects.get(object_type="venture", action="update")
    assert entry.changes["name"] == {"before": "Old name", "after": "New name"}

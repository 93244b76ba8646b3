"""Dashboard figures: access anomalies, consents, exports."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.privacy import selectors
from tests.factories import ConsentFactory, ParticipantFactory
from tests.privacy.factories import PrivacySettingsFactory

TODAY = dt.date(2026, 11, 20)


def _views(lab, user, participant, day: dt.date, n: int) -> None:
    tz = zoneinfo.ZoneInfo(lab.time_zone)
    at = dt.datetime.combine(day, dt.time(10, 0), tzinfo=tz)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=at + dt.timedelta(seconds=i),
            actor=user,
            actor_name=user.username,
            lab=lab,
            action="view",
            object_type="participant",
            object_id=str(participant.pk),
            participant_id=participant.pk,
        )
        for i in range(n)
    )


@pytest.fixture
def access_history(lab_a, coordinator, facilitator, analyst):
    """Three users over 20 days: one steady, one with a burst, one over the
    lab's limit on one day."""
    PrivacySettingsFactory(lab=lab_a, daily_view_threshold=60, median_factor=3)
    person = ParticipantFactory(lab=lab_a)
    steady, bursty, heavy = coordinator, facilitator, analyst
    for back in range(1, 21):
        day = TODAY - dt.timedelta(days=back)
        _views(lab_a, steady, person, day, 8)
        _views(lab_a, bursty, person, day, 5)
        _views(lab_a, heavy, person, day, 30)
    _views(lab_a, bursty, person, TODAY, 40)
    _views(lab_a, heavy, person, TODAY, 70)
    _views(lab_a, steady, person, TODAY, 9)
    return {"steady": steady, "bursty": bursty, "heavy": heavy}


def test_access_anomalies_flag_bursts_and_the_labs_limit(lab_a, access_history):
    found = selectors.access_anomalies(lab_id=lab_a.pk, today=TODAY)
    assert [(a.actor_name, a.day, a.count) for a in found] == [
        (access_history["heavy"].username, TODAY, 70),
        (access_history["bursty"].username, TODAY, 40),
    ]
    heavy, bursty = found
    assert heavy.over_threshold and not heavy.over_median
    assert bursty.over_median and not bursty.over_threshold
    assert bursty.median == 5


def test_old_views_and_other_labs_do_not_count(lab_a, lab_b, access_history):
    assert selectors.access_anomalies(lab_id=lab_b.pk, today=TODAY) == []
    later = TODAY + dt.timedelta(days=60)
    assert selectors.access_anomalies(lab_id=lab_a.pk, today=later) == []


def test_consent_counts_by_purpose_and_state(lab_a, lab_b):
    person = ParticipantFactory(lab=lab_a)
    ConsentFactory(participant=person, purpose="statistics")
    ConsentFactory(participant=person, purpose="follow_up", withdrawn_at=timezone.now())
    ConsentFactory(participant=ParticipantFactory(lab=lab_b), purpose="statistics")
    counts = selectors.consent_counts(lab_id=lab_a.pk)
    assert counts["statistics"] == {"active": 1, "withdrawn": 0}
    assert counts["follow_up"] == {"active": 0, "withdrawn": 1}
    assert counts["case_management"] == {"active": 0, "withdrawn": 0}


def test_exports_are_every_action_ending_in_export(lab_a, coordinator):
    for action in ("export", "record_export", "view", "exported_not"):
        AuditEntry.objects.create(
            actor=coordinator,
            actor_name=coordinator.username,
            lab=lab_a,
            action=action,
            object_type="participant",
        )
    assert sorted(e.action for e in selectors.exports(lab_id=lab_a.pk)) == [
        "export",
        "record_export",
    ]
    assert selectors.exports_by_user(lab_id=lab_a.pk) == [
        {"actor_name": coordinator.username, "n": 2}
    ]


def test_the_dashboard_is_for_the_labs_privacy_roles(
    lab_a, coordinator, dpo, facilitator, outsider
):
    from django.http import Http404

    assert selectors.privacy_dashboard(user=dpo, lab_id=lab_a.pk).lab == lab_a
    assert selectors.privacy_dashboard(user=coordinator, lab_id=lab_a.pk)
    for user in (facilitator, outsider):
        with pytest.raises(Http404):
            selectors.privacy_dashboard(user=user, lab_id=lab_a.pk)

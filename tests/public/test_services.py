import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.core.pillars import Pillar
from openmil.core.roles import Role
from openmil.public import selectors, services
from openmil.public.models import Participation, Project, Recommendation, Report
from tests.factories import UserFactory, member
from tests.public.factories import ProjectFactory, RecommendationFactory, ReportFactory

pytestmark = pytest.mark.django_db


def _propose(lab, owner, **changes):
    fields = {
        "lab": lab,
        "title": "Repair café",
        "summary": "Fix things together",
        "description": "Every **Sunday**",
        "kind": "associative",
        "pillars": [Pillar.INTERCULTURAL],
        "sdgs": [12, 11],
        "language": "fr",
    }
    fields.update(changes)
    return services.project_propose(actor=owner, **fields)


def test_a_proposed_project_waits_for_moderation_and_readers_do_not_see_it(lab_a):
    project = _propose(lab_a, UserFactory())
    assert project.status == Project.Status.PENDING
    assert project.sdgs == [11, 12]
    assert not selectors.projects_published().exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "military"}, "kind"),
        ({"pillars": []}, "pillars"),
        ({"pillars": ["astrology"]}, "pillars"),
        ({"sdgs": [18]}, "sdgs"),
    ],
)
def test_a_proposal_with_bad_fields_is_refused_with_the_field(lab_a, changes, field):
    with pytest.raises(ValidationError) as error:
        _propose(lab_a, UserFactory(), **changes)
    assert field in error.value.message_dict


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.FACILITATOR])
def test_lab_staff_who_moderate_approve_and_the_decision_is_audited(lab_a, role):
    moderator = member(lab_a, role)
    project = ProjectFactory(lab=lab_a, status=Project.Status.PENDING)
    services.project_moderate(actor=moderator, project=project, approve=True)
    project.refresh_from_db()
    assert project.status == Project.Status.PUBLISHED
    entry = AuditEntry.objects.get(object_type="citizen_project")
    assert entry.actor == moderator
    assert entry.lab_id == lab_a.pk
    assert entry.detail == "approved"


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR])
def test_other_roles_cannot_moderate(lab_a, role):
    project = ProjectFactory(lab=lab_a, status=Project.Status.PENDING)
    with pytest.raises(PermissionDenied):
        services.project_moderate(
            actor=member(lab_a, role), project=project, approve=True
        )
    project.refresh_from_db()
    assert project.status == Project.Status.PENDING


def test_a_moderator_of_another_lab_cannot_moderate(lab_a, outsider):
    project = ProjectFactory(lab=lab_a, status=Project.Status.PENDING)
    with pytest.raises(PermissionDenied):
        services.project_moderate(actor=outsider, project=project, approve=True)
    with pytest.raises(PermissionDenied):
        services.citizen_block(actor=outsider, project=project)
    assert not AuditEntry.objects.filter(object_type="citizen_project").exists()


def test_a_rejection_needs_a_reason_and_happens_once(lab_a, coordinator):
    project = ProjectFactory(lab=lab_a, status=Project.Status.PENDING)
    with pytest.raises(ValidationError):
        services.project_moderate(
            actor=coordinator, project=project, approve=False, reason="  "
        )
    services.project_moderate(
        actor=coordinator, project=project, approve=False, reason="Advertising"
    )
    project.refresh_from_db()
    assert project.status == Project.Status.REJECTED
    assert project.moderation_reason == "Advertising"
    with pytest.raises(ValidationError):
        services.project_moderate(actor=coordinator, project=project, approve=True)


def test_an_upheld_report_hides_the_project_a_dismissed_one_does_not(
    lab_a, coordinator
):
    kept = ReportFactory(project=ProjectFactory(lab=lab_a))
    services.report_handle(actor=coordinator, report=kept, uphold=False)
    assert kept.project.status == Project.Status.PUBLISHED
    upheld = ReportFactory(project=ProjectFactory(lab=lab_a))
    services.report_handle(actor=coordinator, report=upheld, uphold=True)
    upheld.refresh_from_db()
    upheld.project.refresh_from_db()
    assert upheld.status == Report.Status.UPHELD
    assert upheld.project.status == Project.Status.HIDDEN
    assert AuditEntry.objects.filter(object_type="citizen_project_report").count() == 2


def test_blocking_a_citizen_stops_sign_in_and_hides_their_projects(
    lab_a, lab_b, coordinator
):
    citizen = UserFactory()
    project = ProjectFactory(lab=lab_a, owner=citizen)
    waiting = ProjectFactory(lab=lab_a, owner=citizen, status=Project.Status.PENDING)
    elsewhere = ProjectFactory(lab=lab_b, owner=citizen)
    services.citizen_block(actor=coordinator, project=project)
    citizen.refresh_from_db()
    assert not citizen.is_active
    assert Project.objects.get(pk=project.pk).status == Project.Status.HIDDEN
    assert Project.objects.get(pk=waiting.pk).status == Project.Status.HIDDEN
    # Another lab's projects are that lab's moderators' business.
    assert Project.objects.get(pk=elsewhere.pk).status == Project.Status.PUBLISHED
    entry = AuditEntry.objects.get(object_type="citizen_account")
    assert entry.object_id == str(citizen.pk)
    assert citizen.username not in entry.detail


def test_staff_accounts_cannot_be_blocked_as_citizens(lab_a, coordinator, facilitator):
    project = ProjectFactory(lab=lab_a, owner=facilitator)
    with pytest.raises(ValidationError):
        services.citizen_block(actor=coordinator, project=project)
    facilitator.refresh_from_db()
    assert facilitator.is_active


def test_participation_shows_as_counts_unless_a_person_chooses_their_name(lab_a):
    project = ProjectFactory(lab=lab_a)
    for group in ("newcomer", "newcomer", "national", "organisation"):
        services.project_participate(
            actor=UserFactory(),
            project=project,
            kind="support",
            group=group,
            show_name=False,
        )
    services.project_participate(
        actor=UserFactory(),
        project=project,
        kind="join",
        group="national",
        show_name=True,
        display_name="Marta from Graça",
    )
    people = selectors.project_participants(project=project)
    assert people.supporters == {"newcomer": 2, "national": 1, "organisation": 1}
    assert people.members == {"newcomer": 0, "national": 1, "organisation": 0}
    assert people.named_supporters == []
    assert people.named_members == ["Marta from Graça"]


def test_taking_part_again_changes_how_one_shows_not_the_count(lab_a):
    project = ProjectFactory(lab=lab_a)
    user = UserFactory()
    services.project_participate(
        actor=user, project=project, kind="support", group="newcomer", show_name=False
    )
    services.project_participate(
        actor=user,
        project=project,
        kind="support",
        group="newcomer",
        show_name=True,
        display_name="Amina",
    )
    assert Participation.objects.filter(project=project).count() == 1
    assert selectors.project_participants(project=project).named_supporters == ["Amina"]


def test_showing_a_name_needs_the_name_and_only_published_projects_take_part(lab_a):
    with pytest.raises(ValidationError):
        services.project_participate(
            actor=UserFactory(),
            project=ProjectFactory(lab=lab_a),
            kind="join",
            group="national",
            show_name=True,
        )
    with pytest.raises(ValidationError):
        services.project_participate(
            actor=UserFactory(),
            project=ProjectFactory(lab=lab_a, status=Project.Status.PENDING),
            kind="join",
            group="national",
            show_name=False,
        )


def test_only_the_owner_posts_updates(lab_a):
    project = ProjectFactory(lab=lab_a)
    with pytest.raises(PermissionDenied):
        services.project_post_add(
            actor=UserFactory(), project=project, kind="update", body="Hi"
        )
    post = services.project_post_add(
        actor=project.owner, project=project, kind="result", body="12 bikes fixed"
    )
    assert list(project.posts.all()) == [post]


def test_recommendation_status_history_is_dated_and_audited(lab_a, coordinator):
    recommendation = services.recommendation_create(
        actor=coordinator,
        lab=lab_a,
        title="Diplomas",
        body="Faster recognition",
        language="en",
    )
    today = timezone.localdate()
    services.recommendation_status_change(
        actor=coordinator,
        recommendation=recommendation,
        to_status="discussed",
        on=today,
        note="City council, first reading",
    )
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.DISCUSSED
    assert recommendation.status_since == today
    steps = [(s.from_status, s.to_status) for s in recommendation.history.all()]
    assert steps == [("", "proposed"), ("proposed", "discussed")]
    assert AuditEntry.objects.filter(object_type="recommendation").count() == 2


@pytest.mark.parametrize(
    ("to_status", "days"), [("discussed", 1), ("proposed", 0), ("nonsense", 0)]
)
def test_a_status_change_in_the_future_or_to_the_same_status_is_refused(
    lab_a, coordinator, to_status, days
):
    recommendation = RecommendationFactory(lab=lab_a)
    with pytest.raises(ValidationError):
        services.recommendation_status_change(
            actor=coordinator,
            recommendation=recommendation,
            to_status=to_status,
            on=timezone.localdate() + dt.timedelta(days=days),
        )


def test_only_recommendation_managers_of_the_lab_change_recommendations(
    lab_a, facilitator, outsider
):
    recommendation = RecommendationFactory(lab=lab_a)
    for actor in (facilitator, outsider):
        with pytest.raises(PermissionDenied):
            services.recommendation_status_change(
                actor=actor,
                recommendation=recommendation,
                to_status="adopted",
                on=timezone.localdate(),
            )


def test_evidence_links_an_indicator_of_the_registry_or_a_web_page(lab_a, coordinator):
    from openmil.indicators.registry import REGISTRY

    recommendation = RecommendationFactory(lab=lab_a)
    indicator_id = next(iter(REGISTRY))
    services.evidence_add(
        actor=coordinator,
        recommendation=recommendation,
        kind="indicator",
        indicator_id=indicator_id,
    )
    services.evidence_add(
        actor=coordinator,
        recommendation=recommendation,
        kind="practice",
        url="https://example.org/good-practice",
        label="Lisbon one-stop shop",
    )
    with pytest.raises(ValidationError):
        services.evidence_add(
            actor=coordinator,
            recommendation=recommendation,
            kind="indicator",
            indicator_id="no-such-indicator",
        )
    rows = selectors.evidence_rows(recommendation=recommendation)
    assert rows[0]["ref"] == indicator_id
    assert rows[0]["label"] == str(REGISTRY[indicator_id].name)
    assert rows[1]["label"] == "Lisbon one-stop shop"

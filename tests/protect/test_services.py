"""Marking a case protected, changing its named staff, lifting it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openmil.core.audit import REDACTED
from openmil.core.models import AuditEntry
from openmil.core.roles import Role
from openmil.participants import services
from openmil.participants.models import ProtectedCase
from tests.factories import member

pytestmark = pytest.mark.django_db


def entries():
    return AuditEntry.objects.filter(object_type="protected_case").order_by("id")


def test_a_coordinator_marks_a_case_protected_and_the_log_names_the_staff(
    coordinator, facilitator, participant
):
    case = services.protected_case_set(
        actor=coordinator,
        participant=participant,
        staff=[coordinator, facilitator],
        reason="Risk of violence from a former partner",
    )
    assert set(case.staff.all()) == {coordinator, facilitator}
    assert case.marked_by == coordinator
    entry = entries().get()
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.participant_id == participant.pk
    assert entry.detail == "marked protected"
    assert entry.changes["staff"] == {
        "before": [],
        "after": sorted([coordinator.username, facilitator.username]),
    }
    # The reason is sensitive: the log says only that it changed.
    assert entry.changes["reason"] == {"before": REDACTED, "after": REDACTED}


def test_changing_the_named_staff_is_logged_with_before_and_after(
    coordinator, facilitator, participant, lab_a
):
    services.protected_case_set(
        actor=coordinator, participant=participant, staff=[coordinator, facilitator]
    )
    other = member(lab_a, Role.FACILITATOR)
    services.protected_case_set(
        actor=coordinator, participant=participant, staff=[coordinator, other]
    )
    assert ProtectedCase.objects.count() == 1
    entry = entries().last()
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.changes["staff"] == {
        "before": sorted([coordinator.username, facilitator.username]),
        "after": sorted([coordinator.username, other.username]),
    }


def test_lifting_the_protection_is_logged(coordinator, participant):
    services.protected_case_set(
        actor=coordinator, participant=participant, staff=[coordinator]
    )
    services.protected_case_lift(actor=coordinator, participant=participant)
    assert not ProtectedCase.objects.exists()
    entry = entries().last()
    assert (entry.action, entry.detail) == (
        AuditEntry.Action.DELETE,
        "protection lifted",
    )
    assert entry.changes["staff"] == {"before": [coordinator.username], "after": []}
    with pytest.raises(ValidationError):
        services.protected_case_lift(actor=coordinator, participant=participant)


def test_a_facilitator_may_not_mark_a_case(facilitator, participant, coordinator):
    with pytest.raises(PermissionDenied):
        services.protected_case_set(
            actor=facilitator, participant=participant, staff=[coordinator]
        )
    assert not ProtectedCase.objects.exists()
    assert not entries().exists()


def test_the_named_staff_must_include_a_coordinator(
    coordinator, facilitator, participant
):
    with pytest.raises(ValidationError) as error:
        services.protected_case_set(
            actor=coordinator, participant=participant, staff=[facilitator]
        )
    assert "coordinator" in str(error.value.message_dict["staff"])
    with pytest.raises(ValidationError):
        services.protected_case_set(
            actor=coordinator, participant=participant, staff=[]
        )
    assert not ProtectedCase.objects.exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR])
def test_only_staff_who_handle_records_in_the_lab_can_be_named(
    coordinator, participant, lab_a, role
):
    outsider = member(lab_a, role)
    with pytest.raises(ValidationError) as error:
        services.protected_case_set(
            actor=coordinator, participant=participant, staff=[coordinator, outsider]
        )
    assert outsider.username in str(error.value.message_dict["staff"])


def test_staff_of_another_lab_cannot_be_named(coordinator, participant, outsider):
    with pytest.raises(ValidationError):
        services.protected_case_set(
            actor=coordinator, participant=participant, staff=[coordinator, outsider]
        )

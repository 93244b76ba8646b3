"""Audit entries outlive the accounts and hide the free text they mention."""

from openmil.core.models import AuditEntry
from openmil.participants import services
from tests.factories import need_type


def test_deleting_an_account_keeps_its_audit_entries(facilitator, participant):
    services.need_add(
        actor=facilitator,
        participant=participant,
        data={"need_type": need_type("health"), "status": "identified"},
    )
    username = facilitator.username
    facilitator.delete()
    entry = AuditEntry.objects.get(object_type="need")
    assert entry.actor_name == username


def test_need_notes_are_not_copied_into_the_audit_log(facilitator, participant):
    need = services.need_add(
        actor=facilitator,
        participant=participant,
        data={"need_type": need_type("health"), "notes": "HIV treatment"},
    )
    services.need_update(
        actor=facilitator, need=need, data={"notes": "Changed clinic for HIV care"}
    )
    logged = str(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert "HIV" not in logged
    update = AuditEntry.objects.get(object_type="need", action="update")
    assert "notes" in update.changes

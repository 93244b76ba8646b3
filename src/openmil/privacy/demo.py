"""Demo data of the privacy app: a data-protection officer, rules, a request."""

from django.contrib.auth import get_user_model

from openmil.core.models import Lab, Membership
from openmil.core.roles import Role
from openmil.participants.models import Participant
from openmil.privacy.models import ErasureRequest, LabPrivacySettings


def populate_privacy(lab: Lab) -> None:
    """For each demo lab: a DPO (`dpo.<lab>`), retention rules left off so
    the demo keeps its people, and one pending erasure request asked by the
    first facilitator, for a coordinator to approve. Idempotent."""
    from openmil.demo.generator import _user

    dpo = _user(f"dpo.{lab.slug}", "Dora", "Protection")
    Membership.objects.get_or_create(user=dpo, lab=lab, role=Role.DPO)
    LabPrivacySettings.objects.get_or_create(lab=lab)
    requester = get_user_model().objects.filter(username=f"facil1.{lab.slug}").first()
    person = (
        Participant.objects.filter(lab=lab, anonymised_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if requester is None or person is None:
        return
    ErasureRequest.objects.get_or_create(
        participant=person,
        status=ErasureRequest.Status.PENDING,
        defaults={
            "lab": lab,
            "grounds": ErasureRequest.Grounds.PERSON_ASKED,
            "reason": "Moved away and asked for the file to be closed.",
            "requested_by": requester,
        },
    )

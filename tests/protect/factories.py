"""Factories for protected cases and encryption keys."""

from openmil.core import crypto
from openmil.participants.models import Participant, ProtectedCase


def protect(participant: Participant, *staff, marked_by=None, reason: str = ""):
    """Mark the participant protected, naming `staff` (no service, no audit)."""
    case = ProtectedCase.objects.create(
        participant=participant, marked_by=marked_by, reason=reason
    )
    case.staff.set(staff)
    return case


def new_key() -> str:
    return crypto.generate_key()

"""Participant accounts for the tests of the participant space."""

from django.contrib.auth import get_user_model

from openmil.core.models import UserProfile
from openmil.portal.models import ParticipantAccount
from tests.factories import PASSWORD, ParticipantFactory


def participant_account(participant=None, *, language: str = "en", **kwargs):
    """A participant with their own account (password: tests.factories.PASSWORD)."""
    participant = participant or ParticipantFactory(**kwargs)
    if not participant.email:
        participant.email = f"{participant.reference.lower()}@example.net"
        participant.save(update_fields=["email"])
    user = get_user_model().objects.create_user(
        username=participant.email,
        email=participant.email,
        password=PASSWORD,
        first_name=participant.given_name,
    )
    UserProfile.objects.create(user=user, language=language)
    return ParticipantAccount.objects.create(user=user, participant=participant)

"""Demo participant accounts: one person per demo lab signs in to their space."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from openmil.core.models import Lab, UserProfile
from openmil.participants.models import Participant
from openmil.portal.models import ParticipantAccount

#: Mother tongues preferred for the demo account, in order.
PREFERRED_LANGUAGES = ("ar", "fr", "en")


def demo_username(lab: Lab) -> str:
    return f"participant.{lab.slug}@demo.openmil.org"


@transaction.atomic
def demo_accounts(labs: list[Lab], *, password_hash: str) -> None:
    """Give one participant of each lab an account with the demo password.

    The person chosen is the first (by reference) whose mother tongue is
    Arabic, else French, else English, so the space shows right-to-left
    pages where it can. Running it again changes nothing.
    """
    codes = [code for code, _name in settings.STAFF_LANGUAGES]
    User = get_user_model()
    for lab in labs:
        username = demo_username(lab)
        if User.objects.filter(username=username).exists():
            continue
        people = Participant.objects.filter(lab=lab, account__isnull=True)
        person = next(
            (
                found
                for found in (
                    *(
                        people.filter(mother_tongue=code).order_by("reference").first()
                        for code in PREFERRED_LANGUAGES
                    ),
                    people.order_by("reference").first(),
                )
                if found is not None
            ),
            None,
        )
        if person is None:
            continue
        Participant.objects.filter(pk=person.pk).update(email=username)
        user = User.objects.create(
            username=username,
            email=username,
            first_name=person.given_name[:150],
            last_name=person.family_name[:150],
            password=password_hash,
        )
        language = person.mother_tongue if person.mother_tongue in codes else ""
        UserProfile.objects.create(user=user, language=language)
        ParticipantAccount.objects.create(user=user, participant=person)


def demo_logins(labs: list[Lab]) -> list[tuple[str, str, str]]:
    """(username, role, lab) of the demo participant accounts that exist."""
    existing: Any = set(
        ParticipantAccount.objects.filter(
            user__username__in=[demo_username(lab) for lab in labs]
        ).values_list("user__username", flat=True)
    )
    return [
        (demo_username(lab), "participant", lab.name)
        for lab in labs
        if demo_username(lab) in existing
    ]

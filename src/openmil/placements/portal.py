"""The "What I am looking for" section of the participant's space
(`openmil.portal`), and the page where the person changes it.

The section says in plain words what the person stated: the kinds of
opportunity, places, from when, the mentor they would rather have, their
interests, free times and where they can meet a mentor, by its name only
(never the coordinates). Occupations are chosen with staff: shown by their
ISCO-08 titles, read-only.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from openmil.classifications.models import IscoGroup
from openmil.events.public_forms import INTEREST_CHOICES
from openmil.participants.models import Participant
from openmil.placements import selectors
from openmil.placements.forms import OWN_KIND_WORDS, OWN_MENTOR_WORDS
from openmil.portal.sections import Section, register


def own_preferences(*, participant: Participant) -> dict[str, Any] | None:
    """What the person stated, in words they read; None before they (or
    their caseworker) stated anything."""
    pref = selectors.preference_of(participant)
    if pref is None:
        return None
    pillars = dict(INTEREST_CHOICES)
    titles = dict(
        IscoGroup.objects.filter(code__in=pref.occupations).values_list("code", "label")
    )
    return {
        "kinds": [OWN_KIND_WORDS.get(code, code) for code in pref.kinds],
        "places": list(pref.places),
        "available_from": pref.available_from,
        "mentor": OWN_MENTOR_WORDS.get(pref.mentor_gender, ""),
        "interests": [pillars.get(code, code) for code in pref.interests],
        "free_times": pref.availability_labels(),
        "meeting_place": pref.meeting_place,
        "occupations": [titles[code] for code in pref.occupations if code in titles],
    }


def _context(participant: Participant) -> dict[str, Any]:
    return {"preferences": own_preferences(participant=participant)}


def register_section() -> None:
    register(
        Section(
            "preferences",
            _("What I am looking for"),
            "placements/portal/preferences_section.html",
            _context,
            28,
        )
    )

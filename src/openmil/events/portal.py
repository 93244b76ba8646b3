"""The "My mentor" section of the participant's space (`openmil.portal`).

A participant sees their active mentoring pairs: the mentor's name as the
mentor gave it, the languages they share, since when, and the meetings
logged so far. Nothing else of the volunteer (no e-mail, phone or place):
the lab introduces them.
"""

from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from openmil.core.codes import language_name
from openmil.events.models import MentoringPair
from openmil.participants.models import Participant
from openmil.portal.sections import Section, register


def own_mentors(*, participant: Participant) -> list[dict[str, Any]]:
    """The person's active pairs, the longest-standing first."""
    pairs = (
        MentoringPair.objects.filter(
            participant=participant, status=MentoringPair.Status.ACTIVE
        )
        .select_related("mentor")
        .annotate(meeting_count=Count("meetings"), last_met=Max("meetings__on"))
        .order_by("started_on", "id")
    )
    own = {participant.mother_tongue, *(participant.other_languages or [])} - {""}
    return [
        {
            "name": pair.mentor.name,
            "since": pair.started_on,
            "meetings": pair.meeting_count,
            "last_met": pair.last_met,
            "languages": [
                language_name(code)
                for code in pair.mentor.languages or []
                if not own or code in own
            ],
        }
        for pair in pairs
    ]


def _context(participant: Participant) -> dict[str, Any]:
    return {"mentors": own_mentors(participant=participant)}


def register_section() -> None:
    register(
        Section(
            "mentor",
            _("My mentor"),
            "events/portal/mentor.html",
            _context,
            25,
        )
    )

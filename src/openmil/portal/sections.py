"""The sections of the participant's space.

The home page of the space is a list of sections, each a template with its
own data. An app adds one by calling `register()` from its AppConfig.ready():

    from openmil.portal.sections import Section, register
    register(Section(key="pathway", title=_("My pathway"), order=15,
                     template="pathways/portal_section.html",
                     context=lambda participant: {...}))

`context` receives the participant (already scoped to the signed-in account)
and returns what the template needs; the template receives it as `data`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from openmil.participants.models import Consent, Need, Participant
from openmil.portal import selectors


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    template: str
    context: Callable[[Participant], dict[str, Any]] = field(
        default=lambda participant: {}
    )
    order: int = 100


@dataclass(frozen=True)
class ShownSection:
    key: str
    title: str | Promise
    template: str
    data: dict[str, Any]


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    """Add (or replace, by key) a section of the space."""
    _SECTIONS[section.key] = section


def sections_for(participant: Participant) -> list[ShownSection]:
    return [
        ShownSection(s.key, s.title, s.template, s.context(participant))
        for s in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
    ]


#: Needs in plain words, for the person they are about.
NEED_STATUS_WORDS: dict[str, str | Promise] = {
    Need.Status.IDENTIFIED: _("We know about this. Work on it has not started yet."),
    Need.Status.IN_PROGRESS: _("Someone is working on this."),
    Need.Status.MET: _("Done: this need is met."),
    Need.Status.NOT_MET: _("This could not be solved yet. Talk to your caseworker."),
}

#: What each consent allows, in plain words.
CONSENT_WORDS: dict[str, str | Promise] = {
    Consent.Purpose.CASE_MANAGEMENT: _(
        "The lab may keep your record and use it to help you."
    ),
    Consent.Purpose.PARTNER_SHARING: _(
        "The lab may share your information with this kind of partner:"
    ),
    Consent.Purpose.FOLLOW_UP: _("The lab may contact you later to ask how you are."),
    Consent.Purpose.STATISTICS: _(
        "You may be counted, without your name, in the lab's statistics."
    ),
}

#: What withdrawing a consent changes, said before the person confirms.
WITHDRAW_EFFECTS: dict[str, str | Promise] = {
    Consent.Purpose.CASE_MANAGEMENT: _(
        "Your caseworkers will no longer see your record; only the lab "
        "coordinator keeps it. The lab may not be able to help you as before."
    ),
    Consent.Purpose.PARTNER_SHARING: _(
        "Partners of this kind will no longer receive your information."
    ),
    Consent.Purpose.FOLLOW_UP: _(
        "Planned follow-up contacts are cancelled and nobody will contact you "
        "for follow-up."
    ),
    Consent.Purpose.STATISTICS: _("You will no longer be counted in statistics."),
}


def _needs(participant: Participant) -> dict[str, Any]:
    return {
        "needs": [
            {"need": n, "words": NEED_STATUS_WORDS.get(n.status, "")}
            for n in selectors.own_needs(participant=participant)
        ]
    }


def _appointments(participant: Participant) -> dict[str, Any]:
    return {"follow_ups": list(selectors.own_next_follow_ups(participant=participant))}


def _consents(participant: Participant) -> dict[str, Any]:
    return {
        "consents": [
            {"consent": c, "words": CONSENT_WORDS.get(c.purpose, "")}
            for c in selectors.own_consents(participant=participant)
        ]
    }


def _documents(participant: Participant) -> dict[str, Any]:
    from openmil.records.selectors import record_files

    return {"files": record_files(participant=participant)}


register(
    Section("needs", _("My basic needs"), "portal/sections/needs.html", _needs, 10)
)
register(
    Section(
        "appointments",
        _("My next appointments"),
        "portal/sections/appointments.html",
        _appointments,
        20,
    )
)
register(
    Section(
        "consents", _("My consents"), "portal/sections/consents.html", _consents, 30
    )
)
register(
    Section(
        "documents",
        _("My documents"),
        "portal/sections/documents.html",
        _documents,
        40,
    )
)
register(Section("my-data", _("Download my data"), "portal/sections/my_data.html"))

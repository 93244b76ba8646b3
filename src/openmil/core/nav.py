"""The staff menu: one builder decides which links a user sees and how they
are grouped, from the memberships already read for the request (no query).

A few links stay on the bar (home, participants); the rest sit in groups
that open as drop-down lists on a wide screen and as sections on a phone,
so a coordinator's menu takes one or two rows instead of eight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix
from django.urls import reverse as django_reverse
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.models import Lab
from openmil.core.roles import Perm, Role, role_can


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class Group:
    label: str
    links: list[Link] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


@lru_cache(maxsize=512)
def _reverse(name: str, args: tuple[int, ...], prefix: str) -> str:
    return django_reverse(name, args=args)


def reverse(name: str, args: list[int] | None = None) -> str:
    """`django.urls.reverse`, remembered: the menu's few dozen URLs are the
    same on every request (the script prefix is part of the key)."""
    return _reverse(name, tuple(args or ()), get_script_prefix())


def _labs_with(user: Any, permission: str) -> list[Lab]:
    """The user's labs where a role holds the permission, by name."""
    labs = {
        m.lab_id: m.lab
        for m in access.memberships_of(user)
        if role_can(m.role, permission)
    }
    return sorted(labs.values(), key=lambda lab: lab.name)


def _per_lab(labs: list[Lab], route: str, one: str, many: str) -> list[tuple[str, str]]:
    """One link per lab, named after the lab when there are several."""
    return [
        (
            many % {"lab": lab.name} if len(labs) > 1 else one,
            reverse(route, args=[lab.pk]),
        )
        for lab in labs
    ]


def nav_menu(user: Any, path: str = "") -> list[Link | Group]:
    """The menu of a signed-in staff user, in display order."""
    if not user.is_authenticated:
        return []

    def has(permission: str) -> bool:
        return access.has_any(user, permission)

    def link(label: str, url: str) -> Link:
        here = path == url if url == "/" else path.startswith(url)
        return Link(label, url, here)

    def group(label: str, entries: list[tuple[str, str] | None]) -> Link | Group | None:
        links = [link(*entry) for entry in entries if entry is not None]
        if not links:
            return None
        return links[0] if len(links) == 1 else Group(label, links)

    personal = has(Perm.VIEW_PERSONAL)
    audit = has(Perm.VIEW_AUDIT)
    aggregates = has(Perm.VIEW_AGGREGATES)
    partner_staff = any(
        m.role == Role.PARTNER_STAFF and m.organisation_id is not None
        for m in access.memberships_of(user)
    )
    items: list[Link | Group | None] = [link(_("Home"), reverse("core:home"))]
    if personal:
        items.append(link(_("Participants"), reverse("participants:list")))
    items += [
        group(
            _("People"),
            [
                (_("New intake"), reverse("participants:create")) if personal else None,
                (_("Pathways"), reverse("pathways:survey_list")) if personal else None,
                (_("Ventures"), reverse("ventures:list")) if personal else None,
                (_("Import"), reverse("imports:start")) if audit else None,
                (_("Duplicates"), reverse("dedup:list")) if audit else None,
            ],
        ),
        group(
            _("Programmes"),
            [
                (_("Activities"), reverse("activities:list")) if personal else None,
                (_("Events"), reverse("events:list")) if personal else None,
                (_("Training"), reverse("training:mine")) if personal else None,
            ],
        ),
        group(
            _("Partners"),
            [
                (_("Partner portal"), reverse("partners:portal"))
                if partner_staff
                else None,
                (_("Referrals"), reverse("partners:referral_list"))
                if has(Perm.REFER)
                else None,
                (_("Partners"), reverse("partners:directory"))
                if has(Perm.VIEW_DIRECTORY)
                else None,
                *_per_lab(
                    _labs_with(user, Perm.RUN_MATCHING),
                    "placements:round_list",
                    _("Matching"),
                    _("Matching: %(lab)s"),
                ),
            ],
        ),
        group(
            _("Outreach"),
            [
                (_("Campaigns"), reverse("campaigns:list"))
                if has(Perm.VIEW_CAMPAIGNS)
                else None,
                (_("Moderation"), reverse("moderation:queue"))
                if has(Perm.MODERATE_PUBLIC)
                else None,
                (_("Recommendations"), reverse("recommendations:list"))
                if has(Perm.MANAGE_RECOMMENDATIONS)
                else None,
            ],
        ),
        group(
            _("Evidence"),
            [
                (_("Overview"), reverse("core:overview")) if aggregates else None,
                (_("Good practices"), reverse("network:practices"))
                if aggregates
                else None,
                (_("Benchmarking"), reverse("network:benchmark"))
                if aggregates
                else None,
            ],
        ),
        group(
            _("Administration"),
            [
                (_("Audit log"), reverse("core:audit_log")) if audit else None,
                *_per_lab(
                    _labs_with(user, Perm.VIEW_PRIVACY),
                    "privacy:dashboard",
                    _("Privacy"),
                    _("Privacy: %(lab)s"),
                ),
                *_per_lab(
                    _labs_with(user, Perm.MANAGE_LAB),
                    "core:lab_settings",
                    _("Lab settings"),
                    _("Settings: %(lab)s"),
                ),
                (_("API tokens"), reverse("core:api_tokens")),
            ],
        ),
    ]
    return [item for item in items if item is not None]

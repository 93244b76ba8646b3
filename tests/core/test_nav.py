"""The staff menu (core/nav.py): which links each role sees, how they are
grouped, that building it costs no query, and how the page shows it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from openmil.core import access
from openmil.core.nav import Group, Link, nav_menu
from openmil.core.roles import Role
from tests.conftest import client_for
from tests.factories import LabFactory, member


def flat(menu: list[Link | Group]) -> dict[str, str]:
    """Every link of the menu, label -> url, groups opened."""
    out: dict[str, str] = {}
    for item in menu:
        for link in item.links if isinstance(item, Group) else [item]:
            out[link.label] = link.url
    return out


def groups(menu: list[Link | Group]) -> dict[str, list[str]]:
    return {
        g.label: [link.label for link in g.links] for g in menu if isinstance(g, Group)
    }


def test_facilitator_has_participants_on_the_bar_and_the_rest_grouped(facilitator):
    menu = nav_menu(facilitator)
    assert [item.label for item in menu if isinstance(item, Link)] == [
        "Home",
        "Participants",
        "API tokens",
    ]
    assert groups(menu) == {
        "People": ["New intake", "Pathways", "Ventures"],
        "Programmes": ["Activities", "Events", "Training"],
        "Partners": ["Referrals", "Partners", "Matching"],
        "Outreach": ["Campaigns", "Moderation"],
        "Evidence": ["Overview", "Good practices", "Benchmarking"],
    }


def test_coordinator_gets_administration_with_the_labs_settings(coordinator, lab_a):
    links = flat(nav_menu(coordinator))
    assert links["Lab settings"] == reverse("core:lab_settings", args=[lab_a.pk])
    assert links["Audit log"] == reverse("core:audit_log")
    assert links["Duplicates"] == reverse("dedup:list")
    assert "Overview" in links
    assert "Campaigns" in links
    # Thirteen-plus links, but only a handful of entries on the bar.
    assert len(links) >= 15
    assert len(nav_menu(coordinator)) <= 8


def test_links_per_lab_are_named_after_the_lab_when_there_are_several(
    coordinator, lab_a
):
    lab_c = LabFactory(name="Lab C", slug="lab-c")
    second = member(lab_c, Role.COORDINATOR)
    second.memberships.create(lab=lab_a, role=Role.COORDINATOR)
    access.forget_memberships(second)
    links = flat(nav_menu(second))
    assert links["Settings: Lab A"] == reverse("core:lab_settings", args=[lab_a.pk])
    assert links["Settings: Lab C"] == reverse("core:lab_settings", args=[lab_c.pk])
    assert "Lab settings" not in links


def test_partner_staff_sees_no_personal_records_menu(partner_staff):
    links = flat(nav_menu(partner_staff))
    assert "Participants" not in links
    assert "New intake" not in links
    assert "Audit log" not in links


def test_a_group_of_one_link_is_shown_as_that_link(analyst):
    menu = nav_menu(analyst)
    assert all(len(item.links) > 1 for item in menu if isinstance(item, Group))


def test_anonymous_user_has_no_menu(client):
    from django.contrib.auth.models import AnonymousUser

    assert nav_menu(AnonymousUser()) == []


def test_the_menu_costs_no_query_once_memberships_are_read(
    coordinator, django_assert_num_queries
):
    access.memberships_of(coordinator)
    with django_assert_num_queries(0):
        nav_menu(coordinator)


def test_current_page_is_marked(facilitator):
    menu = nav_menu(facilitator, reverse("participants:create"))
    people = next(g for g in menu if isinstance(g, Group) and g.label == "People")
    assert people.current
    assert [link.label for link in people.links if link.current] == ["New intake"]


def test_menu_is_translated(facilitator):
    with translation.override("fr"):
        labels = {item.label for item in nav_menu(facilitator)}
    assert "Participants" in labels  # the same word in French
    assert "Home" not in labels


@pytest.mark.parametrize("path", ["/", "/participants/"])
def test_page_shows_groups_as_disclosures(facilitator, path):
    page = client_for(facilitator).get(path).content.decode()
    nav = page.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert '<details class="nav-group" name="nav-group">' in nav
    assert f'href="{reverse("participants:create")}"' in nav
    assert 'aria-current="page"' in nav

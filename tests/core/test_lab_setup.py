"""Lab settings and team pages: coordinators set up their own lab only."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from openmil.core.models import AuditEntry, Membership
from openmil.core.roles import Role
from openmil.core.services import lab_update, membership_add
from openmil.participants.models import NeedType
from openmil.participants.services import need_type_create
from tests.conftest import client_for
from tests.factories import PASSWORD, OrganisationFactory


def test_coordinator_changes_pathway_rule_and_it_is_audited(coordinator, lab_a):
    response = client_for(coordinator).post(
        f"/labs/{lab_a.pk}/settings/",
        {
            "action": "lab",
            "territory": "Área Metropolitana de Lisboa",
            "working_languages": ["pt", "en", "ar"],
            "time_zone": "Europe/Lisbon",
            "pathway_gate": "urgent_met",
            "reference_prefix": "LIS",
        },
    )
    assert response.status_code == 302
    lab_a.refresh_from_db()
    assert lab_a.pathway_gate == "urgent_met"
    assert lab_a.working_languages == ["pt", "en", "ar"]
    entry = AuditEntry.objects.get(object_type="lab", lab_id=lab_a.pk)
    assert entry.changes["pathway_gate"]["after"] == "urgent_met"


def test_unknown_time_zone_is_refused_with_a_message(coordinator, lab_a):
    response = client_for(coordinator).post(
        f"/labs/{lab_a.pk}/settings/",
        {
            "action": "lab",
            "territory": "X",
            "working_languages": ["pt"],
            "time_zone": "Mars/Olympus",
            "pathway_gate": "none",
        },
    )
    assert response.status_code == 200
    assert "Mars/Olympus" in response.content.decode()
    lab_a.refresh_from_db()
    assert lab_a.time_zone == "Europe/Lisbon"


def test_coordinator_adds_a_lab_need_that_intake_then_offers(coordinator, lab_a):
    client = client_for(coordinator)
    client.post(f"/labs/{lab_a.pk}/settings/", {"action": "need", "label": "Childcare"})
    assert NeedType.objects.filter(lab=lab_a, code="childcare").exists()
    intake = client.get(f"/participants/new/?lab={lab_a.pk}").content.decode()
    assert "Childcare" in intake


def test_a_builtin_need_cannot_be_added_twice(coordinator, lab_a):
    with pytest.raises(Exception, match="exists already"):
        need_type_create(actor=coordinator, lab=lab_a, label="Housing")


def test_facilitator_and_other_labs_cannot_reach_settings(facilitator, outsider, lab_a):
    for user in (facilitator, outsider):
        client = client_for(user)
        assert client.get(f"/labs/{lab_a.pk}/settings/").status_code == 404
        assert client.get(f"/labs/{lab_a.pk}/team/").status_code == 404
    with pytest.raises(PermissionDenied):
        lab_update(actor=facilitator, lab=lab_a, data={"pathway_gate": "none"})


def test_adding_a_team_member_creates_account_and_emails_a_password_link(
    coordinator, lab_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            f"/labs/{lab_a.pk}/team/",
            {
                "username": "new.caseworker",
                "first_name": "Nadia",
                "last_name": "Haddad",
                "email": "nadia@example.org",
                "role": Role.FACILITATOR,
            },
        )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="new.caseworker", lab=lab_a)
    assert membership.role == Role.FACILITATOR
    assert not membership.user.has_usable_password()
    assert len(mail.outbox) == 1
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/password/set/" in line
    )
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client_for(coordinator).get(f"/{path}", follow=True)
    assert "new_password1" in page.content.decode()


def test_partner_staff_needs_an_organisation_of_the_lab(coordinator, lab_a, lab_b):
    client = client_for(coordinator)
    data = {
        "username": "p1",
        "first_name": "P",
        "email": "p1@example.org",
        "role": Role.PARTNER_STAFF,
    }
    response = client.post(f"/labs/{lab_a.pk}/team/", data)
    assert response.status_code == 200
    assert not Membership.objects.filter(user__username="p1").exists()
    other = OrganisationFactory(lab=lab_b)
    response = client.post(
        f"/labs/{lab_a.pk}/team/", {**data, "organisation": other.pk}
    )
    assert not Membership.objects.filter(user__username="p1").exists()
    mine = OrganisationFactory(lab=lab_a)
    membership_add(
        actor=coordinator,
        lab=lab_a,
        username="p1",
        email="p1@example.org",
        first_name="P",
        last_name="",
        role=Role.PARTNER_STAFF,
        organisation=mine,
    )
    assert Membership.objects.get(user__username="p1").organisation == mine


def test_coordinator_unlocks_a_locked_out_member(
    coordinator, facilitator, lab_a, settings
):
    from django.test import Client

    settings.AXES_FAILURE_LIMIT = 2
    anonymous = Client()
    for _ in range(2):
        anonymous.post(
            "/account/login/",
            {"username": facilitator.username, "password": "wrong"},
        )
    locked = anonymous.post(
        "/account/login/",
        {"username": facilitator.username, "password": PASSWORD},
    )
    assert "ask your lab coordinator" in locked.content.decode()
    client_for(coordinator).post(
        f"/labs/{lab_a.pk}/team/",
        {"action": "unlock", "username": facilitator.username},
    )
    response = Client().post(
        "/account/login/",
        {"username": facilitator.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(
        object_type="user", object_id=facilitator.username
    ).exists()

"""The demo gives one participant per lab an account with the demo password."""

from django.test import Client

from openmil.demo.generator import DEMO_PASSWORD, generate
from openmil.placements.models import MatchingPreference
from openmil.portal.models import ParticipantAccount


def test_demo_has_a_participant_login_per_lab(db):
    result = generate(labs=2, participants=12, seed=3)
    logins = [login for login in result.logins if login.role == "participant"]
    assert len(logins) == 2
    assert ParticipantAccount.objects.count() == 2
    account = ParticipantAccount.objects.select_related("user", "participant").get(
        user__username=logins[0].username
    )
    assert account.participant.email == account.user.email
    client = Client()
    response = client.post(
        "/portal/sign-in/",
        {"username": logins[0].username, "password": DEMO_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/portal/"
    # The demo person has a mentor, so the space shows the section filled.
    section = response.content.decode().split('id="mentor"')[1]
    assert "meetings so far." in section.split("</section>")[0]
    # And what the person is looking for, by names only.
    pref = MatchingPreference.objects.get(participant=account.participant)
    section = response.content.decode().split('id="preferences"')[1]
    section = section.split("</section>")[0]
    assert pref.meeting_place and pref.meeting_place in section
    assert "Cooks" in section and "Kitchen helpers" in section
    assert str(pref.meeting_latitude) not in section
    assert pref.kinds and pref.availability and pref.interests
    again = generate(labs=2, participants=12, seed=3)
    assert not again.created
    assert [x.username for x in again.logins if x.role == "participant"] == [
        x.username for x in logins
    ]
    assert ParticipantAccount.objects.count() == 2

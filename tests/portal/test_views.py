"""The participant's space: sections, language, sign-in, consents, downloads."""

import json
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from openmil.core.models import AuditEntry
from openmil.participants.models import Consent, FollowUp, Need
from openmil.portal.models import ParticipantAccount, SignInLink
from tests.conftest import client_for
from tests.factories import (
    PASSWORD,
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    need_type,
)
from tests.portal.factories import participant_account

LINK = re.compile(r"/portal/sign-in/link/(\S+)/")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def account(participant):
    return participant_account(participant)


def space(client):
    return client.get(reverse("portal:home"))


def test_space_shows_needs_in_plain_words_and_logs_the_view(account, participant):
    NeedFactory(
        participant=participant, need_type=need_type("housing"), status="in_progress"
    )
    NeedFactory(
        participant=participant,
        need_type=need_type("health"),
        notes="Secret staff note",
    )
    response = space(client_for(account.user))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Housing" in body and "Someone is working on this." in body
    assert "Work on it has not started yet" in body
    assert "Secret staff note" not in body
    entry = AuditEntry.objects.get(action="view", participant_id=participant.pk)
    assert entry.actor == account.user


def test_space_lists_next_appointments_only(account, participant):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    FollowUpFactory(
        participant=participant, due_on=today + dt.timedelta(days=3), subject="Meet Ana"
    )
    FollowUpFactory(
        participant=participant, due_on=today - dt.timedelta(days=3), subject="Old call"
    )
    done = FollowUpFactory(participant=participant, subject="Done call")
    FollowUp.objects.filter(pk=done.pk).update(done_at=timezone.now())
    body = space(client_for(account.user)).content.decode()
    assert "Meet Ana" in body
    assert "Old call" not in body and "Done call" not in body


def test_empty_space_says_so_plainly(account):
    body = space(client_for(account.user)).content.decode()
    assert "No basic need is recorded for you." in body
    assert "No appointment is planned." in body
    assert "No consent is recorded." in body
    assert "You have no documents here yet." in body
    assert (
        reverse("portal:my_data_pdf") in body and reverse("portal:my_data_json") in body
    )


def test_space_is_in_the_persons_language_and_arabic_is_right_to_left(participant):
    account = participant_account(participant, language="ar")
    client = Client()
    client.post(
        reverse("portal:sign_in"),
        {"username": account.user.username, "password": PASSWORD},
    )
    body = space(client).content.decode()
    with translation.override("ar"):
        assert translation.gettext("My basic needs") in body
    assert 'dir="rtl"' in body and 'lang="ar"' in body
    assert 'id="language-select"' in body


def test_language_switch_changes_the_space(account):
    client = client_for(account.user)
    client.post(reverse("core:set_language"), {"language": "fr", "next": "/portal/"})
    body = space(client).content.decode()
    with translation.override("fr"):
        assert translation.gettext("My consents") in body
    account.user.profile.refresh_from_db()
    assert account.user.profile.language == "fr"


def test_password_sign_in_leads_to_the_space(account):
    client = Client()
    response = client.post(
        reverse("portal:sign_in"),
        {"username": account.user.username, "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("portal:home")


def test_home_page_sends_participants_to_their_space(account):
    response = client_for(account.user).get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal:home"
    )


def test_one_time_link_signs_in_once_from_the_page(
    account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("portal:link_request"), {"email": account.user.email}
        )
    assert response.status_code == 200
    token = LINK.search(mail.outbox[0].body)[1]
    url = reverse("portal:link_use", kwargs={"token": token})
    client = Client()
    # Opening the link (a mail scanner would) does not use it up.
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal:home"
    )
    assert space(client).status_code == 200
    again = Client().post(url)
    assert again.status_code == 400
    assert Client().get(url).status_code == 400


def test_link_request_answers_the_same_for_known_and_unknown_addresses(
    account, django_capture_on_commit_callbacks
):
    def answer(email):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(reverse("portal:link_request"), {"email": email})
        # The CSRF token differs in every answer; nothing else may.
        body = re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())
        return response.status_code, body.replace(email, "")

    known = answer(account.user.email)
    unknown = answer("stranger@example.net")
    assert known == unknown
    assert len(mail.outbox) == 1


def test_link_request_with_bad_input_shows_a_form_error(db):
    response = Client().post(reverse("portal:link_request"), {"email": "not an email"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not SignInLink.objects.exists()


def test_withdraw_asks_then_withdraws(account, participant):
    consent = ConsentFactory(
        participant=participant, purpose=Consent.Purpose.STATISTICS
    )
    client = client_for(account.user)
    url = reverse("portal:consent_withdraw", kwargs={"consent_id": consent.pk})
    body = space(client).content.decode()
    assert url in body
    confirm = client.get(url)
    assert "You will no longer be counted in statistics." in confirm.content.decode()
    consent.refresh_from_db()
    assert consent.is_active
    response = client.post(url, follow=True)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_recorded_by == account.user
    assert "Your consent is withdrawn" in response.content.decode()
    assert AuditEntry.objects.filter(
        object_type="consent", actor=account.user, participant_id=participant.pk
    ).exists()
    # Again: a clear message, nothing changes.
    response = client.post(url, follow=True)
    assert "already withdrawn" in response.content.decode()


def test_withdrawing_case_management_keeps_the_space_open(account, participant):
    consent = ConsentFactory(
        participant=participant, purpose=Consent.Purpose.CASE_MANAGEMENT
    )
    client = client_for(account.user)
    client.post(reverse("portal:consent_withdraw", kwargs={"consent_id": consent.pk}))
    participant.refresh_from_db()
    assert participant.processing_restricted
    assert space(client).status_code == 200


def test_downloads_hold_the_persons_data_and_are_logged(account, participant):
    NeedFactory(participant=participant, need_type=need_type("income"))
    client = client_for(account.user)
    data = json.loads(client.get(reverse("portal:my_data_json")).content)
    assert data["participant"]["id"] == participant.pk
    assert any(s["model"] == "participants.need" for s in data["sections"])
    pdf = client.get(reverse("portal:my_data_pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    exports = AuditEntry.objects.filter(action="record_export", actor=account.user)
    assert exports.count() == 2


def test_password_can_be_chosen_after_a_link(participant):
    account = participant_account(participant)
    account.user.set_unusable_password()
    account.user.save()
    client = client_for(account.user)
    assert reverse("portal:password_set") in space(client).content.decode()
    bad = client.post(
        reverse("portal:password_set"), {"new_password1": "x", "new_password2": "y"}
    )
    assert bad.status_code == 200 and bad.context["form"].errors
    new = "a-fresh-long-passphrase-7"
    response = client.post(
        reverse("portal:password_set"), {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    account.user.refresh_from_db()
    assert account.user.check_password(new)
    assert space(client).status_code == 200


def test_invite_button_on_the_participant_page(
    participant, facilitator, django_capture_on_commit_callbacks
):
    participant.email = "guest@example.net"
    participant.save()
    client = client_for(facilitator)
    detail = reverse("participants:detail", kwargs={"participant_id": participant.pk})
    invite = reverse("portal:invite", kwargs={"participant_id": participant.pk})
    assert invite in client.get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invite, follow=True)
    assert ParticipantAccount.objects.filter(participant=participant).exists()
    assert len(mail.outbox) == 1
    body = response.content.decode()
    assert "Invited to their own space" in body and invite not in body


def test_invite_without_an_email_explains(participant, facilitator):
    response = client_for(facilitator).post(
        reverse("portal:invite", kwargs={"participant_id": participant.pk}), follow=True
    )
    assert "Record the person&#x27;s email address first" in response.content.decode()
    assert not ParticipantAccount.objects.exists()


def test_staff_have_no_space(coordinator):
    assert space(client_for(coordinator)).status_code == 404


def test_anonymous_visitors_are_sent_to_the_portal_sign_in():
    response = space(Client())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:sign_in"))


def test_need_statuses_all_have_plain_words():
    from openmil.portal.sections import (
        CONSENT_WORDS,
        NEED_STATUS_WORDS,
        WITHDRAW_EFFECTS,
    )

    assert set(NEED_STATUS_WORDS) == set(Need.Status.values)
    assert set(CONSENT_WORDS) == set(WITHDRAW_EFFECTS) == set(Consent.Purpose.values)


def test_other_participants_data_never_shows(account, lab_a):
    other = ParticipantFactory(lab=lab_a, given_name="Bartholomew")
    NeedFactory(participant=other, need_type=need_type("documents"))
    body = space(client_for(account.user)).content.decode()
    assert "Bartholomew" not in body


def test_space_shows_the_persons_active_mentor_and_nothing_private_of_them(
    account, participant
):
    import datetime as dt

    from openmil.events.models import MentoringMeeting, MentoringPair
    from tests.events.factories import PairFactory

    participant.mother_tongue = "ar"
    participant.other_languages = ["en"]
    participant.save()
    pair = PairFactory(
        participant=participant,
        mentor__name="Joana Mentora",
        mentor__phone="+351 912 000 111",
        mentor__languages=["pt", "ar"],
        started_on=dt.date(2026, 3, 2),
    )
    for day in (dt.date(2026, 4, 1), dt.date(2026, 5, 6)):
        MentoringMeeting.objects.create(pair=pair, on=day, duration_minutes=60)
    PairFactory(
        participant=participant,
        mentor__name="Former Mentor",
        status=MentoringPair.Status.ENDED,
    )
    PairFactory(participant=ParticipantFactory(lab=participant.lab), mentor__name="X Y")
    body = space(client_for(account.user)).content.decode()
    section = body[body.index('id="mentor"') :]
    section = section[: section.index("</section>")]
    assert "Joana Mentora" in section
    assert "2 meetings so far." in section
    assert "May 6, 2026" in section  # the last meeting
    assert "Arabic" in section and "Portuguese" not in section  # shared only
    assert "Former Mentor" not in body and "X Y" not in body
    assert "912 000 111" not in body and pair.mentor.email not in body


def test_space_without_a_mentor_says_how_to_ask_for_one(account):
    body = space(client_for(account.user)).content.decode()
    assert "You have no mentor yet. If you would like one, ask your caseworker." in (
        body
    )

"""Invitations and one-time sign-in links."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openmil.core.models import AuditEntry, Membership
from openmil.participants.models import Consent, FollowUp
from openmil.participants.services import consent_withdraw
from openmil.portal import services
from openmil.portal.models import ParticipantAccount, SignInLink
from tests.factories import ConsentFactory, FollowUpFactory, ParticipantFactory
from tests.portal.factories import participant_account

LINK = re.compile(r"https?://\S+/portal/sign-in/link/(\S+)/")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def link_in(message) -> str:
    return LINK.search(message.body)[1]


@pytest.fixture
def invitee(lab_a, facilitator):
    return ParticipantFactory(
        lab=lab_a, caseworker=facilitator, email="Amal@Example.net", mother_tongue="ar"
    )


def test_facilitator_invites_and_the_person_gets_a_link_in_their_language(
    invitee, facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account = services.account_invite(actor=facilitator, participant=invitee)
    assert account.user.username == "amal@example.net"
    assert not account.user.has_usable_password()
    assert not Membership.objects.filter(user=account.user).exists()
    assert account.user.profile.language == "ar"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amal@example.net"]
    assert "OpenMIL" in message.subject
    assert link_in(message)
    entry = AuditEntry.objects.get(object_type="participant_account")
    assert (entry.actor, entry.participant_id) == (facilitator, invitee.pk)


def test_the_link_secret_is_not_stored(
    invitee, facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.account_invite(actor=facilitator, participant=invitee)
    raw = link_in(mail.outbox[0])
    link = SignInLink.objects.get()
    assert link.digest == SignInLink.digest_of(raw) and raw not in link.digest


@pytest.mark.parametrize("who", ["analyst", "mentor", "outsider", "partner_staff"])
def test_only_lab_staff_who_edit_may_invite(who, invitee, request):
    with pytest.raises(PermissionDenied):
        services.account_invite(actor=request.getfixturevalue(who), participant=invitee)
    assert not ParticipantAccount.objects.exists()


def test_invitation_needs_an_email_and_a_free_address(lab_a, coordinator, facilitator):
    no_email = ParticipantFactory(lab=lab_a, email="")
    with pytest.raises(ValidationError):
        services.account_invite(actor=coordinator, participant=no_email)
    taken = ParticipantFactory(lab=lab_a, email=facilitator.email.upper())
    with pytest.raises(ValidationError):
        services.account_invite(actor=coordinator, participant=taken)
    assert not ParticipantAccount.objects.exists()


def test_a_second_invitation_is_refused(invitee, coordinator):
    services.account_invite(actor=coordinator, participant=invitee)
    with pytest.raises(ValidationError):
        services.account_invite(actor=coordinator, participant=invitee)


def request_link(email, django_capture_on_commit_callbacks, address="10.0.0.1"):
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_in_link_request(email=email, address=address)


def test_link_works_once(participant, django_capture_on_commit_callbacks):
    account = participant_account(participant)
    request_link(account.user.email.upper(), django_capture_on_commit_callbacks)
    raw = link_in(mail.outbox[0])
    assert services.sign_in_link_use(raw=raw) == account
    assert services.sign_in_link_use(raw=raw) is None
    account.refresh_from_db()
    assert account.first_sign_in_at is not None
    assert (
        AuditEntry.objects.filter(action="login", participant_id=participant.pk).count()
        == 1
    )


def test_link_expires(participant, django_capture_on_commit_callbacks):
    account = participant_account(participant)
    request_link(account.user.email, django_capture_on_commit_callbacks)
    raw = link_in(mail.outbox[0])
    link = SignInLink.objects.get()
    assert link.expires_at - link.created_at == dt.timedelta(
        minutes=services.LINK_MINUTES
    )
    SignInLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.sign_in_link_use(raw=raw) is None
    assert SignInLink.objects.get().used_at is None


@pytest.mark.parametrize("raw", ["", "made-up", "x" * 500, "a/../b"])
def test_unknown_links_sign_in_nobody(raw, participant):
    participant_account(participant)
    assert services.sign_in_link_use(raw=raw) is None


def test_unknown_address_sends_nothing(participant, django_capture_on_commit_callbacks):
    participant_account(participant)
    request_link("nobody@example.net", django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_staff_addresses_get_no_link(coordinator, django_capture_on_commit_callbacks):
    request_link(coordinator.email, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_links_per_account_are_limited(participant, django_capture_on_commit_callbacks):
    account = participant_account(participant)
    for n in range(services.LINKS_PER_ACCOUNT + 2):
        request_link(
            account.user.email, django_capture_on_commit_callbacks, f"10.0.0.{n}"
        )
    assert len(mail.outbox) == services.LINKS_PER_ACCOUNT


def test_requests_per_address_are_limited(lab_a, django_capture_on_commit_callbacks):
    accounts = [
        participant_account(ParticipantFactory(lab=lab_a))
        for _ in range(services.REQUESTS_PER_ADDRESS + 2)
    ]
    for account in accounts:
        request_link(account.user.email, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == services.REQUESTS_PER_ADDRESS


def test_inactive_accounts_get_no_link(participant, django_capture_on_commit_callbacks):
    account = participant_account(participant)
    account.user.is_active = False
    account.user.save()
    request_link(account.user.email, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_participant_withdraws_own_consent_through_the_participants_service(
    participant,
):
    account = participant_account(participant)
    consent = ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    follow_up = FollowUpFactory(participant=participant)
    services.own_consent_withdraw(account=account, consent=consent)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_recorded_by == account.user
    assert FollowUp.objects.get(pk=follow_up.pk).cancelled_at is not None
    entry = AuditEntry.objects.get(object_type="consent")
    assert entry.actor == account.user and entry.participant_id == participant.pk


def test_participant_cannot_withdraw_someone_elses_consent(participant, lab_a):
    account = participant_account(participant)
    other = ConsentFactory(participant=ParticipantFactory(lab=lab_a))
    with pytest.raises(PermissionDenied):
        services.own_consent_withdraw(account=account, consent=other)
    with pytest.raises(PermissionDenied):
        consent_withdraw(actor=account.user, consent=other)
    other.refresh_from_db()
    assert other.withdrawn_at is None


def test_a_participant_account_never_becomes_staff(participant, coordinator, lab_a):
    from openmil.core.services import membership_add

    account = participant_account(participant)
    with pytest.raises(ValidationError):
        membership_add(
            actor=coordinator,
            lab=lab_a,
            username=account.user.username,
            email=account.user.email,
            first_name="X",
            last_name="",
            role="facilitator",
        )
    assert not Membership.objects.filter(user=account.user).exists()

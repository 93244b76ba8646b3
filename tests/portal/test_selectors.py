"""Reads of the space: scoped to the signed-in account's own record."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.portal import selectors
from openmil.portal.models import SignInLink
from openmil.portal.sections import Section, register, sections_for
from tests.factories import ConsentFactory, FollowUpFactory, ParticipantFactory
from tests.portal.factories import participant_account


def test_staff_and_anonymous_users_have_no_account(coordinator):
    for user in (coordinator, AnonymousUser()):
        with pytest.raises(Http404):
            selectors.account_for(user=user)


def test_own_participant_is_logged_with_the_participant_as_actor(participant):
    account = participant_account(participant)
    assert selectors.own_participant(user=account.user) == participant
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.participant_id) == (
        account.user,
        "view",
        participant.pk,
    )


@pytest.mark.parametrize("bad", [0, -1, 2**70, "x"])
def test_own_consent_get_refuses_other_and_bad_ids(bad, participant, lab_a):
    account = participant_account(participant)
    other = ConsentFactory(participant=ParticipantFactory(lab=lab_a))
    with pytest.raises(Http404):
        selectors.own_consent_get(user=account.user, consent_id=other.pk)
    with pytest.raises(Http404):
        selectors.own_consent_get(user=account.user, consent_id=bad)


def test_next_follow_ups_are_open_and_from_today(participant):
    today = timezone.localdate()
    soon = FollowUpFactory(participant=participant, due_on=today)
    FollowUpFactory(participant=participant, due_on=today - dt.timedelta(days=1))
    cancelled = FollowUpFactory(participant=participant, due_on=today)
    cancelled.cancelled_at = timezone.now()
    cancelled.save()
    assert list(selectors.own_next_follow_ups(participant=participant)) == [soon]


def test_link_usability(participant):
    account = participant_account(participant)
    raw = SignInLink.generate_raw()
    link = SignInLink.objects.create(
        account=account,
        digest=SignInLink.digest_of(raw),
        expires_at=timezone.now() + dt.timedelta(minutes=5),
    )
    assert selectors.sign_in_link_is_usable(raw=raw)
    assert not selectors.sign_in_link_is_usable(raw="other")
    assert not selectors.sign_in_link_is_usable(raw="")
    link.used_at = timezone.now()
    link.save()
    assert not selectors.sign_in_link_is_usable(raw=raw)


def test_an_app_adds_a_section_by_registering_it(participant):
    register(
        Section(
            "test-extra",
            "Extra",
            "portal/sections/documents.html",
            lambda p: {"files": [], "who": p.pk},
            order=15,
        )
    )
    try:
        keys = [s.key for s in sections_for(participant)]
        assert keys.index("needs") < keys.index("test-extra") < keys.index("consents")
        extra = next(s for s in sections_for(participant) if s.key == "test-extra")
        assert extra.data["who"] == participant.pk
    finally:
        from openmil.portal import sections

        sections._SECTIONS.pop("test-extra")

"""Reads of the participant space: a participant account sees itself only.

Staff reads go through `participants.selectors.participant_queryset`, which
holds no record for a participant account (it has no membership). The space
is scoped here instead, to the one record the account is linked to; any
other id is a 404.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry, UserProfile
from openmil.participants.models import Consent, FollowUp, Need, Participant
from openmil.portal.models import ParticipantAccount, SignInLink


def account_for(*, user: Any) -> ParticipantAccount:
    """The signed-in user's participant account, or Http404."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    account = (
        ParticipantAccount.objects.select_related("user", "participant__lab")
        .filter(user_id=user.pk)
        .first()
    )
    if account is None:
        raise Http404
    return account


def is_participant_user(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and ParticipantAccount.objects.filter(user_id=user.pk).exists()
    )


def own_participant(*, user: Any, audit: bool = True, detail: str = "") -> Participant:
    """The participant the signed-in account belongs to; logs the view."""
    participant = account_for(user=user).participant
    if audit:
        audit_record(
            actor=user,
            action=AuditEntry.Action.VIEW,
            object_type="participant",
            object_id=participant.pk,
            participant=participant,
            detail=detail or "own space",
        )
    return participant


def own_consent_get(*, user: Any, consent_id: int) -> Consent:
    """One of the account's own consents, or Http404."""
    account = account_for(user=user)
    try:
        return Consent.objects.select_related("participant").get(
            pk=consent_id, participant_id=account.participant_id
        )
    except (Consent.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def own_needs(*, participant: Participant) -> QuerySet[Need]:
    return participant.needs.select_related("need_type").order_by(
        "-urgent", "need_type__position", "id"
    )


def own_next_follow_ups(*, participant: Participant) -> QuerySet[FollowUp]:
    """Open follow-ups from today on, soonest first."""
    return participant.follow_ups.filter(
        done_at__isnull=True,
        cancelled_at__isnull=True,
        due_on__gte=timezone.localdate(),
    ).order_by("due_on", "id")


def own_consents(*, participant: Participant) -> QuerySet[Consent]:
    return participant.consents.order_by("withdrawn_at", "-given_at", "-id")


def has_account(*, participant: Participant) -> bool:
    return ParticipantAccount.objects.filter(participant=participant).exists()


def sign_in_link_is_usable(*, raw: str) -> bool:
    """True while the link exists, is unused and has not expired."""
    if not raw or len(raw) > 200:
        return False
    link = SignInLink.objects.filter(digest=SignInLink.digest_of(raw)).first()
    return link is not None and link.is_usable


def account_language(*, account: ParticipantAccount) -> str:
    """The language saved in the account's profile ("" when none)."""
    return (
        UserProfile.objects.filter(user_id=account.user_id)
        .values_list("language", flat=True)
        .first()
    ) or ""

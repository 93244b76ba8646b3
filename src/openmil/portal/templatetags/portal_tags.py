from typing import Any

from django import template

from openmil.core import access
from openmil.core.roles import Perm
from openmil.portal.models import ParticipantAccount

register = template.Library()


@register.inclusion_tag("portal/invite_button.html", takes_context=True)
def participant_account_status(context: dict[str, Any], participant: Any) -> dict:
    """On the participant page: whether the person has their own space, and
    the button that invites them."""
    user = context["request"].user
    account = (
        ParticipantAccount.objects.filter(participant=participant)
        .only("invited_at", "first_sign_in_at")
        .first()
    )
    return {
        "p": participant,
        "account": account,
        "can_invite": account is None
        and access.can(user, Perm.INVITE_PARTICIPANT, participant.lab_id),
        "csrf_token": context.get("csrf_token"),
    }

from typing import Any

from django import template

from openmil.ventures.selectors import ventures_for_participant

register = template.Library()


@register.simple_tag(takes_context=True)
def participant_ventures(context: dict[str, Any], participant: Any) -> list[Any]:
    """The ventures of the participant shown on the page, as the viewer sees them."""
    return ventures_for_participant(
        user=context["request"].user, participant=participant
    )

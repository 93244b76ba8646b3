"""`get_FOO_display()` without Django's per-call cost.

Django's `Model._get_FIELD_display` builds a dict of every choice of the
field on each call, hashing each (lazy) label, which translates every label
of the field each time one value is shown. On pages that show a status per
row (goals, timeline events, attendance marks) that is hundreds of
translations per request. The mixin keeps one value -> label map per field
and translates only the label shown, in the language active at the call.
"""

from __future__ import annotations

from typing import Any

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_LABELS = "_openmil_choice_labels"


def _labels(field: Any) -> dict[Any, Any]:
    labels = field.__dict__.get(_LABELS)
    if labels is None:
        labels = {make_hashable(value): label for value, label in field.flatchoices}
        setattr(field, _LABELS, labels)
    return labels


class ChoiceDisplayMixin:
    """Put first among a model's bases; Django's field machinery picks up
    `_get_FIELD_display` from the class being built."""

    def _get_FIELD_display(self, field: Any) -> str:
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(make_hashable(value), value)
        except TypeError:  # an unhashable value is shown as it is
            label = value
        return force_str(label, strings_only=True)

"""Labels shown on the public site, in its ten languages: the verdicts of
fact cards (the same messages as FactCard.Rating; the context "campaigns" keeps
them apart from other apps' words)."""

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

RATINGS: dict[str, Promise] = {
    "false": pgettext_lazy("campaigns", "False"),
    "misleading": pgettext_lazy("campaigns", "Misleading"),
    "missing_context": pgettext_lazy("campaigns", "Missing context"),
    "mostly_true": pgettext_lazy("campaigns", "Mostly true"),
    "true": pgettext_lazy("campaigns", "True"),
}


def rating_label(rating: str) -> str:
    return str(RATINGS.get(rating, rating))

"""Forms of the public site and of its staff pages."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.core.models import Lab
from openmil.core.pillars import Pillar
from openmil.public.models import (
    SDGS,
    Evidence,
    Participation,
    ProjectKind,
    ProjectPost,
    Recommendation,
)

# The pillar names again, so that the public catalogs carry them in every
# language of the site (same msgids as openmil.core.pillars).
PILLAR_LABELS: dict[str, Any] = {
    Pillar.LANGUAGE: _("Language"),
    Pillar.ECONOMIC: _("Economic autonomy and entrepreneurship"),
    Pillar.CIVIC: _("Civics"),
    Pillar.INTERCULTURAL: _("Intercultural dialogue and active citizenship"),
}


def pillar_label(code: str) -> str:
    return str(PILLAR_LABELS.get(code, code))


class HoneypotMixin(forms.Form):
    """A field people never see or fill; robots that fill every field do."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self) -> bool:
        """Filled in: a robot. A form may then answer as if it had worked."""
        return bool(self.data.get("website"))

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This form could not be sent."))
        return cleaned


class SignUpForm(HoneypotMixin, UserCreationForm):
    email = forms.EmailField(label=_("Email address"))

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class ProjectForm(forms.Form):
    lab: forms.ModelChoiceField[Lab] = forms.ModelChoiceField(
        label=_("Lab of your territory"), queryset=Lab.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=160)
    summary = forms.CharField(label=_("Summary in one sentence"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown is allowed: *emphasis*, lists, links."),
    )
    kind = forms.ChoiceField(label=_("Kind of project"), choices=ProjectKind.choices)
    pillars = forms.MultipleChoiceField(
        label=_("Pillars it serves"),
        choices=[(p, PILLAR_LABELS[p]) for p in Pillar.values],
        widget=forms.CheckboxSelectMultiple,
    )
    sdgs = forms.TypedMultipleChoiceField(
        label=_("Sustainable Development Goals it serves"),
        choices=[(n, str(n)) for n in SDGS],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "sdg-choice"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the text"), choices=settings.LANGUAGES
    )

    def __init__(self, *args: Any, labs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lab"].queryset = labs  # type: ignore[attr-defined]


class ParticipationForm(forms.Form):
    group = forms.ChoiceField(
        label=_("I take part as"), choices=Participation.Group.choices
    )
    show_name = forms.BooleanField(
        label=_("Show my name on the project page"), required=False
    )
    display_name = forms.CharField(
        label=_("Name to show"), max_length=120, required=False
    )


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of post"), choices=ProjectPost.Kind.choices)
    body = forms.CharField(
        label=_("Text"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 6})
    )


class ReportForm(HoneypotMixin):
    reason = forms.CharField(
        label=_("What is wrong with this project?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# ---------------------------------------------------------------------------
# Staff pages.


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ReportHandleForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("dismiss", _("Dismiss")), ("uphold", _("Hide the project"))],
    )


class RecommendationForm(forms.Form):
    lab: forms.ModelChoiceField[Lab] = forms.ModelChoiceField(
        label=_("Lab"), queryset=Lab.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Recommendation"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    addressed_to = forms.CharField(
        label=_("Addressed to"), max_length=200, required=False
    )
    language = forms.ChoiceField(
        label=_("Language of the text"), choices=settings.LANGUAGES
    )

    def __init__(self, *args: Any, labs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lab"].queryset = labs  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(
        label=_("New status"), choices=Recommendation.Status.choices
    )
    on = forms.DateField(
        label=_("Date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


def _indicator_choices() -> list[tuple[str, str]]:
    from openmil.indicators.registry import REGISTRY

    return [("", "—")] + [
        (key, f"{key} · {indicator.name}") for key, indicator in REGISTRY.items()
    ]


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Evidence.Kind.choices)
    indicator_id = forms.ChoiceField(
        label=_("Indicator"), choices=_indicator_choices, required=False
    )
    url = forms.URLField(
        label=_("Address of the good practice"),
        max_length=500,
        required=False,
        assume_scheme="https",
    )
    label = forms.CharField(label=_("Label"), max_length=200, required=False)

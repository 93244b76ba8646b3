from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from openmil.indicators.models import ReferenceValue
from openmil.indicators.registry import BREAKDOWNS, REGISTRY, Period


class DashboardFilter(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=40,
        help_text=_("A year (2026), a quarter (2026-Q2) or a month (2026-05)."),
    )
    breakdown = forms.ChoiceField(
        label=_("Break down by"),
        required=False,
        choices=[("", _("Nothing"))] + [(k, v) for k, v in BREAKDOWNS.items()],
    )
    cohort = forms.CharField(
        label=_("Intake cohort"),
        required=False,
        max_length=4,
        help_text=_("A year of intake, e.g. 2025."),
    )
    profile = forms.ChoiceField(label=_("Profile"), required=False, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from openmil.participants.models import Participant

        cast(forms.ChoiceField, self.fields["profile"]).choices = [
            ("", _("All profiles")),
            *Participant.Profile.choices,
        ]

    def clean_period(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["period"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_cohort(self) -> str:
        cohort = self.cleaned_data["cohort"].strip()
        if cohort and not (cohort.isdigit() and len(cohort) == 4):
            raise forms.ValidationError(_("A cohort is a year of intake, e.g. 2025."))
        return cohort

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cohort") and data.get("profile"):
            raise forms.ValidationError(
                _(
                    "Choose a cohort or a profile, not both: figures are kept "
                    "by one breakdown at a time."
                )
            )
        return data

    def selection(self) -> tuple[str, str] | None:
        """The (breakdown, group) the headline figures are restricted to."""
        if self.cleaned_data.get("cohort"):
            return "cohort", self.cleaned_data["cohort"]
        if self.cleaned_data.get("profile"):
            return "profile", self.cleaned_data["profile"]
        return None


class ReferenceValueForm(forms.ModelForm):
    """A national or regional reference value; the web form, the CSV import
    and the API all validate through it."""

    indicator_id = forms.ChoiceField(label=_("Indicator"), choices=[])
    url = forms.URLField(
        label=_("address"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = ReferenceValue
        fields = [
            "indicator_id",
            "area",
            "population",
            "period",
            "value",
            "ci_low",
            "ci_high",
            "source",
            "url",
        ]
        help_texts = {
            "value": _("Percent (0-100) for a share; the indicator's unit else."),
            "population": _("e.g. non-EU citizens aged 20-64"),
            "area": _("e.g. Aragón (ES24) or Spain"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["indicator_id"]).choices = [
            (i.id, f"{i.id} — {i.name}") for i in REGISTRY.values()
        ]

    def clean_period(self) -> str:
        text = self.cleaned_data["period"]
        try:
            return Period.parse(text).label
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value, low, high = data.get("value"), data.get("ci_low"), data.get("ci_high")
        if (low is None) != (high is None):
            raise forms.ValidationError(
                _("Give both ends of the interval, or neither.")
            )
        if (
            value is not None
            and low is not None
            and high is not None
            and not low <= value <= high
        ):
            raise forms.ValidationError(
                _("The interval must contain the value (low ≤ value ≤ high).")
            )
        indicator = REGISTRY.get(data.get("indicator_id") or "")
        if indicator is not None and indicator.kind == "proportion":
            for name in ("value", "ci_low", "ci_high"):
                number = data.get(name)
                if number is not None and not 0 <= number <= 100:
                    self.add_error(
                        name, _("A share is given in percent, from 0 to 100.")
                    )
        return data


class ReferenceImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: indicator, area, population, period, value, ci_low, "
            "ci_high, source, url. Every row is checked; nothing is saved "
            "unless every row is valid."
        ),
    )

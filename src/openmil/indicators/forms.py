from django import forms
from django.utils.translation import gettext_lazy as _

from openmil.indicators.registry import BREAKDOWNS, Period


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

    def clean_period(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["period"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

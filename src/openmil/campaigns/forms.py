"""Forms of the campaign pages; the API validates through the same forms."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from openmil.campaigns.models import (
    CAMPAIGN_LANGUAGES,
    SOURCE_LANGUAGE,
    Campaign,
    FactCard,
    FactSource,
    Kpi,
    TranslationStatus,
)
from openmil.core.models import Lab
from openmil.participants.forms import DATE_WIDGET

#: Largest reach export accepted (the file is streamed, never held whole).
MAX_UPLOAD = 50 * 1024 * 1024


class CampaignForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=CAMPAIGN_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("English, the source language, is always included."),
    )
    landing_url = forms.URLField(
        label=_("Landing page"),
        required=False,
        assume_scheme="https",
        help_text=_("Where share links lead; the public campaign page when empty."),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "status",
            "starts_on",
            "ends_on",
            "summary",
            "objectives",
            "languages",
            "landing_url",
        ]
        widgets = {
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "objectives": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("languages", [SOURCE_LANGUAGE])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The campaign ends before it starts."))
        return data

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class KpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = ["metric", "objective", "target", "period_start", "period_end"]
        widgets = {"period_start": DATE_WIDGET, "period_end": DATE_WIDGET}


class KpiReportForm(forms.Form):
    reported_value = forms.IntegerField(
        label=_("Reported value"), min_value=0, max_value=10**12
    )


class MessageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("English text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown. English is the source of every translation."),
    )


class TranslationForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=TranslationStatus.choices)


class FactCardForm(forms.ModelForm):
    class Meta:
        model = FactCard
        fields = [
            "slug",
            "language",
            "translation_of",
            "campaign",
            "claim",
            "claimed_by",
            "facts",
            "rating",
        ]
        widgets = {
            "claim": forms.Textarea(attrs={"rows": 2}),
            "facts": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args: Any, lab: Lab, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["campaign"]).queryset = Campaign.objects.filter(
            lab=lab
        ).order_by("name")
        originals = FactCard.objects.filter(lab=lab).order_by("slug")
        if self.instance.pk:
            originals = originals.exclude(pk=self.instance.pk)
        cast(Any, self.fields["translation_of"]).queryset = originals

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class FactSourceForm(forms.ModelForm):
    url = forms.URLField(label=_("Link"), max_length=500, assume_scheme="https")

    class Meta:
        model = FactSource
        fields = ["title", "publisher", "url", "published_on"]
        widgets = {"published_on": DATE_WIDGET}


class ReachUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Platform export (CSV, UTF-8)"),
        help_text=_(
            "Columns: platform, account, language, post, date, reach, "
            "impressions, engagements, shares, link_clicks."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload

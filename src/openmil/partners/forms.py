"""Forms of the partner pages; the API validates through the same forms."""

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openmil.core.codes import language_choices
from openmil.core.models import Lab, Organisation
from openmil.participants.models import Need, NeedType
from openmil.partners.models import (
    SHAREABLE_FIELDS,
    Opportunity,
    Referral,
    Service,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("Any")), *Organisation.Kind.choices],
        required=False,
    )
    area = forms.ChoiceField(label=_("Pillar or need"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = [("", _("Any")), *areas]
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", _("Any")),
            *language_choices(),
        ]

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "")

    def clean_place(self) -> str:
        return self.cleaned_data["place"].replace("\x00", "")


class ServiceForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=language_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    class Meta:
        model = Service
        fields = list(Service.EDITABLE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, lab: Lab, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["need_type"]
        ).queryset = NeedType.objects.filter(Q(lab__isnull=True) | Q(lab=lab))
        self.fields["pillar"].help_text = _("Choose a pillar or a basic need.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("pillar")) == bool(data.get("need_type")):
            raise forms.ValidationError(
                _("Choose either a pillar or a basic need for the service.")
            )
        return data

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in Service.EDITABLE_FIELDS}

    def _post_clean(self) -> None:
        # The service validates the model itself, with the organisation set.
        pass


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.organisation.name} — {obj.name} ({obj.area_label})"


class NeedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.need_type)


class ReferralForm(forms.Form):
    service = ServiceChoiceField(label=_("Service"), queryset=Service.objects.none())
    need = NeedChoiceField(
        label=_("Need referred"), queryset=Need.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Message to the partner"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The partner reads it: write no health or legal detail."),
    )

    def __init__(self, *args: Any, participant: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        service = cast(forms.ModelChoiceField, self.fields["service"])
        service.queryset = Service.objects.filter(
            organisation__lab_id=participant.lab_id, active=True
        ).select_related("organisation", "need_type")
        need = cast(forms.ModelChoiceField, self.fields["need"])
        need.queryset = participant.needs.select_related("need_type")


class SendForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Reason to send without consent (coordinators)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any")), *Referral.Status.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class OpportunityForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = list(Opportunity.EDITABLE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date is before the start date."))
        if data.get("min_cefr") is not None and not data.get("language"):
            self.add_error(
                "language", _("Say in which language the level is required.")
            )
        return data

    def opportunity_data(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(name) for name in Opportunity.EDITABLE_FIELDS
        }

    def _post_clean(self) -> None:
        pass


class ReferralSettingsForm(forms.Form):
    shared_fields = forms.MultipleChoiceField(
        label=_("Fields partners see"),
        choices=list(SHAREABLE_FIELDS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sensitive fields are never shared."),
    )
    completion_days = forms.IntegerField(
        label=_("Days to complete an accepted referral"), min_value=1, max_value=365
    )

from django import forms
from django.utils.translation import gettext_lazy as _

from openmil.privacy.models import ErasureRequest, LabPrivacySettings
from openmil.privacy.services import REASON_MAX, SETTINGS_FIELDS


class ErasureRequestForm(forms.Form):
    grounds = forms.ChoiceField(
        label=_("Grounds"), choices=ErasureRequest.Grounds.choices
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Erased with the person's data when the request is approved."),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PrivacySettingsForm(forms.ModelForm):
    class Meta:
        model = LabPrivacySettings
        fields = SETTINGS_FIELDS

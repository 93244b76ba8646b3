import zoneinfo
from functools import lru_cache
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from openmil.core.codes import language_choices
from openmil.core.models import Lab, Organisation
from openmil.core.roles import Role


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )

    def clean_otp_token(self) -> str:
        code = self.cleaned_data["otp_token"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("Enter the six digits shown in your app."))
        return code


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What is this token for?"), max_length=100)
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=365, initial=90
    )


class LabSettingsForm(forms.ModelForm):
    working_languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=language_choices,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = Lab
        fields = [
            "territory",
            "working_languages",
            "time_zone",
            "pathway_gate",
            "reference_prefix",
        ]


class NeedTypeForm(forms.Form):
    label = forms.CharField(label=_("New basic need"), max_length=120)


class LegalStatusForm(forms.Form):
    name = forms.CharField(label=_("New legal-status category"), max_length=120)


class MemberForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("A link to choose a password is sent here."),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[c for c in Role.choices if c[0] != Role.NETWORK_ADMIN]
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation (partner staff only)"),
        queryset=Organisation.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, lab: Lab, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["organisation"]).queryset = lab.organisations.all()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        is_partner = data.get("role") == Role.PARTNER_STAFF
        if is_partner and not data.get("organisation"):
            self.add_error(
                "organisation", _("Partner staff belong to an organisation.")
            )
        if not is_partner:
            data["organisation"] = None
        return data


def attach_errors(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError on the form that fed it: each message
    on its field when the form has that field, else on the form as a whole."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def flash_form_errors(request: HttpRequest, form: Any) -> None:
    """The errors of a small form posted from a page, as messages on the page
    it returns to: each prefixed with its field's label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def flash_error(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal, as messages on the page the user returns to."""
    for message in error.messages:
        messages.error(request, message)

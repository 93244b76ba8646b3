"""Forms of the public site: registration for an event, volunteer sign-up.

Each carries a honeypot field that people do not see; a filled honeypot is
treated as spam.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openmil.core.codes import is_language, language_choices
from openmil.core.models import Lab
from openmil.public.forms import HoneypotMixin

HONEYPOT = "website"

KIND_LABELS = {
    "intercultural": _("Intercultural event"),
    "meeting": _("Meeting"),
    "workshop": _("Workshop"),
}
ROLE_CHOICES = [
    ("volunteer", _("Volunteer")),
    ("mentor", _("Mentor")),
    ("both", _("Volunteer and mentor")),
]
AVAILABILITY_CHOICES = [
    ("weekday_mornings", _("Weekday mornings")),
    ("weekday_afternoons", _("Weekday afternoons")),
    ("weekday_evenings", _("Weekday evenings")),
    ("weekends", _("Weekends")),
]
INTEREST_CHOICES = [
    ("language", _("Language")),
    ("economic", _("Work and business")),
    ("civic", _("Civic life")),
    ("intercultural", _("Intercultural exchange")),
]
GENDER_CHOICES = [
    ("none", _("No preference")),
    ("women", _("Women")),
    ("men", _("Men")),
]


class RegistrationForm(HoneypotMixin):
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send you a link to confirm your place."),
    )


class VolunteerForm(HoneypotMixin):
    lab = forms.ModelChoiceField(
        label=_("Where do you want to help?"), queryset=Lab.objects.order_by("name")
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    role = forms.ChoiceField(label=_("I offer to be"), choices=ROLE_CHOICES)
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=language_choices,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    skills = forms.CharField(
        label=_("Skills (separated by commas)"), max_length=500, required=False
    )
    availability = forms.MultipleChoiceField(
        label=_("When are you available?"),
        choices=AVAILABILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    place = forms.CharField(
        label=_("Town or neighbourhood"), max_length=200, required=False
    )
    interests = forms.MultipleChoiceField(
        label=_("What interests you?"),
        choices=INTEREST_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    gender_preference = forms.ChoiceField(
        label=_("As a mentor, I would rather accompany"),
        choices=GENDER_CHOICES,
        initial="none",
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the lab keeps these details to review my offer and "
            "contact me."
        )
    )

    def clean_languages(self) -> list[str]:
        codes = [c for c in self.cleaned_data["languages"] if is_language(c)]
        return codes[:20]

    def clean_skills(self) -> list[str]:
        raw = self.cleaned_data.get("skills") or ""
        return [s.strip()[:60] for s in raw.split(",") if s.strip()][:20]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("lab", "consent", HONEYPOT):
            data.pop(name, None)
        return data

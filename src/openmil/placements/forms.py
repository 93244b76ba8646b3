from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openmil.classifications.models import IscoGroup
from openmil.events.models import Volunteer
from openmil.partners.models import Opportunity
from openmil.placements.models import MEETING_BOTH, MEETING_NAMED, MatchingPreference

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _codes(text: str) -> list[str]:
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


class RoundForm(forms.Form):
    """People and, by the kind of round, opportunities or mentors (all the
    lab's approved mentors when none are ticked)."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    participants: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("People"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    opportunities: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Opportunities"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    mentors: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Mentors (none ticked: all approved mentors)"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        people: Any,
        opportunities: Any = None,
        mentors: Any = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["participants"].queryset = people  # type: ignore[attr-defined]
        self.fields["participants"].label_from_instance = (  # type: ignore[attr-defined]
            lambda p: f"{p.reference} · {p.full_name}"
        )
        if opportunities is None:
            del self.fields["opportunities"]
        else:
            self.fields["opportunities"].queryset = opportunities  # type: ignore[attr-defined]
            self.fields["opportunities"].label_from_instance = (  # type: ignore[attr-defined]
                lambda o: f"{o.title} · {o.organisation.name} ({o.capacity})"
            )
        if mentors is None:
            del self.fields["mentors"]
        else:
            self.fields["mentors"].queryset = mentors  # type: ignore[attr-defined]
            self.fields["mentors"].label_from_instance = (  # type: ignore[attr-defined]
                lambda m: f"{m.name} · {', '.join(m.languages)} ({m.max_mentees})"
            )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent_override_reason = forms.CharField(
        label=_("Reason for sending without consent"),
        max_length=2000,
        required=False,
    )


class PreferenceForm(forms.Form):
    occupations = forms.CharField(
        label=_("Wanted occupations (ISCO-08 codes, comma-separated)"),
        max_length=200,
        required=False,
    )
    kinds = forms.MultipleChoiceField(
        label=_("Wanted kinds of opportunity"),
        choices=Opportunity.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    places = forms.CharField(
        label=_("Places accepted (comma-separated)"), max_length=500, required=False
    )
    available_from = forms.DateField(
        label=_("Available from"), required=False, widget=DATE_WIDGET
    )
    mentor_gender = forms.ChoiceField(
        label=_("Mentor preferred"),
        choices=MatchingPreference.Gender.choices,
        required=False,
    )
    interests = forms.CharField(
        label=_("Interests (comma-separated)"), max_length=500, required=False
    )
    availability = forms.MultipleChoiceField(
        label=_("Free to meet a mentor"),
        choices=Volunteer.Availability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    meeting_place = forms.CharField(
        label=_("Where the person can meet a mentor"),
        max_length=100,
        required=False,
        help_text=_(
            "A neighbourhood or town, never a home address. Used only to "
            "suggest mentors nearby."
        ),
    )
    meeting_latitude = forms.DecimalField(
        label=_("Latitude of that area"),
        min_value=-90,
        max_value=90,
        required=False,
        help_text=_(
            "Approximate, in decimal degrees (for example 38.72): the centre of "
            "the area, not an address. Stored rounded to 2 decimals (about 1 km) "
            "to weigh the distance to a mentor."
        ),
    )
    meeting_longitude = forms.DecimalField(
        label=_("Longitude of that area"),
        min_value=-180,
        max_value=180,
        required=False,
        help_text=_("Approximate, in decimal degrees (for example -9.14)."),
    )

    def clean_occupations(self) -> list[str]:
        codes = _codes(self.cleaned_data.get("occupations") or "")
        known = set(
            IscoGroup.objects.filter(code__in=codes).values_list("code", flat=True)
        )
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise forms.ValidationError(
                _("Unknown ISCO-08 code: %(codes)s") % {"codes": ", ".join(unknown)}
            )
        return codes

    def clean_places(self) -> list[str]:
        return _codes(self.cleaned_data.get("places") or "")[:20]

    def clean_interests(self) -> list[str]:
        return _codes(self.cleaned_data.get("interests") or "")[:20]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        names = ("meeting_latitude", "meeting_longitude")
        if any(name in self.errors for name in names):
            return data
        latitude, longitude = (data.get(name) for name in names)
        if (latitude is None) != (longitude is None):
            missing = "meeting_latitude" if latitude is None else "meeting_longitude"
            self.add_error(missing, MEETING_BOTH)
        elif latitude is not None and not (data.get("meeting_place") or "").strip():
            self.add_error("meeting_place", MEETING_NAMED)
        return data

    @classmethod
    def initial_for(cls, pref: MatchingPreference | None) -> dict[str, Any]:
        if pref is None:
            return {}
        return {
            "occupations": ", ".join(pref.occupations),
            "kinds": pref.kinds,
            "places": ", ".join(pref.places),
            "available_from": pref.available_from,
            "mentor_gender": pref.mentor_gender,
            "interests": ", ".join(pref.interests),
            "availability": pref.availability,
            "meeting_place": pref.meeting_place,
            "meeting_latitude": pref.meeting_latitude,
            "meeting_longitude": pref.meeting_longitude,
        }

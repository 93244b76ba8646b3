from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openmil.classifications.models import IscoGroup
from openmil.events.models import Volunteer
from openmil.events.public_forms import INTEREST_CHOICES
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


#: The kinds of opportunity in the words of the person who wants one.
OWN_KIND_WORDS: dict[str, Any] = {
    Opportunity.Kind.VACANCY: _("A job"),
    Opportunity.Kind.TRAINING: _("A training course"),
    Opportunity.Kind.INCUBATOR: _("Help to start a business"),
    Opportunity.Kind.MENTORING: _("A mentor"),
    Opportunity.Kind.HOUSING: _("A place to live"),
}
#: The mentor a person would rather have, in their own words.
OWN_MENTOR_WORDS: dict[str, Any] = {
    MatchingPreference.Gender.NONE: _("A woman or a man, it does not matter"),
    MatchingPreference.Gender.FEMALE: _("A woman"),
    MatchingPreference.Gender.MALE: _("A man"),
}
#: The four pillars, as interests: the codes mentors tick when they sign up
#: (`events.public_forms.INTEREST_CHOICES`), so a mentee's ticked pillar
#: meets a mentor's in `mentor_score`.
PILLAR_CODES = {code for code, _label in INTEREST_CHOICES}


class OwnPreferenceForm(forms.Form):
    """What a participant states themselves in their space: the fields of
    `services.OWN_PREFERENCE_FIELDS`, in plain words."""

    kinds = forms.MultipleChoiceField(
        label=_("What are you looking for?"),
        choices=list(OWN_KIND_WORDS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    places = forms.CharField(
        label=_("Towns or neighbourhoods where you could go"),
        help_text=_("Separate them with commas."),
        max_length=500,
        required=False,
    )
    available_from = forms.DateField(
        label=_("From when can you start?"),
        help_text=_("Leave empty if you can start now."),
        required=False,
        widget=DATE_WIDGET,
    )
    mentor_gender = forms.ChoiceField(
        label=_("Would you rather have a woman or a man as your mentor?"),
        choices=list(OWN_MENTOR_WORDS.items()),
        required=False,
        widget=forms.RadioSelect,
    )
    pillars = forms.MultipleChoiceField(
        label=_("What would you like to talk about with a mentor?"),
        choices=INTEREST_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_interests = forms.CharField(
        label=_("Other things you like (for example cooking, football)"),
        help_text=_("Separate them with commas."),
        max_length=500,
        required=False,
    )
    availability = forms.MultipleChoiceField(
        label=_("When are you free to meet a mentor?"),
        choices=Volunteer.Availability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    meeting_place = forms.CharField(
        label=_("Where could you meet a mentor?"),
        help_text=_("A neighbourhood or town, never your home address."),
        max_length=100,
        required=False,
    )

    def clean_places(self) -> list[str]:
        return _codes(self.cleaned_data.get("places") or "")[:20]

    def clean_other_interests(self) -> list[str]:
        return _codes(self.cleaned_data.get("other_interests") or "")[:20]

    def service_data(self) -> dict[str, Any]:
        """The cleaned fields as `services.own_preference_update` takes them:
        the ticked pillars and the other interests are one list."""
        data = dict(self.cleaned_data)
        pillars, others = data.pop("pillars"), data.pop("other_interests")
        data["interests"] = [*pillars, *(x for x in others if x not in pillars)]
        return data

    @classmethod
    def initial_for(cls, pref: MatchingPreference | None) -> dict[str, Any]:
        if pref is None:
            return {}
        return {
            "kinds": pref.kinds,
            "places": ", ".join(pref.places),
            "available_from": pref.available_from,
            "mentor_gender": pref.mentor_gender,
            "pillars": [x for x in pref.interests if x in PILLAR_CODES],
            "other_interests": ", ".join(
                x for x in pref.interests if x not in PILLAR_CODES
            ),
            "availability": pref.availability,
            "meeting_place": pref.meeting_place,
        }

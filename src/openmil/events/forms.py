"""Staff forms for events, volunteers and mentoring; the API validates
through the same forms."""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from openmil.activities.models import Activity, Cohort
from openmil.activities.services import session_times
from openmil.core.models import Lab
from openmil.events.models import Event, Volunteer

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class EventForm(forms.Form):
    """An event on one day, its times on the lab's wall clock."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=Event.Kind.choices)
    description = forms.CharField(
        label=_("Description (Markdown)"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    day = forms.DateField(label=_("Day"), widget=DATE_WIDGET)
    start = forms.TimeField(label=_("Starts"), widget=TIME_WIDGET)
    end = forms.TimeField(label=_("Ends"), widget=TIME_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=100_000)
    activity = forms.ModelChoiceField(
        label=_("Part of the activity"),
        queryset=Activity.objects.none(),
        required=False,
    )
    cohort = forms.ModelChoiceField(
        label=_("For the cohort"), queryset=Cohort.objects.none(), required=False
    )

    def __init__(self, *args: Any, lab: Lab, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lab = lab
        self.fields["activity"].queryset = Activity.objects.filter(lab=lab)  # type: ignore[attr-defined]
        self.fields["cohort"].queryset = Cohort.objects.filter(  # type: ignore[attr-defined]
            activity__lab=lab
        ).select_related("activity")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and start and end:
            try:
                data["starts_at"], data["ends_at"] = session_times(
                    day=day, start=start, end=end, time_zone=self.lab.time_zone
                )
            except ValidationError as error:
                raise ValidationError(
                    {"end" if "end" in error.message_dict else "day": error.messages}
                ) from None
        return data

    @staticmethod
    def initial_from(event: Event) -> dict[str, Any]:
        import zoneinfo

        from django.utils import timezone

        zone = zoneinfo.ZoneInfo(event.lab.time_zone)
        starts = timezone.localtime(event.starts_at, zone)
        ends = timezone.localtime(event.ends_at, zone)
        return {
            "title": event.title,
            "kind": event.kind,
            "description": event.description,
            "day": starts.date(),
            "start": starts.time(),
            "end": ends.time(),
            "place": event.place,
            "capacity": event.capacity,
            "activity": event.activity_id,
            "cohort": event.cohort_id,
        }


class EventCreateForm(EventForm):
    publish = forms.BooleanField(
        label=_("Publish on the public site now"), required=False
    )


class CancelEventForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Cancel the event and tell every registered person"), required=True
    )


class StaffRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("Check-in code"), max_length=12)


class VolunteerTransitionForm(forms.Form):
    to_status = forms.ChoiceField(
        label=_("Next step"),
        choices=[
            (s, label)
            for s, label in Volunteer.Status.choices
            if s != Volunteer.Status.APPLIED
        ],
    )
    background_check_on = forms.DateField(
        label=_("Date of the background check"), required=False, widget=DATE_WIDGET
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class MentoringForm(forms.Form):
    max_mentees = forms.IntegerField(
        label=_("Mentees at most"), min_value=1, max_value=20
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=Volunteer.Gender.choices, required=False
    )


class VolunteerFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Every status")), *Volunteer.Status.choices],
        required=False,
    )


class PairForm(forms.Form):
    mentor = forms.IntegerField(label=_("Mentor"), min_value=1)
    participant = forms.IntegerField(
        label=_("Participant (record number)"), min_value=1
    )
    started_on = forms.DateField(
        label=_("Started on"), required=False, widget=DATE_WIDGET
    )


class MeetingForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=24 * 60
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_on(self) -> dt.date:
        return self.cleaned_data["on"]

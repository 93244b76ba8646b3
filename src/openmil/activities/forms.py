"""Forms for activity pages; the API validates through the same forms."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from openmil.activities.models import (
    FIRST_YEAR,
    LAST_YEAR,
    Activity,
    Attendance,
    Cohort,
)
from openmil.activities.selectors import staff_of_lab
from openmil.core.models import Lab
from openmil.core.pillars import Pillar

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class ActivityFilterForm(forms.Form):
    lab = forms.ModelChoiceField(
        label=_("Lab"), queryset=Lab.objects.none(), required=False
    )
    pillar = forms.ChoiceField(
        label=_("Pillar"),
        choices=[("", _("Every pillar")), *Pillar.choices],
        required=False,
    )

    def __init__(self, *args: Any, labs: QuerySet[Lab], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lab"].queryset = labs  # type: ignore[attr-defined]


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["title", "kind", "pillar", "organisation", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, lab: Lab, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.lab = lab
        self.fields["organisation"].queryset = lab.organisations.all()  # type: ignore[attr-defined]
        self.fields["organisation"].empty_label = _("The lab itself")  # type: ignore[attr-defined]


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name", "starts_on", "ends_on", "capacity", "target_newcomer_share"]
        widgets = {"starts_on": DATE_WIDGET, "ends_on": DATE_WIDGET}


class SessionForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    start = forms.TimeField(label=_("Starts"), widget=TIME_WIDGET)
    end = forms.TimeField(label=_("Ends"), widget=TIME_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    facilitator = StaffChoiceField(
        label=_("Facilitator"), queryset=Lab.objects.none(), required=False
    )

    def __init__(self, *args: Any, lab: Lab, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = staff_of_lab(lab_id=lab.pk)  # type: ignore[attr-defined]

    def clean_day(self) -> Any:
        day = self.cleaned_data["day"]
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s."),
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end is not after the start."))
        return data


class EnrolForm(forms.Form):
    participant = forms.IntegerField(
        label=_("Participant"), min_value=1, max_value=2**63 - 1
    )


class TargetShareForm(forms.Form):
    target_newcomer_share = forms.IntegerField(
        label=_("Target share of newcomers in each cohort (%)"),
        min_value=0,
        max_value=100,
    )


STATUS_CHOICES = [("", "—"), *Attendance.Status.choices]


class AttendanceCellForm(forms.Form):
    """One mark: the htmx cell of the attendance grid posts this."""

    participant = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)


def session_marks(data: Any, participant_ids: list[int]) -> dict[int, str]:
    """The marks of a whole-session form: fields named `p<participant id>`.

    Unknown values are kept, so the service refuses them with a reason.
    """
    marks = {}
    for pid in participant_ids:
        key = f"p{pid}"
        if key in data:
            marks[pid] = str(data.get(key, ""))[:20]
    return marks

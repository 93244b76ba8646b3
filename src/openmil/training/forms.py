"""Forms for the training pages; the API validates through the same forms."""

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.core.models import Lab
from openmil.participants.forms import DATE_WIDGET, StaffChoiceField
from openmil.training.models import Certification, Competency, Training
from openmil.training.selectors import competencies_for_lab, lab_staff_users


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class CompetencyForm(forms.ModelForm):
    class Meta:
        model = Competency
        fields = ["name", "description", "validity_months"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class TrainingForm(forms.ModelForm):
    attendees = StaffMultipleChoiceField(
        label=_("Followed by"),
        queryset=lab_staff_users(lab_id=0),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    class Meta:
        model = Training
        fields = ["title", "provider", "hours", "held_on", "competencies"]
        widgets = {
            "held_on": DATE_WIDGET,
            "competencies": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args: Any, lab: Lab, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["competencies"]).queryset = competencies_for_lab(
            lab_id=lab.pk
        )
        cast(Any, self.fields["attendees"]).queryset = lab_staff_users(lab_id=lab.pk)

    def service_data(self) -> dict[str, Any]:
        extra = ("competencies", "attendees")
        return {k: v for k, v in self.cleaned_data.items() if k not in extra}


class AttendeeForm(forms.Form):
    user = StaffChoiceField(label=_("Staff member"), queryset=lab_staff_users(lab_id=0))

    def __init__(self, *args: Any, lab: Lab, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["user"]).queryset = lab_staff_users(lab_id=lab.pk)


class CertificationForm(forms.ModelForm):
    class Meta:
        model = Certification
        fields = ["user", "competency", "certified_on", "expires_on", "training"]
        widgets = {"certified_on": DATE_WIDGET, "expires_on": DATE_WIDGET}
        field_classes = {"user": StaffChoiceField}
        help_texts = {
            "expires_on": _("Empty: the competency's period of validity applies.")
        }

    def __init__(self, *args: Any, lab: Lab, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.lab = lab
        cast(Any, self.fields["user"]).queryset = lab_staff_users(lab_id=lab.pk)
        cast(Any, self.fields["competency"]).queryset = competencies_for_lab(
            lab_id=lab.pk
        )
        cast(Any, self.fields["training"]).queryset = Training.objects.filter(lab=lab)

    def clean_certified_on(self) -> Any:
        day = self.cleaned_data.get("certified_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return day

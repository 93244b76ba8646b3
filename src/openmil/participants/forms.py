"""Forms for participant pages; the API validates through the same forms."""

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.classifications.models import Occupation
from openmil.core.codes import is_language, language_choices
from openmil.core.models import Lab, Organisation
from openmil.core.roles import Role
from openmil.participants.models import (
    Consent,
    LegalStatusCategory,
    Need,
    NeedType,
    Participant,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def lab_staff(lab: Lab) -> QuerySet[Any]:
    """Users who can own needs and caseloads in the lab."""
    return (
        get_user_model()
        .objects.filter(
            memberships__lab=lab,
            memberships__role__in=[Role.COORDINATOR, Role.FACILITATOR],
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class OccupationSelect(forms.SelectMultiple):
    """Renders only the chosen occupations; the page adds more by searching."""

    template_name = "participants/widgets/occupation_select.html"

    def optgroups(self, name: str, value: list[str], attrs: Any = None) -> Any:
        chosen = Occupation.objects.filter(pk__in=[v for v in value if v])
        return [
            (None, [self.create_option(name, o.pk, str(o), True, i)], i)
            for i, o in enumerate(chosen)
        ]


class ParticipantForm(forms.ModelForm):
    household_reference = forms.CharField(
        label=_("Household reference"),
        max_length=40,
        required=False,
        help_text=_("Members of one household share the same reference."),
    )
    other_languages = forms.MultipleChoiceField(
        label=_("Other languages"),
        choices=language_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    past_occupations = forms.ModelMultipleChoiceField(
        label=_("Past occupations (ESCO / ISCO-08)"),
        queryset=Occupation.objects.all(),
        required=False,
        widget=OccupationSelect,
    )

    class Meta:
        model = Participant
        fields = [*Participant.EDITABLE_FIELDS, "past_occupations"]
        widgets = {
            "birth_date": DATE_WIDGET,
            "arrival_date": DATE_WIDGET,
            "intake_date": DATE_WIDGET,
            "legal_status_detail": forms.Textarea(attrs={"rows": 2}),
            "health_notes": forms.Textarea(attrs={"rows": 2}),
            "case_notes": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"caseworker": StaffChoiceField}

    def __init__(
        self, *args: Any, lab: Lab, show_sensitive: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lab = lab
        cast(
            Any, self.fields["legal_status"]
        ).queryset = LegalStatusCategory.objects.filter(lab=lab)
        cast(Any, self.fields["caseworker"]).queryset = lab_staff(lab)
        if not show_sensitive:
            for name in Participant.SENSITIVE_FIELDS:
                del self.fields[name]
        if self.instance.pk and self.instance.household_id:
            self.initial.setdefault(
                "household_reference", self.instance.household.reference
            )
        for name in Participant.SENSITIVE_FIELDS:
            if name in self.fields:
                self.fields[name].widget.attrs["maxlength"] = 5000

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"].strip()
        clash = Participant.objects.filter(lab=self.lab, reference__iexact=reference)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("The reference %(reference)s is already used in this lab."),
                params={"reference": reference},
            )
        return reference

    def clean_other_languages(self) -> list[str]:
        codes = self.cleaned_data.get("other_languages") or []
        unknown = [c for c in codes if not is_language(c)]
        if unknown:
            raise forms.ValidationError(
                _("Unknown language code: %(codes)s"),
                params={"codes": ", ".join(unknown)},
            )
        return codes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("nationality") and data.get("stateless"):
            self.add_error("stateless", _("A stateless person has no nationality."))
        return data

    def service_data(self) -> dict[str, Any]:
        """Cleaned fields for the service, without the extra ones."""
        extra = {"household_reference", "past_occupations"}
        return {k: v for k, v in self.cleaned_data.items() if k not in extra}


class NeedForm(forms.ModelForm):
    class Meta:
        model = Need
        fields = ["need_type", "urgent", "status", "owner", "due_date", "notes"]
        widgets = {"due_date": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"owner": StaffChoiceField}

    def __init__(
        self, *args: Any, lab: Lab, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["owner"]).queryset = lab_staff(lab)
        cast(Any, self.fields["need_type"]).queryset = NeedType.objects.filter(
            lab__isnull=True
        ) | (NeedType.objects.filter(lab=lab))
        if editing:
            del self.fields["need_type"]


class TriageForm(forms.Form):
    """One row of the intake triage: does the person have this need?"""

    present = forms.BooleanField(label=_("Has this need"), required=False)
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=Need.Status.choices, initial=Need.Status.IDENTIFIED
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_WIDGET)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 1}),
    )

    def __init__(self, *args: Any, need_type: NeedType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.need_type = need_type

    def clean_due_date(self) -> Any:
        due = self.cleaned_data.get("due_date")
        if due and due.year < 1900:
            raise forms.ValidationError(_("This date is before 1900."))
        return due

    def need_data(self) -> dict[str, Any] | None:
        if not self.cleaned_data.get("present"):
            return None
        return {
            "need_type": self.need_type,
            "urgent": self.cleaned_data["urgent"],
            "status": self.cleaned_data["status"],
            "due_date": self.cleaned_data["due_date"],
            "notes": self.cleaned_data["notes"],
        }


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    partner_category = forms.ChoiceField(
        label=_("Partner category"),
        choices=[("", "—"), *Organisation.Kind.choices],
        required=False,
    )
    notice_version = forms.CharField(
        label=_("Version of the notice"), max_length=40, initial="2026-01"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("purpose") == Consent.Purpose.PARTNER_SHARING:
            if not data.get("partner_category"):
                self.add_error("partner_category", _("Choose the category of partner."))
        else:
            data["partner_category"] = ""
        return data


class FollowUpForm(forms.Form):
    due_on = forms.DateField(label=_("Due on"), widget=DATE_WIDGET)
    subject = forms.CharField(label=_("Subject"), max_length=200)

    def clean_due_on(self) -> Any:
        due = self.cleaned_data["due_on"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("This date is in the past."))
        return due


class ParticipantFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or reference"), required=False, max_length=100)
    lab = forms.ModelChoiceField(
        label=_("Lab"), queryset=Lab.objects.none(), required=False
    )
    profile = forms.ChoiceField(
        label=_("Profile"),
        choices=[("", _("All")), *Participant.Profile.choices],
        required=False,
    )
    mine = forms.BooleanField(label=_("Only my caseload"), required=False)

    def __init__(self, *args: Any, labs: QuerySet[Lab], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["lab"]).queryset = labs


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class ProtectionForm(forms.Form):
    """Who may see a protected case, and why it is protected."""

    staff = StaffMultipleChoiceField(
        label=_("Staff allowed on the case"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only these people will see the person anywhere in OpenMIL. Name at "
            "least one coordinator."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seen only by the staff allowed on the case."),
    )

    def __init__(self, *args: Any, lab: Lab, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["staff"]).queryset = lab_staff(lab)

"""Forms for pathway pages; the API validates through the same forms."""

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from openmil.classifications.models import IscoGroup
from openmil.core.codes import language_choices, language_name
from openmil.core.models import Lab
from openmil.participants.forms import DATE_WIDGET
from openmil.pathways.models import (
    Assessment,
    CivicModule,
    FollowUpSurvey,
    Goal,
    Pathway,
    PathwayTemplate,
    ReadinessCriterion,
    TemplateGoal,
)

TEXTAREA = forms.Textarea(attrs={"rows": 2})


class TemplateForm(forms.ModelForm):
    class Meta:
        model = PathwayTemplate
        fields = ["name", "description", "active"]
        widgets = {"description": TEXTAREA}


class TemplateGoalForm(forms.ModelForm):
    class Meta:
        model = TemplateGoal
        fields = ["pillar", "title", "milestones", "target_weeks"]
        widgets = {"milestones": TEXTAREA}


class CriterionForm(forms.ModelForm):
    class Meta:
        model = ReadinessCriterion
        fields = [
            "kind",
            "weight",
            "language",
            "skill",
            "cefr_level",
            "goal",
            "employment_status",
            "count",
        ]

    def __init__(self, *args: Any, template: PathwayTemplate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.template = template
        cast(Any, self.fields["goal"]).queryset = template.goals.all()
        cast(Any, self.fields["language"]).choices = _lab_languages(template.lab)


class CivicModuleForm(forms.Form):
    title = forms.CharField(label=_("Module"), max_length=200)


def _lab_languages(lab: Lab) -> list[tuple[str, str]]:
    """The lab's working languages first, then every other language."""
    own = [(c, language_name(c)) for c in lab.working_languages]
    rest = [(c, n) for c, n in language_choices() if c not in lab.working_languages]
    return [("", "—"), *own, *rest]


class PathwayCreateForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=PathwayTemplate.objects.none(),
        required=False,
        empty_label=_("No template: start empty"),
    )

    def __init__(self, *args: Any, lab: Lab, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["template"]).queryset = PathwayTemplate.objects.filter(
            lab=lab, active=True
        )


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["pillar", "title", "milestones", "target_date"]
        widgets = {"milestones": TEXTAREA, "target_date": DATE_WIDGET}

    def clean_target_date(self) -> Any:
        value = self.cleaned_data.get("target_date")
        if value and value.year < 1900:
            raise forms.ValidationError(_("This date is before 1900."))
        return value


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Goal.Status.choices)


def _assessment_label(assessment: Assessment) -> str:
    return (
        f"{date_format(assessment.assessed_on, 'SHORT_DATE_FORMAT')} "
        f"{assessment.get_kind_display()}: {assessment.summary}"
    )


class EvidenceForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=TEXTAREA
    )
    document = forms.FileField(label=_("Document"), required=False)
    assessment = forms.ModelChoiceField(
        label=_("Assessment"), queryset=Assessment.objects.none(), required=False
    )

    def __init__(self, *args: Any, participant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(Any, self.fields["assessment"])
        field.queryset = Assessment.objects.filter(
            participant=participant
        ).select_related("civic_module")
        field.label_from_instance = _assessment_label

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (
            (data.get("note") or "").strip()
            or data.get("document")
            or data.get("assessment")
        ):
            raise forms.ValidationError(_("Give a note, a document or an assessment."))
        return data


class AssessmentForm(forms.ModelForm):
    """The common fields; `for_kind` adds those of one kind of assessment."""

    class Meta:
        model = Assessment
        fields = [
            "assessed_on",
            "instrument",
            "assessor",
            "note",
            *sorted({f for fs in Assessment.FIELDS.values() for f in fs}),
        ]
        widgets = {"assessed_on": DATE_WIDGET, "note": TEXTAREA}

    def __init__(self, *args: Any, kind: str, lab: Lab, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = {*Assessment.COMMON, *Assessment.FIELDS[kind]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name in Assessment.REQUIRED[kind]:
            self.fields[name].required = True
        self.fields["assessed_on"].initial = timezone.localdate
        if "language" in self.fields:
            cast(Any, self.fields["language"]).choices = _lab_languages(lab)
            if lab.working_languages:
                self.fields["language"].initial = lab.working_languages[0]
        if "civic_module" in self.fields:
            cast(
                Any, self.fields["civic_module"]
            ).queryset = CivicModule.objects.filter(lab=lab)
        if "occupation" in self.fields:
            cast(Any, self.fields["occupation"]).queryset = IscoGroup.objects.all()
        self.instance.kind = kind

    def clean_assessed_on(self) -> Any:
        value = self.cleaned_data["assessed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        if value.year < 1900:
            raise forms.ValidationError(_("This date is before 1900."))
        return value

    def _post_clean(self) -> None:
        # The service runs the model's checks with the participant set.
        pass


class ExitForm(forms.ModelForm):
    class Meta:
        model = Pathway
        fields = ["exit_reason", "exit_date", "exit_note"]
        widgets = {"exit_date": DATE_WIDGET, "exit_note": TEXTAREA}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exit_reason"].required = True
        self.fields["exit_date"].required = True
        self.fields["exit_date"].initial = timezone.localdate

    def _post_clean(self) -> None:
        pass


class SurveyForm(forms.ModelForm):
    belonging = forms.TypedChoiceField(
        label=_("How strongly do you feel you belong here?"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("1 = not at all, 5 = very strongly"),
    )

    class Meta:
        model = FollowUpSurvey
        fields = list(FollowUpSurvey.ANSWER_FIELDS)
        labels = {
            "employment_status": _("What is your work situation?"),
            "income_band": _("What is your monthly income?"),
            "housing": _("Where do you live?"),
            "self_rated_health": _("How is your health in general?"),
            "residence_status": _("What is your residence status?"),
        }
        widgets = {
            "employment_status": forms.RadioSelect,
            "income_band": forms.RadioSelect,
            "housing": forms.RadioSelect,
            "self_rated_health": forms.RadioSelect,
            "residence_status": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            choices = getattr(field, "choices", None)
            if choices is not None:
                cast(Any, field).choices = [
                    c for c in choices if c[0] not in ("", None)
                ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(k) not in (None, "") for k in self.fields):
            raise forms.ValidationError(_("Answer at least one question."))
        return data

    def _post_clean(self) -> None:
        pass

"""Forms of the network pages."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from openmil.core.codes import country_choices, language_choices
from openmil.core.models import Lab
from openmil.core.pillars import Pillar
from openmil.indicators.registry import REGISTRY
from openmil.network.models import SDGS, MipexScore

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def _indicator_choices() -> list[tuple[str, str]]:
    return [(i, str(ind.name)) for i, ind in REGISTRY.items()]


class PracticeForm(forms.Form):
    lab = forms.ModelChoiceField(label=_("Lab to contact"), queryset=Lab.objects.none())
    language = forms.ChoiceField(label=_("Language of this version"))
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea)
    problem = forms.CharField(
        label=_("The problem"), widget=forms.Textarea, required=False
    )
    what_was_done = forms.CharField(
        label=_("What was done"), widget=forms.Textarea, required=False
    )
    resources = forms.CharField(
        label=_("Resources needed"), widget=forms.Textarea, required=False
    )
    results = forms.CharField(
        label=_("Results and evidence"), widget=forms.Textarea, required=False
    )
    pillar = forms.ChoiceField(label=_("Pillar"), choices=Pillar.choices)
    sdgs = forms.TypedMultipleChoiceField(
        label=_("SDGs"), choices=SDGS, coerce=int, required=False
    )
    countries = forms.MultipleChoiceField(label=_("Countries"), required=False)
    evidence_indicators = forms.MultipleChoiceField(
        label=_("Indicators showing the results"), required=False
    )

    def __init__(self, *args: Any, labs: QuerySet[Lab], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["lab"].queryset = labs  # type: ignore[attr-defined]
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]
        self.fields["countries"].choices = country_choices()  # type: ignore[attr-defined]
        self.fields["evidence_indicators"].choices = _indicator_choices()  # type: ignore[attr-defined]


class PracticeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    pillar = forms.ChoiceField(
        label=_("Pillar"), choices=[("", "—"), *Pillar.choices], required=False
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    sdg = forms.TypedChoiceField(
        label=_("SDG"),
        choices=[("", "—"), *SDGS],
        coerce=int,
        required=False,
        empty_value=None,
    )
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]
        self.fields["language"].choices = [("", "—"), *language_choices()]  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    lab = forms.ModelChoiceField(label=_("Asked by lab"), queryset=Lab.objects.none())
    text = forms.CharField(label=_("Question"), widget=forms.Textarea, max_length=4000)

    def __init__(self, *args: Any, labs: QuerySet[Lab], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["lab"].queryset = labs  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea, max_length=4000)


class AdoptionForm(forms.Form):
    lab = forms.ModelChoiceField(label=_("Adopting lab"), queryset=Lab.objects.none())
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, labs: QuerySet[Lab], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["lab"].queryset = labs  # type: ignore[attr-defined]


class MipexForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"))
    year = forms.IntegerField(label=_("Year"), min_value=2004, max_value=2100)
    strand = forms.ChoiceField(label=_("Strand"), choices=MipexScore.Strand.choices)
    score = forms.IntegerField(label=_("Score"), min_value=0, max_value=100)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()  # type: ignore[attr-defined]


class MipexImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: country, year, strand, score, source."),
    )


class PeriodForm(forms.Form):
    period = forms.RegexField(
        label=_("Period"), regex=r"^\d{4}(-Q[1-4]|-\d{2})?$", required=False
    )

"""Forms for venture pages; the API validates through the same forms."""

import re
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.classifications.models import Occupation
from openmil.core.models import Lab, Organisation
from openmil.participants.forms import DATE_WIDGET, OccupationSelect
from openmil.participants.models import Participant
from openmil.ventures.models import (
    Sector,
    Stage,
    Support,
    TerritorialNeed,
    Venture,
)


def _not_future(value: Any) -> Any:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."))
    if value and value.year < 1900:
        raise forms.ValidationError(_("This date is before 1900."))
    return value


class VentureForm(forms.ModelForm):
    founders_text = forms.CharField(
        label=_("Founders"),
        max_length=500,
        help_text=_("Participant references, separated by commas."),
    )

    class Meta:
        model = Venture
        fields = [
            "name",
            "sector",
            "description",
            "started_on",
            "revenue_band",
            "territorial_need",
        ]
        widgets = {
            "started_on": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self, *args: Any, lab: Lab, people: QuerySet[Participant], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lab, self.people = lab, people
        cast(
            Any, self.fields["territorial_need"]
        ).queryset = TerritorialNeed.objects.filter(lab=lab).order_by("title")
        if self.instance.pk:
            # Only the founders this user may see; the others are kept as they
            # are by the view (see selectors.hidden_founders).
            shown = getattr(self.instance, "visible_founders", [])
            self.initial.setdefault(
                "founders_text", ", ".join(p.reference for p in shown)
            )

    def clean_started_on(self) -> Any:
        return _not_future(self.cleaned_data.get("started_on"))

    def clean_founders_text(self) -> list[Participant]:
        refs = [
            r.strip()
            for r in re.split(r"[,;\n]", self.cleaned_data["founders_text"])
            if r.strip()
        ]
        if not refs:
            raise forms.ValidationError(_("A venture has at least one founder."))
        found = {
            p.reference.casefold(): p
            for p in self.people.filter(lab=self.lab, reference__in=refs)
        }
        missing = [r for r in refs if r.casefold() not in found]
        if missing:
            raise forms.ValidationError(
                _("No participant of this lab has the reference %(refs)s."),
                params={"refs": ", ".join(missing)},
            )
        return list({p.pk: p for p in found.values()}.values())

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "founders_text"}

    @property
    def founders(self) -> list[Participant]:
        return self.cleaned_data["founders_text"]


class TransitionForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("New stage"), choices=Stage.choices)
    on = forms.DateField(
        label=_("Date of the change"), required=False, widget=DATE_WIDGET
    )
    registration_date = forms.DateField(
        label=_("Registration date"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Required when the venture becomes registered."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, venture: Venture | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if venture is not None:
            choices = [(s, Stage(s).label) for s in venture.next_stages]
            cast(Any, self.fields["to_stage"]).choices = choices

    def clean_on(self) -> Any:
        return _not_future(self.cleaned_data.get("on"))

    def clean_registration_date(self) -> Any:
        return _not_future(self.cleaned_data.get("registration_date"))


class SupportForm(forms.ModelForm):
    class Meta:
        model = Support
        fields = ["kind", "provider", "on", "amount", "currency", "note"]
        widgets = {"on": DATE_WIDGET}

    def __init__(self, *args: Any, lab: Lab, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["provider"]).queryset = Organisation.objects.filter(
            lab=lab
        )

    def clean_on(self) -> Any:
        return _not_future(self.cleaned_data.get("on"))

    def clean_currency(self) -> str:
        code = (self.cleaned_data.get("currency") or "EUR").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise forms.ValidationError(_("Give a three-letter ISO 4217 code."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") in Support.WITH_AMOUNT and data.get("amount") is None:
            self.add_error("amount", _("Give the amount of this support."))
        return data


class JobsForm(forms.Form):
    jobs = forms.IntegerField(
        label=_("Jobs for people other than the founders"),
        min_value=0,
        max_value=100_000,
    )
    on = forms.DateField(label=_("Counted on"), required=False, widget=DATE_WIDGET)

    def clean_on(self) -> Any:
        return _not_future(self.cleaned_data.get("on"))


class VentureFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    lab = forms.ModelChoiceField(
        label=_("Lab"), queryset=Lab.objects.none(), required=False
    )
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("All")), *Stage.choices], required=False
    )
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", _("All")), *Sector.choices], required=False
    )

    def __init__(self, *args: Any, labs: QuerySet[Lab], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["lab"]).queryset = labs


class TerritorialNeedForm(forms.ModelForm):
    occupation = forms.ModelMultipleChoiceField(
        label=_("Occupation (ESCO / ISCO-08)"),
        queryset=Occupation.objects.all(),
        required=False,
        widget=OccupationSelect,
        help_text=_("For a shortage occupation: the one occupation in short supply."),
    )

    class Meta:
        model = TerritorialNeed
        fields = ["kind", "title", "description", "place", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.occupation_id:
            self.initial.setdefault("occupation", [self.instance.occupation_id])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = list(data.get("occupation") or [])
        if len(chosen) > 1:
            self.add_error("occupation", _("Choose one occupation."))
            return data
        occupation = chosen[0] if chosen else None
        if data.get("kind") == TerritorialNeed.Kind.SHORTAGE_OCCUPATION:
            if occupation is None:
                self.add_error(
                    "occupation", _("A shortage occupation names the occupation.")
                )
                return data
        elif occupation is not None:
            self.add_error(
                "occupation", _("Only a shortage occupation names an occupation.")
            )
            return data
        data["occupation"] = occupation
        return data

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    def _post_clean(self) -> None:
        # The occupation is not a model field of the form: set it for the
        # model's own checks, unless the form has refused it already.
        if "occupation" not in self.errors:
            self.instance.occupation = self.cleaned_data.get("occupation")
            super()._post_clean()  # type: ignore[misc]

"""Forms of the import pages."""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from openmil.core.models import Lab
from openmil.imports.importers import REGISTRY


class UploadForm(forms.Form):
    lab = forms.ModelChoiceField(label=_("Lab"), queryset=Lab.objects.none())
    kind = forms.ChoiceField(label=_("Rows of"), choices=())
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("The first row names the columns; download a template below."),
    )

    def __init__(self, *args: Any, labs: QuerySet[Lab], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["lab"]).queryset = labs
        self.fields["lab"].initial = labs.first()
        cast(Any, self.fields["kind"]).choices = [
            (kind, importer.label) for kind, importer in REGISTRY.items()
        ]


class ExportForm(forms.Form):
    lab = forms.ModelChoiceField(label=_("Lab"), queryset=Lab.objects.none())
    kind = forms.ChoiceField(label=_("Rows of"), choices=())
    format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX")]
    )

    def __init__(self, *args: Any, labs: QuerySet[Lab], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["lab"]).queryset = labs
        cast(Any, self.fields["kind"]).choices = [
            (kind, importer.label) for kind, importer in REGISTRY.items()
        ]

"""ISCO-08 groups and ESCO occupations (ESCO v1.1.1, © European Union)."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class IscoGroup(models.Model):
    code = models.CharField(_("ISCO-08 code"), max_length=4, primary_key=True)
    label = models.CharField(_("label"), max_length=255)

    class Meta:
        verbose_name = _("ISCO-08 group")
        verbose_name_plural = _("ISCO-08 groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def major_group(self) -> str:
        return self.code[:1]


class Occupation(models.Model):
    uuid = models.CharField(_("ESCO identifier"), max_length=36, primary_key=True)
    code = models.CharField(_("ESCO code"), max_length=40)
    isco_group = models.ForeignKey(
        IscoGroup,
        on_delete=models.PROTECT,
        related_name="occupations",
        verbose_name=_("ISCO-08 unit group"),
    )
    label = models.CharField(_("label"), max_length=255, db_index=True)

    class Meta:
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")
        ordering = ["label"]

    def __str__(self) -> str:
        return gettext("%(label)s (ISCO %(code)s)") % {
            "label": self.label,
            "code": self.isco_group_id,
        }

    @property
    def esco_uri(self) -> str:
        return f"http://data.europa.eu/esco/occupation/{self.uuid}"

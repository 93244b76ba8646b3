"""Duplicate detection runs, their candidate pairs, trained models, merges."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openmil.core.models import Lab, Network
from openmil.participants.models import Participant


class LinkageModel(models.Model):
    """The parameters of the linkage model trained on a network's records
    (m and u of every comparison level, and the prior)."""

    network = models.OneToOneField(
        Network, on_delete=models.CASCADE, related_name="linkage_model"
    )
    params = models.JSONField(default=dict)
    record_count = models.PositiveIntegerField(default=0)
    trained_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("linkage model")
        verbose_name_plural = _("linkage models")

    def __str__(self) -> str:
        return f"{self.network} ({self.record_count})"


class DedupRun(models.Model):
    """One search for duplicates across the records a user may see in a lab
    or in every lab of a network they work in."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    lab = models.ForeignKey(
        Lab,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for a search across the labs of the network."),
    )
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    record_count = models.PositiveIntegerField(_("records"), default=0)
    pair_count = models.PositiveIntegerField(_("pairs found"), default=0)
    seconds = models.FloatField(default=0)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("duplicate search")
        verbose_name_plural = _("duplicate searches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.network} {self.created_at:%Y-%m-%d}"


class DuplicateCandidate(models.Model):
    """Two records the model takes for one person. Shown only to users who
    may see both."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        DISMISSED = "dismissed", _("Not the same person")
        MERGED = "merged", _("Merged")

    run = models.ForeignKey(
        DedupRun, on_delete=models.CASCADE, related_name="candidates"
    )
    left = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField(_("probability"))
    match_weight = models.FloatField(default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )

    class Meta:
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        ordering = ["-probability", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "left", "right"], name="dedup_candidate_unique_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.left_id} ~ {self.right_id}"


class Merge(models.Model):
    """What a merge changed, so that it can be undone.

    `kept_before` is the kept record's fields before the merge;
    `removed_record` the removed participant and the rows that could not
    move (serialised); `moved` the ids of the rows moved, by model.
    """

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="+")
    kept = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="merges_kept"
    )
    removed_id = models.BigIntegerField()
    removed_reference = models.CharField(max_length=40)
    kept_before = models.JSONField(default=dict)
    removed_record = models.JSONField(default=list)
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.removed_reference} → {self.kept_id}"

"""Integration pathways: templates, goals, assessments, exit and follow-up surveys.

One pathway per participant, with goals on the four pillars running in
parallel. Assessments belong to the participant (they can precede the
pathway) and are never changed once recorded: a new level is a new row.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.classifications.models import IscoGroup
from openmil.core.codes import CefrLevel, language_choices
from openmil.core.display import ChoiceDisplayMixin
from openmil.core.fields import EncryptedTextField
from openmil.core.models import Lab
from openmil.core.pillars import Pillar
from openmil.participants.models import NOTES_MAX, Participant

TEXT_MAX = 2000


class CefrSkill(models.TextChoices):
    LISTENING = "listening", _("Listening")
    READING = "reading", _("Reading")
    SPOKEN_INTERACTION = "spoken_interaction", _("Spoken interaction")
    SPOKEN_PRODUCTION = "spoken_production", _("Spoken production")
    WRITING = "writing", _("Writing")


class EmploymentStatus(models.TextChoices):
    """ILO labour-force status."""

    EMPLOYED = "employed", _("Employed")
    UNEMPLOYED = "unemployed", _("Unemployed")
    INACTIVE = "inactive", _("Inactive")


class ContractType(models.TextChoices):
    PERMANENT = "permanent", _("Permanent contract")
    FIXED_TERM = "fixed_term", _("Fixed-term contract")
    TEMPORARY_AGENCY = "agency", _("Temporary agency work")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship or traineeship")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    INFORMAL = "informal", _("No written contract")


# ISCED 2011 levels: one list, the participant model's.
IscedLevel = Participant.Isced


class PathwayTemplate(models.Model):
    """A lab's model pathway: goals per pillar and readiness criteria."""

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="pathway_templates"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    active = models.BooleanField(_("offered for new pathways"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pathway template")
        verbose_name_plural = _("pathway templates")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "name"], name="pathway_template_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TemplateGoal(models.Model):
    template = models.ForeignKey(
        PathwayTemplate, on_delete=models.CASCADE, related_name="goals"
    )
    pillar = models.CharField(_("pillar"), max_length=20, choices=Pillar.choices)
    title = models.CharField(_("goal"), max_length=200)
    milestones = models.TextField(
        _("milestones"),
        blank=True,
        help_text=_("One per line."),
        validators=[MaxLengthValidator(TEXT_MAX)],
    )
    target_weeks = models.PositiveSmallIntegerField(
        _("target duration (weeks)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(260)],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("template goal")
        verbose_name_plural = _("template goals")
        ordering = ["pillar", "position", "id"]

    def __str__(self) -> str:
        return self.title


class CivicModule(models.Model):
    """One module of a lab's civic curriculum."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="civic_modules")
    title = models.CharField(_("module"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("civic module")
        verbose_name_plural = _("civic modules")
        ordering = ["position", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "title"], name="civic_module_unique_title"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ReadinessCriterion(ChoiceDisplayMixin, models.Model):
    """One weighted condition of a template's readiness score."""

    class Kind(models.TextChoices):
        CEFR = "cefr", _("CEFR level reached")
        GOAL = "goal", _("Goal achieved")
        EMPLOYMENT = "employment", _("Employment status")
        EDUCATION = "education", _("Enrolled in education or training")
        CIVIC_MODULES = "civic_modules", _("Civic modules completed")
        INTERCULTURAL = "intercultural", _("Intercultural participations")

    template = models.ForeignKey(
        PathwayTemplate, on_delete=models.CASCADE, related_name="criteria"
    )
    kind = models.CharField(_("criterion"), max_length=20, choices=Kind.choices)
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    language = models.CharField(
        _("language"), max_length=3, choices=language_choices, blank=True
    )
    skill = models.CharField(
        _("skill"), max_length=20, choices=CefrSkill.choices, blank=True
    )
    cefr_level = models.PositiveSmallIntegerField(
        _("at least level"), choices=CefrLevel.choices, null=True, blank=True
    )
    goal = models.ForeignKey(
        TemplateGoal,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="criteria",
        verbose_name=_("goal"),
    )
    employment_status = models.CharField(
        _("employment status"),
        max_length=12,
        choices=EmploymentStatus.choices,
        blank=True,
    )
    count = models.PositiveSmallIntegerField(
        _("at least"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )

    #: The parameters each kind needs.
    REQUIRED: dict[str, tuple[str, ...]] = {
        Kind.CEFR: ("language", "skill", "cefr_level"),
        Kind.GOAL: ("goal",),
        Kind.EMPLOYMENT: ("employment_status",),
        Kind.EDUCATION: (),
        Kind.CIVIC_MODULES: ("count",),
        Kind.INTERCULTURAL: ("count",),
    }

    class Meta:
        verbose_name = _("readiness criterion")
        verbose_name_plural = _("readiness criteria")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        errors = {}
        for name in self.REQUIRED.get(self.kind, ()):
            value = getattr(self, f"{name}_id" if name == "goal" else name)
            if value in (None, ""):
                errors[name] = _("This criterion needs this field.")
        if self.goal is not None and self.goal.template_id != self.template_id:
            errors["goal"] = _("This goal belongs to another template.")
        if errors:
            raise ValidationError(errors)

    @property
    def label(self) -> str:
        from openmil.core.codes import language_name

        if self.kind == self.Kind.CEFR and self.cefr_level is not None:
            return str(
                _("CEFR %(level)s in %(skill)s (%(language)s)")
                % {
                    "level": CefrLevel(self.cefr_level).label,
                    "skill": CefrSkill(self.skill).label if self.skill else "",
                    "language": language_name(self.language),
                }
            )
        if self.kind == self.Kind.GOAL and self.goal is not None:
            return str(_("Goal achieved: %(goal)s") % {"goal": self.goal.title})
        if self.kind == self.Kind.EMPLOYMENT and self.employment_status:
            return str(
                _("Employment status: %(status)s")
                % {"status": EmploymentStatus(self.employment_status).label}
            )
        if self.kind == self.Kind.CIVIC_MODULES:
            return str(_("Civic modules completed ≥ %(n)s") % {"n": self.count})
        if self.kind == self.Kind.INTERCULTURAL:
            return str(_("Intercultural participations ≥ %(n)s") % {"n": self.count})
        return str(self.get_kind_display())


class Pathway(ChoiceDisplayMixin, models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXITED = "exited", _("Exited")

    class ExitReason(models.TextChoices):
        GRADUATED = "graduated", _("Graduated")
        MOVED_AWAY = "moved_away", _("Moved away")
        DROPPED_OUT = "dropped_out", _("Dropped out")
        OTHER = "other", _("Other")

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="pathway"
    )
    template = models.ForeignKey(
        PathwayTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pathways",
        verbose_name=_("template"),
    )
    started_on = models.DateField(_("started on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    exit_reason = models.CharField(
        _("exit reason"), max_length=12, choices=ExitReason.choices, blank=True
    )
    exit_date = models.DateField(_("exit date"), null=True, blank=True)
    exit_note = EncryptedTextField(
        _("note"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="active", exit_date__isnull=True)
                | models.Q(status="exited", exit_date__isnull=False),
                name="pathway_exit_date_iff_exited",
            )
        ]

    def __str__(self) -> str:
        return str(_("Pathway of %(name)s") % {"name": self.participant})

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Goal(ChoiceDisplayMixin, models.Model):
    """A goal of one pathway, on one pillar; its status moves only by
    the transitions of `TRANSITIONS`."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        DROPPED = "dropped", _("Dropped")

    #: The only status changes allowed (docs/pathways.md shows the table).
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.PLANNED: (Status.IN_PROGRESS, Status.DROPPED),
        Status.IN_PROGRESS: (Status.ACHIEVED, Status.NOT_ACHIEVED, Status.DROPPED),
        Status.NOT_ACHIEVED: (Status.IN_PROGRESS,),
        Status.DROPPED: (Status.PLANNED,),
        Status.ACHIEVED: (),
    }

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="goals")
    template_goal = models.ForeignKey(
        TemplateGoal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pillar = models.CharField(_("pillar"), max_length=20, choices=Pillar.choices)
    title = models.CharField(_("goal"), max_length=200)
    milestones = models.TextField(
        _("milestones"),
        blank=True,
        help_text=_("One per line."),
        validators=[MaxLengthValidator(TEXT_MAX)],
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["pillar", "target_date", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def allowed_statuses(self) -> list[tuple[str, str]]:
        return [(s, str(self.Status(s).label)) for s in self.TRANSITIONS[self.status]]

    @property
    def milestone_list(self) -> list[str]:
        return [line.strip() for line in self.milestones.splitlines() if line.strip()]

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)
            and self.target_date
            and self.target_date < timezone.localdate()
        )


def evidence_path(instance: "Evidence", filename: str) -> str:
    return f"pathways/evidence/{instance.goal.pathway_id}/{filename}"


class Assessment(ChoiceDisplayMixin, models.Model):
    """One assessment on a standard scale; never changed once recorded."""

    class Kind(models.TextChoices):
        CEFR = "cefr", _("Language level (CEFR)")
        EMPLOYMENT = "employment", _("Employment status (ILO)")
        EDUCATION = "education", _("Education or training (ISCED 2011)")
        CIVIC = "civic", _("Civic module completed")
        INTERCULTURAL = "intercultural", _("Intercultural participation")

    class Participation(models.TextChoices):
        ACTIVITY = "activity", _("Activity")
        MENTORING = "mentoring", _("Mentoring")

    #: The fields each kind records besides the common ones.
    FIELDS: dict[str, tuple[str, ...]] = {
        Kind.CEFR: ("language", "skill", "cefr_level"),
        Kind.EMPLOYMENT: (
            "employment_status",
            "contract_type",
            "hours_per_week",
            "occupation",
        ),
        Kind.EDUCATION: ("isced_level", "programme"),
        Kind.CIVIC: ("civic_module",),
        Kind.INTERCULTURAL: ("participation",),
    }
    REQUIRED: dict[str, tuple[str, ...]] = {
        Kind.CEFR: ("language", "skill", "cefr_level"),
        Kind.EMPLOYMENT: ("employment_status",),
        Kind.EDUCATION: ("isced_level",),
        Kind.CIVIC: ("civic_module",),
        Kind.INTERCULTURAL: ("participation",),
    }
    COMMON = ("assessed_on", "instrument", "assessor", "note")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="assessments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    assessed_on = models.DateField(_("date"))
    instrument = models.CharField(
        _("instrument"),
        max_length=200,
        blank=True,
        help_text=_("Test, certificate, document or method used."),
    )
    assessor = models.CharField(_("assessor"), max_length=200, blank=True)
    note = EncryptedTextField(
        _("note"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    language = models.CharField(
        _("language"), max_length=3, choices=language_choices, blank=True
    )
    skill = models.CharField(
        _("skill"), max_length=20, choices=CefrSkill.choices, blank=True
    )
    cefr_level = models.PositiveSmallIntegerField(
        _("CEFR level"), choices=CefrLevel.choices, null=True, blank=True
    )
    employment_status = models.CharField(
        _("employment status"),
        max_length=12,
        choices=EmploymentStatus.choices,
        blank=True,
    )
    contract_type = models.CharField(
        _("contract type"), max_length=16, choices=ContractType.choices, blank=True
    )
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week"), null=True, blank=True, validators=[MaxValueValidator(98)]
    )
    occupation = models.ForeignKey(
        IscoGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("occupation (ISCO-08)"),
    )
    isced_level = models.PositiveSmallIntegerField(
        _("ISCED 2011 level"), choices=IscedLevel.choices, null=True, blank=True
    )
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    civic_module = models.ForeignKey(
        CivicModule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="completions",
        verbose_name=_("civic module"),
    )
    participation = models.CharField(
        _("participation"), max_length=10, choices=Participation.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(
                fields=["participant", "kind", "assessed_on"],
                name="assessment_participant_kind",
            ),
            models.Index(fields=["kind", "assessed_on"], name="assessment_kind_on"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.summary}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name in self.REQUIRED.get(self.kind, ()):
            value = getattr(self, f"{name}_id" if name in _FK_FIELDS else name)
            if value in (None, ""):
                errors[name] = str(_("This field is required."))
        if self.assessed_on and self.assessed_on > timezone.localdate():
            errors["assessed_on"] = str(_("This date is in the future."))
        if self.assessed_on and self.assessed_on.year < 1900:
            errors["assessed_on"] = str(_("This date is before 1900."))
        if (
            self.civic_module is not None
            and self.participant_id
            and self.civic_module.lab_id != self.participant.lab_id
        ):
            errors["civic_module"] = str(_("This module belongs to another lab."))
        if errors:
            raise ValidationError(errors)

    @property
    def summary(self) -> str:
        """The result in a few words, for lists and the timeline."""
        from openmil.core.codes import language_name

        if self.kind == self.Kind.CEFR and self.cefr_level is not None:
            return (
                f"{language_name(self.language)} · {self.get_skill_display()}: "
                f"{self.get_cefr_level_display()}"
            )
        if self.kind == self.Kind.EMPLOYMENT:
            parts = [str(self.get_employment_status_display())]
            if self.contract_type:
                parts.append(str(self.get_contract_type_display()))
            if self.hours_per_week is not None:
                parts.append(str(_("%(h)s h/week") % {"h": self.hours_per_week}))
            if self.occupation_id:
                parts.append(f"ISCO {self.occupation_id}")
            return " · ".join(parts)
        if self.kind == self.Kind.EDUCATION and self.isced_level is not None:
            label = str(IscedLevel(self.isced_level).label)
            return f"{label} · {self.programme}" if self.programme else label
        if self.kind == self.Kind.CIVIC and self.civic_module_id:
            return str(self.civic_module)
        if self.kind == self.Kind.INTERCULTURAL:
            return str(self.get_participation_display())
        return ""

    @property
    def when(self) -> dt.datetime:
        return self.created_at


_FK_FIELDS = {"civic_module", "occupation", "goal"}


class Evidence(ChoiceDisplayMixin, models.Model):
    """What shows progress on a goal: a note, a document, or an assessment."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="evidence")
    note = EncryptedTextField(
        _("note"), blank=True, validators=[MaxLengthValidator(NOTES_MAX)]
    )
    document = models.FileField(_("document"), upload_to=evidence_path, blank=True)
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("assessment"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-added_at", "-id"]

    def __str__(self) -> str:
        if self.assessment_id:
            return str(self.assessment)
        if self.document:
            return self.document_name
        return self.note[:80]

    @property
    def document_name(self) -> str:
        return (self.document.name or "").rsplit("/", 1)[-1]


class PathwayEvent(ChoiceDisplayMixin, models.Model):
    """One line of a pathway's timeline (assessments are read from their table)."""

    class Kind(models.TextChoices):
        STARTED = "started", _("Pathway started")
        GOAL_ADDED = "goal_added", _("Goal added")
        GOAL_CHANGED = "goal_changed", _("Goal changed")
        GOAL_STATUS = "goal_status", _("Goal status changed")
        GOAL_REMOVED = "goal_removed", _("Goal removed")
        EVIDENCE = "evidence", _("Evidence added")
        EXITED = "exited", _("Pathway ended")
        SURVEY_SENT = "survey_sent", _("Follow-up survey sent")
        SURVEY_ANSWERED = "survey_answered", _("Follow-up survey answered")

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    subject = models.CharField(max_length=200, blank=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)

    class Meta:
        verbose_name = _("pathway event")
        verbose_name_plural = _("pathway events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject}"

    @property
    def when(self) -> dt.datetime:
        return self.at

    @property
    def from_label(self) -> str:
        return _status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return _status_label(self.to_status)


def _status_label(value: str) -> str:
    if value in Goal.Status.values:
        return str(Goal.Status(value).label)
    return value


class FollowUpSurvey(ChoiceDisplayMixin, models.Model):
    """A survey 3, 6 or 12 months after exit, scheduled when the pathway ends."""

    MONTHS = (3, 6, 12)
    #: Days after the due date before an unanswered survey counts as overdue.
    GRACE_DAYS = 14
    #: Days a personal link stays valid.
    LINK_DAYS = 30

    class IncomeBand(models.TextChoices):
        NONE = "none", _("No income")
        BELOW_MINIMUM = "below_minimum", _("Below the minimum wage")
        AROUND_MINIMUM = "around_minimum", _("Around the minimum wage")
        ABOVE_MINIMUM = "above_minimum", _("Above the minimum wage")
        NOT_SAID = "not_said", _("Prefer not to say")

    class Housing(models.TextChoices):
        OWN_OR_RENTED = "own_or_rented", _("Own or rented home")
        SHARED = "shared", _("Shared or with family or friends")
        SUPPORTED = "supported", _("Reception centre or supported housing")
        PRECARIOUS = "precarious", _("Emergency shelter or no stable home")

    class Health(models.IntegerChoices):
        VERY_BAD = 1, _("Very bad")
        BAD = 2, _("Bad")
        FAIR = 3, _("Fair")
        GOOD = 4, _("Good")
        VERY_GOOD = 5, _("Very good")

    class Residence(models.TextChoices):
        ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
        TEMPORARY = "temporary", _("Temporary residence permit")
        PERMANENT = "permanent", _("Permanent or long-term residence")
        CITIZEN = "citizen", _("Citizen of this country")
        NO_PERMIT = "no_permit", _("No permit")
        NOT_SAID = "not_said", _("Prefer not to say")

    class Channel(models.TextChoices):
        STAFF = "staff", _("Facilitator")
        PARTICIPANT = "participant", _("Participant, through the personal link")

    ANSWER_FIELDS = (
        "employment_status",
        "income_band",
        "housing",
        "self_rated_health",
        "belonging",
        "residence_status",
    )

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="surveys"
    )
    months = models.PositiveSmallIntegerField(_("months after exit"))
    due_on = models.DateField(_("due on"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    token_digest = models.CharField(max_length=64, blank=True, db_index=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(
        _("answered by"), max_length=12, choices=Channel.choices, blank=True
    )
    employment_status = models.CharField(
        _("employment status"),
        max_length=12,
        choices=EmploymentStatus.choices,
        blank=True,
    )
    income_band = models.CharField(
        _("income"), max_length=16, choices=IncomeBand.choices, blank=True
    )
    housing = models.CharField(
        _("housing situation"), max_length=16, choices=Housing.choices, blank=True
    )
    self_rated_health = models.PositiveSmallIntegerField(
        _("health in general"), choices=Health.choices, null=True, blank=True
    )
    belonging = models.PositiveSmallIntegerField(
        _("sense of belonging"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 = not at all, 5 = very strongly"),
    )
    residence_status = models.CharField(
        _("residence or citizenship status"),
        max_length=16,
        choices=Residence.choices,
        blank=True,
    )

    class Meta:
        verbose_name = _("follow-up survey")
        verbose_name_plural = _("follow-up surveys")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "months"], name="survey_unique_months"
            )
        ]
        indexes = [
            models.Index(fields=["answered_at", "due_on"], name="survey_open_due")
        ]

    def __str__(self) -> str:
        return str(_("Follow-up at %(months)s months") % {"months": self.months})

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    def is_due(self, today: dt.date | None = None) -> bool:
        day = today or timezone.localdate()
        return not self.is_answered and self.due_on <= day

    def is_overdue(self, today: dt.date | None = None) -> bool:
        day = today or timezone.localdate()
        return not self.is_answered and self.due_on < day - dt.timedelta(
            days=self.GRACE_DAYS
        )

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def due(self) -> bool:
        return self.is_due()

"""Pathway pages: thin wrappers over selectors, services and forms."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from openmil.core import access
from openmil.core.audit import audit_record
from openmil.core.forms import attach_errors, flash_form_errors
from openmil.core.models import AuditEntry
from openmil.core.roles import Perm
from openmil.participants import selectors as participant_selectors
from openmil.participants.models import Consent, Participant
from openmil.pathways import selectors, services
from openmil.pathways.forms import (
    AssessmentForm,
    CivicModuleForm,
    CriterionForm,
    EvidenceForm,
    ExitForm,
    GoalForm,
    PathwayCreateForm,
    SurveyForm,
    TemplateForm,
    TemplateGoalForm,
    TransitionForm,
)
from openmil.pathways.models import Assessment
from openmil.pathways.tasks import survey_language, survey_url


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST, even an empty one; None for a GET."""
    return request.POST if request.method == "POST" else None


def _staff_only(request: HttpRequest) -> None:
    if not access.is_staff_user(request.user):
        raise Http404


def _submit(
    request: HttpRequest,
    form: Any,
    write: Callable[[dict[str, Any]], object],
    done: str,
) -> bool:
    """Validate a small form posted from a page and write it; the errors
    and the outcome become messages on the page it returns to."""
    if not form.is_valid():
        flash_form_errors(request, form)
        return False
    try:
        write(form.cleaned_data)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, done)
    return True


def _to_pathway(participant_id: int, anchor: str = "") -> HttpResponse:
    response = redirect("pathways:detail", participant_id=participant_id)
    response["Location"] += anchor
    return response


def _editable(request: HttpRequest, lab_id: int) -> None:
    if not access.can(request.user, Perm.EDIT_PERSONAL, lab_id):
        raise Http404


# Templates ----------------------------------------------------------------------


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    labs = list(selectors.managed_labs(user=request.user))
    if not labs:
        _staff_only(request)
    templates = list(selectors.template_list(user=request.user))
    form = TemplateForm(_posted(request))
    lab_choice = request.POST.get("lab", "")
    if request.method == "POST":
        lab = next((lab for lab in labs if str(lab.pk) == lab_choice), None)
        if lab is None:
            raise Http404
        if form.is_valid():
            try:
                template = services.template_create(
                    actor=request.user, lab=lab, data=form.cleaned_data
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("The template is created."))
                return redirect("pathways:template_edit", template_id=template.pk)
    manageable = {lab.pk for lab in labs}
    return render(
        request,
        "pathways/template_list.html",
        {
            "templates": templates,
            "form": form if labs else None,
            "labs": labs,
            "manageable": manageable,
        },
    )


@login_required
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = selectors.template_get(user=request.user, template_id=template_id)
    can_manage = access.can(request.user, Perm.MANAGE_LAB, template.lab_id)
    form = TemplateForm(_posted(request), instance=template)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            try:
                services.template_update(
                    actor=request.user, template=template, data=form.cleaned_data
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect("pathways:template_edit", template_id=template.pk)
        template.refresh_from_db()
    context = {
        "template": template,
        "can_manage": can_manage,
        "form": form,
        "goals": template.goals.order_by("pillar", "position", "id"),
        "criteria": template.criteria.select_related("goal"),
        "goal_form": TemplateGoalForm(prefix="goal") if can_manage else None,
        "criterion_form": (
            CriterionForm(template=template, prefix="criterion") if can_manage else None
        ),
    }
    return render(request, "pathways/template_edit.html", context)


@login_required
@require_POST
def template_goal_add(request: HttpRequest, template_id: int) -> HttpResponse:
    template = selectors.template_get(
        user=request.user, template_id=template_id, manage=True
    )
    form = TemplateGoalForm(request.POST, prefix="goal")
    _submit(
        request,
        form,
        lambda data: services.template_goal_add(
            actor=request.user, template=template, data=data
        ),
        _("The goal is added to the template."),
    )
    return redirect("pathways:template_edit", template_id=template.pk)


@login_required
@require_POST
def template_goal_remove(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = selectors.template_goal_get(user=request.user, goal_id=goal_id)
    template_id = goal.template_id
    services.template_goal_remove(actor=request.user, goal=goal)
    messages.success(request, _("The goal is removed from the template."))
    return redirect("pathways:template_edit", template_id=template_id)


@login_required
@require_POST
def criterion_add(request: HttpRequest, template_id: int) -> HttpResponse:
    template = selectors.template_get(
        user=request.user, template_id=template_id, manage=True
    )
    form = CriterionForm(request.POST, template=template, prefix="criterion")
    _submit(
        request,
        form,
        lambda data: services.criterion_add(
            actor=request.user, template=template, data=data
        ),
        _("The criterion is added."),
    )
    return redirect("pathways:template_edit", template_id=template.pk)


@login_required
@require_POST
def criterion_remove(request: HttpRequest, criterion_id: int) -> HttpResponse:
    criterion = selectors.criterion_get(user=request.user, criterion_id=criterion_id)
    template_id = criterion.template_id
    services.criterion_remove(actor=request.user, criterion=criterion)
    messages.success(request, _("The criterion is removed."))
    return redirect("pathways:template_edit", template_id=template_id)


@login_required
def civic_modules(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.MANAGE_LAB)
    form = CivicModuleForm(_posted(request))
    if request.method == "POST" and _submit(
        request,
        form,
        lambda data: services.civic_module_create(
            actor=request.user, lab=lab, title=data["title"]
        ),
        _("The module is added."),
    ):
        return redirect("pathways:civic_modules", lab_id=lab.pk)
    return render(
        request,
        "pathways/civic_modules.html",
        {
            "lab": lab,
            "modules": selectors.civic_modules_for_lab(lab_id=lab.pk),
            "form": form,
        },
    )


# The pathway page -----------------------------------------------------------------


@login_required
def pathway_detail(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = participant_selectors.participant_get(
        user=request.user, participant_id=participant_id
    )
    can_edit = access.can(request.user, Perm.EDIT_PERSONAL, participant.lab_id)
    page = selectors.pathway_page(participant=participant)
    active = bool(page.pathway and page.pathway.is_active and can_edit)
    context = {
        "p": participant,
        "page": page,
        "pathway": page.pathway,
        "can_edit": can_edit,
        "active": active,
        "kinds": Assessment.Kind.choices,
        "follow_up_consent": page.surveys
        and participant_selectors.consent_is_active(
            participant=participant, purpose=Consent.Purpose.FOLLOW_UP
        ),
        "blockers": (
            participant_selectors.pathway_blockers(participant=participant)
            if page.pathway is None and participant.pathway_started_on is None
            else []
        ),
        "create_form": (
            PathwayCreateForm(lab=participant.lab)
            if page.pathway is None and can_edit
            else None
        ),
        "goal_form": GoalForm(prefix="goal") if active else None,
    }
    return render(request, "pathways/detail.html", context)


@login_required
@require_POST
def pathway_create(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = participant_selectors.participant_get_for_edit(
        user=request.user, participant_id=participant_id
    )
    form = PathwayCreateForm(request.POST, lab=participant.lab)
    _submit(
        request,
        form,
        lambda data: services.pathway_create(
            actor=request.user, participant=participant, template=data["template"]
        ),
        _("The pathway is built."),
    )
    return _to_pathway(participant.pk)


@login_required
@require_POST
def goal_add(request: HttpRequest, participant_id: int) -> HttpResponse:
    pathway = selectors.pathway_get(user=request.user, participant_id=participant_id)
    _editable(request, pathway.participant.lab_id)
    form = GoalForm(request.POST, prefix="goal")
    _submit(
        request,
        form,
        lambda data: services.goal_add(actor=request.user, pathway=pathway, data=data),
        _("The goal is added."),
    )
    return _to_pathway(participant_id, "#goals")


@login_required
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get(user=request.user, goal_id=goal_id)
    participant = goal.pathway.participant
    _editable(request, participant.lab_id)
    form = GoalForm(_posted(request), instance=goal)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(actor=request.user, goal=goal, data=form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The goal is updated."))
            return _to_pathway(participant.pk, "#goals")
    goal.refresh_from_db()
    if request.method == "GET":
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.VIEW,
            object_type="goal",
            object_id=goal.pk,
            participant=participant,
            detail="edit form",
        )
    return render(
        request,
        "pathways/goal_form.html",
        {"form": form, "goal": goal, "p": participant},
    )


@login_required
@require_POST
def goal_transition(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get(user=request.user, goal_id=goal_id)
    participant_id = goal.pathway.participant_id
    _editable(request, goal.pathway.participant.lab_id)
    form = TransitionForm(request.POST)
    _submit(
        request,
        form,
        lambda data: services.goal_transition(
            actor=request.user, goal=goal, status=data["status"]
        ),
        _("The goal's status is changed."),
    )
    return _to_pathway(participant_id, f"#goal-{goal.pk}")


@login_required
@require_POST
def goal_remove(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get(user=request.user, goal_id=goal_id)
    participant_id = goal.pathway.participant_id
    _editable(request, goal.pathway.participant.lab_id)
    try:
        services.goal_remove(actor=request.user, goal=goal)
        messages.success(request, _("The goal is removed."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return _to_pathway(participant_id, "#goals")


@login_required
def evidence_add(request: HttpRequest, goal_id: int) -> HttpResponse:
    """A goal's evidence: a note, a document or one of the person's
    assessments, on a page of its own so the pathway page stays light."""
    goal = selectors.goal_get(user=request.user, goal_id=goal_id)
    participant = goal.pathway.participant
    _editable(request, participant.lab_id)
    form = EvidenceForm(
        _posted(request),
        request.FILES or None,
        participant=participant,
        prefix="evidence",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_add(
                actor=request.user,
                goal=goal,
                note=form.cleaned_data["note"],
                document=form.cleaned_data["document"],
                assessment=form.cleaned_data["assessment"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The evidence is added."))
            return _to_pathway(participant.pk, f"#goal-{goal.pk}")
    if request.method == "GET":
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.VIEW,
            object_type="goal",
            object_id=goal.pk,
            participant=participant,
            detail="evidence form",
        )
    return render(
        request,
        "pathways/evidence_form.html",
        {"form": form, "goal": goal, "p": participant},
    )


@login_required
def evidence_document(request: HttpRequest, evidence_id: int) -> FileResponse:
    """The uploaded document, to people who may see the participant only."""
    evidence = selectors.evidence_get(user=request.user, evidence_id=evidence_id)
    if not evidence.document:
        raise Http404
    participant = evidence.goal.pathway.participant
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.VIEW,
        object_type="evidence",
        object_id=evidence.pk,
        participant=participant,
        detail="document downloaded",
    )
    try:
        handle = evidence.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=evidence.document_name)


# Assessments ----------------------------------------------------------------------


@login_required
def assessment_add(
    request: HttpRequest, participant_id: int, kind: str
) -> HttpResponse:
    if kind not in Assessment.Kind.values:
        raise Http404
    participant = participant_selectors.participant_get_for_edit(
        user=request.user, participant_id=participant_id, audit=request.method == "GET"
    )
    form = AssessmentForm(_posted(request), kind=kind, lab=participant.lab)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_record(
                actor=request.user,
                participant=participant,
                kind=kind,
                data=form.cleaned_data,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The assessment is recorded."))
            return _to_pathway(participant.pk, "#assessments")
    return render(
        request,
        "pathways/assessment_form.html",
        {
            "form": form,
            "p": participant,
            "kind_label": Assessment.Kind(kind).label,
            "no_modules": kind == Assessment.Kind.CIVIC
            and not selectors.civic_modules_for_lab(lab_id=participant.lab_id).exists(),
        },
    )


# Exit and follow-up surveys ----------------------------------------------------------


@login_required
def pathway_exit(request: HttpRequest, participant_id: int) -> HttpResponse:
    pathway = selectors.pathway_get(user=request.user, participant_id=participant_id)
    participant = pathway.participant
    _editable(request, participant.lab_id)
    form = ExitForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.pathway_exit(
                actor=request.user, pathway=pathway, data=form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("The pathway has ended. Follow-up surveys are planned."),
            )
            return _to_pathway(participant.pk)
    if request.method == "GET":
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.VIEW,
            object_type="pathway",
            object_id=pathway.pk,
            participant=participant,
            detail="exit form",
        )
    return render(
        request,
        "pathways/exit_form.html",
        {"form": form, "p": participant, "pathway": pathway},
    )


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    mine = request.GET.get("all") != "1"
    surveys = list(selectors.surveys_open(user=request.user, mine=mine)[:200])
    participant_selectors.participant_list_audit(
        user=request.user,
        participants=list(
            {s.pathway.participant_id: s.pathway.participant for s in surveys}.values()
        ),
    )
    return render(
        request, "pathways/survey_list.html", {"surveys": surveys, "mine": mine}
    )


@login_required
def survey_answer(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=survey_id)
    participant = survey.pathway.participant
    _editable(request, participant.lab_id)
    form = SurveyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(
                actor=request.user, survey=survey, data=form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The answers are saved."))
            return _to_pathway(participant.pk, "#surveys")
    if request.method == "GET":
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.VIEW,
            object_type="follow_up_survey",
            object_id=survey.pk,
            participant=participant,
        )
    return render(
        request,
        "pathways/survey_answer.html",
        {"form": form, "survey": survey, "p": participant},
    )


@login_required
@require_POST
def survey_link(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Issue a personal link to hand over (SMS, messaging), shown once."""
    survey = selectors.survey_get(user=request.user, survey_id=survey_id)
    participant = survey.pathway.participant
    _editable(request, participant.lab_id)
    try:
        raw = services.survey_link_issue(actor=request.user, survey=survey)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Personal link, valid for 30 days and one answer: %(url)s")
            % {"url": survey_url(raw)},
        )
    return _to_pathway(participant.pk, "#surveys")


@never_cache
def survey_public(request: HttpRequest, token: str) -> HttpResponse:
    """The participant answers through their personal link, without an account."""
    survey = selectors.survey_by_token(digest=services.token_digest(token[:100]))
    languages = dict(settings.STAFF_LANGUAGES)
    wanted = request.GET.get("lang", "")
    if survey is None:
        language = wanted if wanted in languages else translation.get_language()
        with translation.override(language):
            return render(
                request,
                "pathways/survey_public_gone.html",
                {"lang": language},
                status=404,
            )
    participant: Participant = survey.pathway.participant
    language = wanted if wanted in languages else survey_language(participant)
    with translation.override(language):
        form = SurveyForm(_posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                services.survey_answer(
                    actor=None,
                    survey=survey,
                    data=form.cleaned_data,
                    by_participant=True,
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                return render(request, "pathways/survey_public_done.html", {})
        return render(
            request,
            "pathways/survey_public.html",
            {
                "form": form,
                "survey": survey,
                "first_name": participant.given_name,
                "languages": settings.STAFF_LANGUAGES,
                "lang": language,
            },
        )

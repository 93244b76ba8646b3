"""Staff pages of the public site: the moderation queue and the
recommendations tracker (lab scoped, sign-in required)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.core import access
from openmil.core.forms import flash_error, flash_form_errors
from openmil.core.roles import Perm
from openmil.public import selectors, services
from openmil.public.forms import (
    EvidenceForm,
    ModerationForm,
    RecommendationForm,
    ReportHandleForm,
    StatusForm,
    pillar_label,
)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    context = selectors.moderation_queue(user=request.user)
    return render(request, "public/staff/queue.html", context)


@login_required
def project_moderate(request: HttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_for_moderator(user=request.user, project_id=project_id)
    form = ModerationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.project_moderate(
                    actor=request.user,
                    project=project,
                    approve=form.cleaned_data["decision"] == "approve",
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                flash_error(request, error)
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect("moderation:queue")
        else:
            flash_form_errors(request, form)
    return render(
        request,
        "public/staff/project.html",
        {
            "project": project,
            "pillars": [pillar_label(code) for code in project.pillars],
            "form": form,
            "reports": project.reports.all(),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def project_block_owner(request: HttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_for_moderator(user=request.user, project_id=project_id)
    try:
        services.citizen_block(actor=request.user, project=project)
    except ValidationError as error:
        flash_error(request, error)
        return redirect("moderation:project", project_id=project.pk)
    messages.success(request, _("The account is blocked."))
    return redirect("moderation:queue")


@login_required
@require_POST
def report_handle(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_for_moderator(user=request.user, report_id=report_id)
    form = ReportHandleForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("moderation:queue")
    try:
        services.report_handle(
            actor=request.user,
            report=report,
            uphold=form.cleaned_data["decision"] == "uphold",
        )
    except ValidationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("The report is handled."))
    return redirect("moderation:queue")


# ---------------------------------------------------------------------------
# Recommendations tracker.


@login_required
def recommendation_list(request: HttpRequest) -> HttpResponse:
    recommendations = selectors.recommendations_for_staff(user=request.user)
    return render(
        request,
        "public/staff/recommendations.html",
        {"recommendations": recommendations},
    )


@login_required
def recommendation_create(request: HttpRequest) -> HttpResponse:
    selectors.recommendations_for_staff(user=request.user)  # 404 without the right
    labs = access.labs_with(request.user, Perm.MANAGE_RECOMMENDATIONS)
    form = RecommendationForm(request.POST or None, labs=labs)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        lab = data.pop("lab")
        recommendation = services.recommendation_create(
            actor=request.user, lab=lab, **data
        )
        messages.success(request, _("The recommendation is recorded."))
        return redirect("recommendations:detail", recommendation_id=recommendation.pk)
    return render(
        request,
        "public/staff/recommendation_form.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def recommendation_detail(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = selectors.recommendation_for_staff(
        user=request.user, recommendation_id=recommendation_id
    )
    labs = access.labs_with(request.user, Perm.MANAGE_RECOMMENDATIONS)
    form = RecommendationForm(
        request.POST or None,
        labs=labs.filter(pk=recommendation.lab_id),
        initial={
            "lab": recommendation.lab_id,
            "title": recommendation.title,
            "body": recommendation.body,
            "addressed_to": recommendation.addressed_to,
            "language": recommendation.language,
        },
    )
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("lab")
            services.recommendation_update(
                actor=request.user, recommendation=recommendation, **data
            )
            messages.success(request, _("The recommendation is saved."))
            return redirect(
                "recommendations:detail", recommendation_id=recommendation.pk
            )
        flash_form_errors(request, form)
    return render(
        request,
        "public/staff/recommendation.html",
        {
            "recommendation": recommendation,
            "form": form,
            "status_form": StatusForm(),
            "evidence_form": EvidenceForm(),
            "evidence": recommendation.evidence.all(),
            "public_url": reverse(
                "public:recommendation_detail",
                kwargs={"recommendation_id": recommendation.pk},
            ),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def recommendation_status(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = selectors.recommendation_for_staff(
        user=request.user, recommendation_id=recommendation_id
    )
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.recommendation_status_change(
                actor=request.user, recommendation=recommendation, **form.cleaned_data
            )
        except ValidationError as error:
            flash_error(request, error)
        else:
            messages.success(request, _("The status is changed."))
    else:
        flash_form_errors(request, form)
    return redirect("recommendations:detail", recommendation_id=recommendation.pk)


@login_required
@require_POST
def evidence_add(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = selectors.recommendation_for_staff(
        user=request.user, recommendation_id=recommendation_id
    )
    form = EvidenceForm(request.POST)
    if form.is_valid():
        try:
            services.evidence_add(
                actor=request.user, recommendation=recommendation, **form.cleaned_data
            )
        except ValidationError as error:
            flash_error(request, error)
        else:
            messages.success(request, _("The evidence is linked."))
    else:
        flash_form_errors(request, form)
    return redirect("recommendations:detail", recommendation_id=recommendation.pk)


@login_required
@require_POST
def evidence_remove(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = selectors.evidence_for_staff(user=request.user, evidence_id=evidence_id)
    services.evidence_remove(actor=request.user, evidence=evidence)
    messages.success(request, _("The evidence is removed."))
    return redirect(
        "recommendations:detail", recommendation_id=evidence.recommendation_id
    )

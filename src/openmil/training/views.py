"""Training pages: coordinators manage their lab's, everyone sees their own."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.core import access
from openmil.core.roles import Perm
from openmil.training import selectors, services
from openmil.training.forms import (
    AttendeeForm,
    CertificationForm,
    CompetencyForm,
    TrainingForm,
)


@login_required
def my_training(request: HttpRequest) -> HttpResponse:
    trainings, certifications = selectors.my_training(user=request.user)
    today = timezone.localdate()
    return render(
        request,
        "training/mine.html",
        {
            "trainings": trainings,
            "certifications": certifications,
            "today": today,
            "managed": access.labs_with(request.user, Perm.MANAGE_TRAINING),
        },
    )


@login_required
def lab_training(request: HttpRequest, lab_id: int) -> HttpResponse:
    """Who holds what, what expires in the next 90 days, trainings held."""
    lab = selectors.training_lab_get(user=request.user, lab_id=lab_id)
    today = timezone.localdate()
    competencies, rows = selectors.who_holds_what(user=request.user, lab_id=lab.pk)
    trainings = list(selectors.training_list(user=request.user, lab_id=lab.pk))
    return render(
        request,
        "training/lab.html",
        {
            "lab": lab,
            "today": today,
            "competencies": competencies,
            "rows": rows,
            "expiring": selectors.certifications_expiring(
                user=request.user, lab_id=lab.pk, today=today
            ),
            "window": selectors.EXPIRY_WINDOW_DAYS,
            "trainings": trainings,
            "staff": [row.user for row in rows],
            "training_form": TrainingForm(lab=lab),
            "competency_form": CompetencyForm(),
            "certification_form": CertificationForm(lab=lab),
        },
    )


def _write(
    request: HttpRequest, form: Any, write: Any, done: str, lab_id: int, anchor: str
) -> HttpResponse:
    if form.is_valid():
        try:
            write(form)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, done)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for text in errors:
                messages.error(request, f"{label}: {text}" if label else text)
    response = redirect("training:lab", lab_id=lab_id)
    response["Location"] += anchor
    return response


@login_required
@require_POST
def training_add(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = selectors.training_lab_get(user=request.user, lab_id=lab_id)
    return _write(
        request,
        TrainingForm(request.POST, lab=lab),
        lambda form: services.training_create(
            actor=request.user,
            lab=lab,
            data=form.service_data(),
            competencies=list(form.cleaned_data["competencies"]),
            attendees=list(form.cleaned_data["attendees"]),
        ),
        _("The training is recorded."),
        lab.pk,
        "#trainings",
    )


@login_required
@require_POST
def competency_add(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = selectors.training_lab_get(user=request.user, lab_id=lab_id)
    return _write(
        request,
        CompetencyForm(request.POST),
        lambda form: services.competency_create(
            actor=request.user, lab=lab, data=form.cleaned_data
        ),
        _("The competency is added."),
        lab.pk,
        "#holders",
    )


@login_required
@require_POST
def certification_add(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = selectors.training_lab_get(user=request.user, lab_id=lab_id)
    return _write(
        request,
        CertificationForm(request.POST, lab=lab),
        lambda form: services.certification_record(
            actor=request.user, lab=lab, **form.cleaned_data
        ),
        _("The certification is recorded."),
        lab.pk,
        "#holders",
    )


@login_required
@require_POST
def attendee_add(request: HttpRequest, training_id: int) -> HttpResponse:
    training = selectors.training_get_for_manage(
        user=request.user, training_id=training_id
    )
    return _write(
        request,
        AttendeeForm(request.POST, lab=training.lab),
        lambda form: services.training_attendee_add(
            actor=request.user, training=training, user=form.cleaned_data["user"]
        ),
        _("The participation is recorded."),
        training.lab_id,
        "#trainings",
    )

"""Staff pages for vetting volunteers and following mentoring pairs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.core import access
from openmil.core.forms import attach_errors, flash_error, flash_form_errors
from openmil.core.roles import Perm
from openmil.events import selectors, services
from openmil.events.forms import (
    MeetingForm,
    MentoringForm,
    PairForm,
    VolunteerFilterForm,
    VolunteerTransitionForm,
)
from openmil.events.models import PAIR_QUIET_WEEKS, Volunteer
from openmil.participants.selectors import participant_get_for_edit


@login_required
def volunteer_list(request: HttpRequest) -> HttpResponse:
    labs = list(access.labs_with(request.user, Perm.VET_VOLUNTEERS))
    if not labs:
        raise Http404
    form = VolunteerFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    volunteers = list(selectors.volunteer_list(user=request.user, status=status))
    selectors.volunteer_list_audit(
        user=request.user,
        lab_ids={v.lab_id for v in volunteers},
        ids=[v.pk for v in volunteers],
    )
    return render(
        request,
        "events/volunteers.html",
        {"form": form, "volunteers": volunteers},
    )


@login_required
def volunteer_detail(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(user=request.user, volunteer_id=volunteer_id)
    form = VolunteerTransitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_transition(
                actor=request.user, volunteer=volunteer, **form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The vetting step is recorded."))
            return redirect("volunteers:detail", volunteer_id=volunteer.pk)
    selectors.volunteer_view_audit(user=request.user, volunteer=volunteer)
    return render(
        request,
        "events/volunteer.html",
        {
            "volunteer": volunteer,
            "form": form,
            "mentoring_form": MentoringForm(
                initial={
                    "max_mentees": volunteer.max_mentees,
                    "gender": volunteer.gender,
                }
            ),
            "next_steps": Volunteer.TRANSITIONS.get(volunteer.status, ()),
            "changes": volunteer.status_changes.select_related("changed_by"),
        },
    )


@login_required
@require_POST
def volunteer_mentoring(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    """How many people a mentor accompanies at once, and their gender."""
    volunteer = selectors.volunteer_get(user=request.user, volunteer_id=volunteer_id)
    form = MentoringForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services.volunteer_mentoring_update(
                actor=request.user, volunteer=volunteer, **form.cleaned_data
            )
        except ValidationError as error:
            flash_error(request, error)
        else:
            messages.success(request, _("The mentor's details are saved."))
    return redirect("volunteers:detail", volunteer_id=volunteer.pk)


@login_required
def pair_list(request: HttpRequest) -> HttpResponse:
    labs = list(access.labs_with(request.user, Perm.MANAGE_MENTORING))
    if not labs:
        raise Http404
    form = PairForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                participant = participant_get_for_edit(
                    user=request.user, participant_id=form.cleaned_data["participant"]
                )
                mentor = (
                    selectors.approved_mentors(lab_id=participant.lab_id)
                    .filter(pk=form.cleaned_data["mentor"])
                    .first()
                )
                if mentor is None:
                    raise ValidationError(
                        {
                            "mentor": _(
                                "Only an approved mentor of this lab can be paired."
                            )
                        }
                    )
                pair = services.pair_create(
                    actor=request.user,
                    mentor=mentor,
                    participant=participant,
                    started_on=form.cleaned_data["started_on"],
                )
            except Http404:
                messages.error(request, _("Unknown participant."))
            except ValidationError as error:
                flash_error(request, error)
            else:
                messages.success(request, _("The pair is formed."))
                return redirect("volunteers:pair", pair_id=pair.pk)
        else:
            flash_form_errors(request, form)
        return redirect("volunteers:pairs")
    quiet_only = request.GET.get("quiet") == "1"
    rows = selectors.pair_list(user=request.user, quiet_only=quiet_only)
    selectors.pair_list_audit(user=request.user, pairs=[pair for pair, _h in rows])
    mentors = [
        mentor
        for lab in labs
        for mentor in selectors.approved_mentors(lab_id=lab.pk).select_related("lab")
    ]
    return render(
        request,
        "events/pairs.html",
        {
            "rows": rows,
            "form": form,
            "mentors": mentors,
            "quiet_only": quiet_only,
            "weeks": PAIR_QUIET_WEEKS,
        },
    )


@login_required
def pair_detail(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = selectors.pair_get(user=request.user, pair_id=pair_id)
    return render(
        request,
        "events/pair.html",
        {
            "pair": pair,
            "health": selectors.pair_health(pair=pair),
            "meetings": selectors.meetings_of(pair=pair),
            "form": MeetingForm(),
            "weeks": PAIR_QUIET_WEEKS,
        },
    )


@login_required
@require_POST
def meeting_log(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = selectors.pair_get(user=request.user, pair_id=pair_id, audit=False)
    form = MeetingForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("volunteers:pair", pair_id=pair.pk)
    try:
        services.meeting_log(actor=request.user, pair=pair, **form.cleaned_data)
    except ValidationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("The meeting is logged."))
    return redirect("volunteers:pair", pair_id=pair.pk)


@login_required
@require_POST
def pair_end(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = selectors.pair_get(user=request.user, pair_id=pair_id, audit=False)
    try:
        services.pair_end(actor=request.user, pair=pair)
    except ValidationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("The pair has ended."))
    return redirect("volunteers:pair", pair_id=pair.pk)

"""Activity pages: thin wrappers over selectors, services and forms."""

import zoneinfo
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from openmil.activities import selectors, services
from openmil.activities.calendar import feed_calendar
from openmil.activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    AttendanceCellForm,
    CohortForm,
    EnrolForm,
    SessionForm,
    TargetShareForm,
    session_marks,
)
from openmil.activities.models import (
    Attendance,
    CalendarFeed,
    Cohort,
    Enrolment,
    Session,
)
from openmil.core import access
from openmil.core.forms import attach_errors, flash_form_errors
from openmil.core.roles import Perm
from openmil.participants.selectors import (
    participant_get_for_edit,
    participant_list,
    participant_list_audit,
    participant_queryset,
)


def _staff_only(request: HttpRequest) -> None:
    if not access.is_staff_user(request.user):
        raise Http404


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _can(request: HttpRequest, permission: str, lab_id: int) -> bool:
    return access.can(request.user, permission, lab_id)


# ---------------------------------------------------------------------------
# Activities


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    labs = access.labs_with(request.user, Perm.VIEW_PERSONAL)
    form = ActivityFilterForm(request.GET or None, labs=labs)
    lab_id, pillar = None, ""
    if form.is_valid():
        lab = form.cleaned_data["lab"]
        lab_id, pillar = (lab.pk if lab else None), form.cleaned_data["pillar"]
    activities = selectors.activity_list(
        user=request.user, lab_id=lab_id, pillar=pillar
    )
    managed = [lab for lab in labs if _can(request, Perm.MANAGE_LAB, lab.pk)]
    targets = [
        (
            lab,
            TargetShareForm(
                initial={
                    "target_newcomer_share": selectors.lab_target_newcomer_share(
                        lab_id=lab.pk
                    )
                },
                prefix=f"lab{lab.pk}",
            ),
        )
        for lab in managed
    ]
    creatable = [lab for lab in labs if _can(request, Perm.MANAGE_ACTIVITIES, lab.pk)]
    return render(
        request,
        "activities/list.html",
        {
            "form": form,
            "activities": activities,
            "targets": targets,
            "creatable": creatable,
        },
    )


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    lab, labs = access.lab_choice(
        request.user,
        Perm.MANAGE_ACTIVITIES,
        request.GET.get("lab") or request.POST.get("lab"),
    )
    form = ActivityForm(request.POST or None, lab=lab)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                actor=request.user, lab=lab, data=form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The activity is created."))
            return redirect("activities:detail", activity_id=activity.pk)
    return render(
        request, "activities/form.html", {"form": form, "lab": lab, "labs": labs}
    )


@login_required
def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, activity_id=activity_id)
    can_manage = _can(request, Perm.MANAGE_ACTIVITIES, activity.lab_id)
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "cohorts": selectors.cohorts_of(activity=activity),
            "can_manage": can_manage,
            "cohort_form": CohortForm() if can_manage else None,
        },
    )


@login_required
@require_POST
def cohort_create(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, activity_id=activity_id)
    if not _can(request, Perm.MANAGE_ACTIVITIES, activity.lab_id):
        raise Http404
    form = CohortForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("activities:detail", activity_id=activity.pk)
    try:
        cohort = services.cohort_create(
            actor=request.user, activity=activity, data=form.cleaned_data
        )
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("activities:detail", activity_id=activity.pk)
    messages.success(request, _("The cohort is created."))
    return redirect("activities:cohort", cohort_id=cohort.pk)


@login_required
@require_POST
def lab_target(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.MANAGE_LAB)
    _staff_only(request)
    form = TargetShareForm(request.POST, prefix=f"lab{lab.pk}")
    if form.is_valid():
        services.lab_activity_settings_update(
            actor=request.user,
            lab=lab,
            target_newcomer_share=form.cleaned_data["target_newcomer_share"],
        )
        messages.success(request, _("The target mix is saved."))
    else:
        flash_form_errors(request, form)
    return redirect("activities:list")


# ---------------------------------------------------------------------------
# Cohorts and enrolment


def _cohort_context(request: HttpRequest, cohort: Cohort) -> dict[str, Any]:
    lab = cohort.activity.lab
    enrolments = list(selectors.enrolments_of(user=request.user, cohort=cohort))
    enrolled = [e for e in enrolments if e.status == Enrolment.Status.ENROLLED]
    waitlist = [e for e in enrolments if e.status == Enrolment.Status.WAITLISTED]
    selectors.enrolment_list_audit(
        user=request.user, cohort=cohort, people=[e.participant for e in enrolments]
    )
    can_manage = _can(request, Perm.MANAGE_ACTIVITIES, lab.pk)
    return {
        "cohort": cohort,
        "activity": cohort.activity,
        "lab": lab,
        "enrolled": enrolled,
        "waitlist": waitlist,
        "enrolled_total": Enrolment.objects.filter(
            cohort=cohort, status=Enrolment.Status.ENROLLED
        ).count(),
        "mix": selectors.cohort_mix(cohort=cohort),
        "sessions": selectors.sessions_of(cohort=cohort),
        "can_edit": _can(request, Perm.EDIT_PERSONAL, lab.pk),
        "can_manage": can_manage,
        "session_form": SessionForm(lab=lab) if can_manage else None,
        "now": timezone.now(),
    }


@login_required
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, cohort_id=cohort_id)
    return render(request, "activities/cohort.html", _cohort_context(request, cohort))


@login_required
@require_GET
def enrol_search(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """People of the cohort's lab matching a name, to enrol (htmx)."""
    cohort = selectors.cohort_get(user=request.user, cohort_id=cohort_id)
    if not _can(request, Perm.EDIT_PERSONAL, cohort.activity.lab_id):
        raise Http404
    query = request.GET.get("q", "")[:100].strip()
    people = []
    if query:
        people = list(
            participant_list(
                user=request.user, query=query, lab_id=cohort.activity.lab_id
            ).select_related(None)[:10]
        )
        participant_list_audit(user=request.user, participants=people)
    return render(
        request,
        "activities/enrol_results.html",
        {"cohort": cohort, "people": people, "query": query},
    )


@login_required
@require_POST
def enrol(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, cohort_id=cohort_id)
    if not _can(request, Perm.EDIT_PERSONAL, cohort.activity.lab_id):
        raise Http404
    form = EnrolForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("activities:cohort", cohort_id=cohort.pk)
    participant = participant_get_for_edit(
        user=request.user, participant_id=form.cleaned_data["participant"]
    )
    try:
        enrolment = services.enrolment_create(
            actor=request.user, cohort=cohort, participant=participant
        )
    except ValidationError as error:
        _error_messages(request, error)
    else:
        if enrolment.status == Enrolment.Status.ENROLLED:
            text = _("%(name)s is enrolled.")
        else:
            text = _("The cohort is full: %(name)s is on the waitlist.")
        messages.success(request, text % {"name": participant.full_name})
    return redirect("activities:cohort", cohort_id=cohort.pk)


@login_required
@require_POST
def enrolment_withdraw(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = selectors.enrolment_get(user=request.user, enrolment_id=enrolment_id)
    try:
        services.enrolment_withdraw(actor=request.user, enrolment=enrolment)
    except ValidationError as error:
        _error_messages(request, error)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request,
            _("%(name)s is withdrawn.") % {"name": enrolment.participant.full_name},
        )
    return redirect("activities:cohort", cohort_id=enrolment.cohort_id)


@login_required
@require_POST
def session_create(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, cohort_id=cohort_id)
    lab = cohort.activity.lab
    if not _can(request, Perm.MANAGE_ACTIVITIES, lab.pk):
        raise Http404
    form = SessionForm(request.POST, lab=lab)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services.session_create(
                actor=request.user, cohort=cohort, **form.cleaned_data
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("The session is planned."))
    return redirect("activities:cohort", cohort_id=cohort.pk)


# ---------------------------------------------------------------------------
# Attendance


@dataclass
class Column:
    """What every cell of a session's column repeats, worked out once."""

    session: Session
    url: str
    label: str
    held: bool
    #: The session's place among the cohort's sessions (0 is the first).
    position: int = 0

    @cached_property
    def label_html(self) -> str:
        return conditional_escape(self.label)

    @cached_property
    def url_html(self) -> str:
        return conditional_escape(self.url)


def _column(session: Session, time_zone: str, position: int = 0) -> Column:
    local = timezone.localtime(session.starts_at, zoneinfo.ZoneInfo(time_zone))
    label = f"{date_format(local, 'SHORT_DATE_FORMAT')} {local:%H:%M}"
    return Column(
        session=session,
        url=reverse("activities:session_attendance", args=[session.pk]),
        label=label,
        held=session.is_held,
        position=position,
    )


def _options(*, held: bool, status: str) -> str:
    """The <option>s of one cell: the same few strings for the whole grid.

    Present and absent wait until the session has started.
    """
    choices = [("", "—"), *Attendance.Status.choices]
    return format_html_join(
        "",
        '<option value="{}"{}{}>{}</option>',
        (
            (
                value,
                mark_safe(" selected") if value == status else "",  # noqa: S308
                mark_safe(" disabled")  # noqa: S308
                if not held and value not in ("", Attendance.Status.EXCUSED)
                else "",
                text,
            )
            for value, text in choices
        ),
    )


CELL = (
    '<td class="att-cell{}" data-label="{}">'
    '<select name="p{}" form="form-s{}" aria-label="{} · {}" hx-post="{}" '
    'hx-vals=\'{{"participant": "{}"}}\' hx-trigger="change" '
    'hx-target="closest td" hx-swap="outerHTML" data-initial="{}">{}</select></td>'
)
READ_ONLY_CELL = '<td class="att-cell{}" data-label="{}">{}</td>'


def attendance_cell(
    *,
    col: Column,
    pid: int,
    name: str,
    status: str,
    options: str,
    can_edit: bool,
    saved: bool = False,
) -> str:
    """One cell of the grid, as the page draws it and as htmx swaps it in.

    Built in Python: a grid of 60 people by 40 sessions has 2,400 cells,
    and a template per cell would cost most of the page's time.
    """
    classes = (f" att-{status}" if status else "") + (" att-saved" if saved else "")
    if not can_edit:
        label = dict(Attendance.Status.choices).get(status, "")
        return format_html(READ_ONLY_CELL, classes, col.label, label)
    # format_html's work, with the column's and the row's text escaped once
    # for the whole grid rather than once per cell (`name` may come escaped).
    escape = conditional_escape
    return mark_safe(  # noqa: S308 - every value is escaped or an int
        CELL.format(
            escape(classes),
            col.label_html,
            int(pid),
            int(col.session.pk),
            escape(name),
            col.label_html,
            col.url_html,
            int(pid),
            escape(status),
            options,  # built by _options with format_html
        )
    )


@login_required
def cohort_attendance(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, cohort_id=cohort_id)
    lab = cohort.activity.lab
    window = _window(request)
    grid = selectors.attendance_grid(user=request.user, cohort=cohort, **window)
    selectors.enrolment_list_audit(user=request.user, cohort=cohort, people=grid.people)
    columns = [
        _column(s, lab.time_zone, grid.start + i) for i, s in enumerate(grid.sessions)
    ]
    can_edit = _can(request, Perm.EDIT_PERSONAL, lab.pk)
    options: dict[tuple[bool, str], str] = {}
    for held in (True, False):
        for status in ("", *Attendance.Status.values):
            options[held, status] = _options(held=held, status=status)
    table = []
    for row in grid.rows:
        pid, name = row.participant.pk, conditional_escape(row.participant.full_name)
        cells = "".join(
            attendance_cell(
                col=col,
                pid=pid,
                name=name,
                status=mark,
                options=options[col.held, mark],
                can_edit=can_edit,
            )
            for col, (_s, mark) in zip(columns, row.marks, strict=True)
        )
        table.append((row, mark_safe(cells)))  # noqa: S308 - escaped per cell
    return render(
        request,
        "activities/attendance.html",
        {
            "cohort": cohort,
            "lab": lab,
            "grid": grid,
            "columns": columns,
            "table": table,
            "statuses": Attendance.Status.choices,
            "can_edit": can_edit,
            "window": _window_query(grid.start, grid.size),
        },
    )


def _number(raw: str | None, low: int, high: int) -> int | None:
    try:
        return min(max(int(raw or ""), low), high)
    except ValueError:
        return None


def _window(request: Any) -> dict[str, Any]:
    """Which sessions the grid shows: `size` (default GRID_WINDOW; 1 is one
    session's register) from position `start` (default: the latest)."""
    size = _number(request.GET.get("size"), 1, 100) or selectors.GRID_WINDOW
    return {"size": size, "start": _number(request.GET.get("start"), 0, 10_000)}


def _window_query(start: int | None, size: int | None) -> str:
    """The grid's query string, kept by the session forms' redirect."""
    parts = {"start": start, "size": size}
    return urlencode({k: v for k, v in parts.items() if v is not None})


@login_required
@require_POST
def session_attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    """Save one cell (htmx) or a whole session column (the column's form).

    A cell posts `participant` and its select `p<participant id>`; the
    column posts every select, and `all=<status>` marks everyone not yet
    marked.
    """
    session = selectors.session_get(user=request.user, session_id=session_id)
    if not _can(request, Perm.EDIT_PERSONAL, session.cohort.activity.lab_id):
        raise Http404
    cell = bool(request.headers.get("HX-Request")) and "participant" in request.POST
    if cell:
        pid = request.POST.get("participant", "")
        form = AttendanceCellForm(
            {"participant": pid, "status": request.POST.get(f"p{pid}", "")}
        )
        if not form.is_valid():
            return HttpResponse(_("This mark is not valid."), status=422)
        marks = {form.cleaned_data["participant"]: form.cleaned_data["status"]}
    else:
        ids = list(
            selectors.enrolments_of(
                user=request.user,
                cohort=session.cohort,
                statuses=(Enrolment.Status.ENROLLED,),
            ).values_list("participant_id", flat=True)
        )
        marks = session_marks(request.POST, ids)
        everyone = request.POST.get("all", "")
        if everyone:
            marked = set(
                Attendance.objects.filter(session=session).values_list(
                    "participant_id", flat=True
                )
            )
            for pid_ in ids:
                if not marks.get(pid_) and pid_ not in marked:
                    marks[pid_] = everyone
    try:
        services.attendance_record(actor=request.user, session=session, marks=marks)
    except ValidationError as error:
        if cell:
            return HttpResponse(" ".join(error.messages), status=422)
        _error_messages(request, error)
    else:
        if cell:
            person, status = next(iter(marks.items()))
            return HttpResponse(
                attendance_cell(
                    col=_column(session, session.cohort.activity.lab.time_zone),
                    pid=person,
                    name=participant_queryset(user=request.user)
                    .only("given_name", "family_name")
                    .get(pk=person)
                    .full_name,
                    status=status,
                    options=_options(held=session.is_held, status=status),
                    can_edit=True,
                    saved=True,
                )
            )
        messages.success(request, _("The attendance is saved."))
    window = _window(request)
    query = _window_query(window["start"], window["size"])
    return redirect(
        reverse("activities:attendance", kwargs={"cohort_id": session.cohort_id})
        + f"?{query}#s{session.pk}"
    )


# ---------------------------------------------------------------------------
# Calendars


def _feed_url(request: HttpRequest, raw: str) -> str:
    return request.build_absolute_uri(reverse("activities:feed", args=[raw]))


FRESH_FEED_URL = "activities_fresh_feed_url"


@login_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    """The facilitator's calendar feed: make a new address (the old stops).

    The address is shown once, on the page the POST redirects to.
    """
    _staff_only(request)
    if request.method == "POST":
        _feed, raw = services.calendar_feed_regenerate(user=request.user)
        request.session[FRESH_FEED_URL] = _feed_url(request, raw)
        return redirect("activities:my_calendar")
    return render(
        request,
        "activities/calendar.html",
        {
            "feed": selectors.calendar_feed_for(user=request.user),
            "url": request.session.pop(FRESH_FEED_URL, None),
            "sessions": selectors.sessions_for_facilitator(
                user=request.user, since=timezone.now(), days=28
            ),
        },
    )


@login_required
def participant_calendar(request: HttpRequest, participant_id: int) -> HttpResponse:
    """A participant's calendar address, made here to hand to them."""
    participant = participant_get_for_edit(
        user=request.user,
        participant_id=participant_id,
        audit=request.method == "GET",
    )
    if request.method == "POST":
        try:
            _feed, raw = services.calendar_feed_regenerate_for_participant(
                actor=request.user, participant=participant
            )
        except PermissionDenied:
            raise Http404 from None
        request.session[FRESH_FEED_URL] = _feed_url(request, raw)
        return redirect(
            "activities:participant_calendar", participant_id=participant.pk
        )
    return render(
        request,
        "activities/participant_calendar.html",
        {
            "p": participant,
            "feed": selectors.calendar_feed_for(participant=participant),
            "url": request.session.pop(FRESH_FEED_URL, None),
            "sessions": selectors.sessions_upcoming_for_participant(
                participant=participant, today=timezone.localdate()
            ),
        },
    )


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed at its token URL: no sign-in, no session."""
    found = selectors.calendar_feed_by_token(raw=token)
    if found is None:
        raise Http404
    if found.kind == CalendarFeed.Kind.FACILITATOR:
        sessions = selectors.sessions_for_facilitator(user=found.user)
        name = _("OpenMIL: sessions I facilitate")
    else:
        if found.participant is None:
            raise Http404
        sessions = selectors.sessions_for_participant_feed(
            participant=found.participant
        )
        name = _("OpenMIL: my sessions")
    services.calendar_feed_touch(feed=found)
    body = feed_calendar(name=name, sessions=list(sessions))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    response["Content-Disposition"] = 'inline; filename="openmil.ics"'
    return response

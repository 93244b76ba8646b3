"""Duplicate pages: the live check at intake, the review list, merge, undo."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.core import access
from openmil.core.models import Network
from openmil.core.roles import Perm
from openmil.dedup import selectors, services
from openmil.dedup.services import MERGE_FIELDS
from openmil.participants.models import Participant
from openmil.participants.selectors import participant_list_audit


def _merger_only(request: HttpRequest) -> None:
    if not access.has_any(request.user, Perm.MERGE_PARTICIPANTS):
        raise Http404


@login_required
def duplicate_list(request: HttpRequest) -> HttpResponse:
    _merger_only(request)
    labs = access.labs_with(request.user, Perm.MERGE_PARTICIPANTS)
    if request.method == "POST":
        scope = request.POST.get("scope", "")
        try:
            if scope.startswith("network-"):
                network = Network.objects.filter(
                    pk=scope.removeprefix("network-"), labs__in=labs
                ).first()
                if network is None:
                    raise Http404
                services.dedup_run_request(actor=request.user, network=network)
            else:
                lab = labs.filter(pk=scope.removeprefix("lab-") or 0).first()
                if lab is None:
                    raise Http404
                services.dedup_run_request(actor=request.user, lab=lab)
        except (ValueError, ValidationError):
            raise Http404 from None
        messages.success(request, _("The search for duplicates has started."))
        return redirect("dedup:list")
    candidates = list(selectors.candidates_for(user=request.user)[:100])
    participant_list_audit(
        user=request.user,
        participants=[p for c in candidates for p in (c.left, c.right)],
    )
    networks = Network.objects.filter(labs__in=labs).distinct()
    return render(
        request,
        "dedup/list.html",
        {
            "candidates": candidates,
            "labs": labs,
            "networks": networks,
            "runs": selectors.runs_for(user=request.user)[:5],
            "merges": selectors.merges_for(user=request.user)[:10],
        },
    )


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@login_required
def duplicate_check(request: HttpRequest) -> HttpResponse:
    """The intake form asks, as it is filled, who may already be registered.

    The form posts (names stay out of URLs and access logs); GET is
    accepted too, for a link or a test.
    """
    labs = access.labs_with(request.user, Perm.EDIT_PERSONAL)
    if not labs.exists():
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    lab = (
        labs.filter(pk=source.get("lab") or 0).first()
        if source.get("lab", "").isdigit()
        else None
    )
    lab = lab or labs.first()
    if lab is None:
        raise Http404
    data: dict[str, Any] = {
        name: source.get(name, "")[:300]
        for name in (
            "given_name",
            "family_name",
            "name_latin",
            "country_of_origin",
            "phone",
            "birth_date_precision",
        )
    }
    data["birth_date"] = _date(source.get("birth_date", ""))
    matches = []
    if data["given_name"] or data["family_name"] or data["name_latin"]:
        matches = selectors.live_candidates(user=request.user, lab=lab, data=data)
        participant_list_audit(
            user=request.user, participants=[m.participant for m in matches]
        )
    return render(request, "dedup/check.html", {"matches": matches})


def _display(person: Participant, name: str) -> str:
    if name == "household":
        return person.household.reference if person.household else ""
    field = Participant._meta.get_field(name)
    if getattr(field, "choices", None):
        return str(getattr(person, f"get_{name}_display")())
    value = getattr(person, name)
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


@login_required
def merge(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = selectors.candidate_get(user=request.user, candidate_id=candidate_id)
    left, right = candidate.left, candidate.right
    sides = {"left": left, "right": right}
    if request.method == "POST":
        keep = request.POST.get("keep", "left")
        if keep not in sides:
            keep = "left"
        other = "right" if keep == "left" else "left"
        take = [name for name in MERGE_FIELDS if request.POST.get(name) == other]
        try:
            record = services.participant_merge(
                actor=request.user,
                kept=sides[keep],
                removed=sides[other],
                take_from_removed=take,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The records are merged."))
            return redirect("dedup:merge_detail", merge_id=record.pk)
    participant_list_audit(user=request.user, participants=[left, right])
    rows = [
        {
            "name": name,
            "label": getattr(Participant._meta.get_field(name), "verbose_name", name),
            "left": _display(left, name),
            "right": _display(right, name),
        }
        for name in MERGE_FIELDS
    ]
    return render(
        request,
        "dedup/merge.html",
        {"candidate": candidate, "left": left, "right": right, "rows": rows},
    )


@login_required
@require_POST
def dismiss(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = selectors.candidate_get(user=request.user, candidate_id=candidate_id)
    services.candidate_dismiss(actor=request.user, candidate=candidate)
    messages.success(request, _("The pair is marked as two different people."))
    return redirect("dedup:list")


@login_required
def merge_detail(request: HttpRequest, merge_id: int) -> HttpResponse:
    record = selectors.merge_get(user=request.user, merge_id=merge_id)
    return render(request, "dedup/merge_detail.html", {"merge": record})


@login_required
@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    record = selectors.merge_get(user=request.user, merge_id=merge_id)
    try:
        services.merge_undo(actor=request.user, merge=record)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The merge is undone: both records are back."))
    return redirect("dedup:merge_detail", merge_id=record.pk)

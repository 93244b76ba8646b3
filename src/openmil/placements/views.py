"""Matching pages: rounds of a lab, the review of a round, preferences."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.core import access
from openmil.core.forms import flash_error
from openmil.core.models import Lab
from openmil.core.roles import Perm
from openmil.events.selectors import approved_mentors
from openmil.participants.selectors import participant_get, participant_queryset
from openmil.placements import selectors, services
from openmil.placements.forms import (
    DecisionForm,
    OwnPreferenceForm,
    PreferenceForm,
    RoundForm,
)
from openmil.placements.models import MatchingRound
from openmil.portal import selectors as portal_selectors


def _lab(request: HttpRequest, lab_id: int) -> Lab:
    if lab_id not in selectors.lab_ids_matching(request.user):
        raise Http404
    return get_object_or_404(Lab, pk=lab_id)


@login_required
def round_list(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = _lab(request, lab_id)
    rounds = selectors.round_queryset(user=request.user).filter(lab=lab)[:50]
    latest = next((r for r in rounds if r.status == MatchingRound.Status.DONE), None)
    return render(
        request,
        "placements/round_list.html",
        {"lab": lab, "rounds": rounds, "latest": latest},
    )


@login_required
def round_create(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = _lab(request, lab_id)
    kind = request.GET.get("kind", MatchingRound.Kind.OPPORTUNITIES)
    if kind not in MatchingRound.Kind.values:
        raise Http404
    mentor_round = kind == MatchingRound.Kind.MENTORS
    people = (
        participant_queryset(user=request.user).filter(lab=lab).order_by("reference")
    )
    form = RoundForm(
        request.POST or None,
        people=people,
        opportunities=None
        if mentor_round
        else selectors.open_opportunities(lab_id=lab.pk),
        mentors=approved_mentors(lab_id=lab.pk) if mentor_round else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round = services.round_create(
                actor=request.user,
                lab=lab,
                kind=kind,
                title=data["title"],
                participants=list(data["participants"]),
                opportunities=list(data.get("opportunities") or []),
                mentors=list(data.get("mentors") or []),
            )
        except ValidationError as error:
            flash_error(request, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The matching round is running."))
            return redirect("placements:round_detail", round_id=round.pk)
    return render(
        request,
        "placements/round_form.html",
        {"lab": lab, "form": form, "mentor_round": mentor_round},
    )


@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    round = selectors.round_get(user=request.user, round_id=round_id)
    review = selectors.round_review(user=request.user, round=round)
    if review:
        selectors.round_review_audit(
            user=request.user,
            round=round,
            ids=[e["participant"].pk for e in review],
        )
    return render(
        request,
        "placements/round_detail.html",
        {
            "round": round,
            "review": review,
            "form": DecisionForm(),
            "can_override": access.can(
                request.user, Perm.OVERRIDE_CONSENT, round.lab_id
            ),
            "running": round.status
            in (MatchingRound.Status.QUEUED, MatchingRound.Status.RUNNING),
            "mentor_round": round.kind == MatchingRound.Kind.MENTORS,
        },
    )


@login_required
@require_POST
def proposal_decide(
    request: HttpRequest, proposal_id: int, action: str
) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, proposal_id=proposal_id)
    if action not in ("accept", "reject"):
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return redirect("placements:round_detail", round_id=proposal.round_id)
    data = form.cleaned_data
    try:
        if action == "accept":
            services.proposal_accept(
                actor=request.user,
                proposal=proposal,
                reason=data["reason"],
                consent_override_reason=data["consent_override_reason"],
            )
            messages.success(
                request,
                _("Accepted: the mentoring pair is made.")
                if proposal.mentor_id
                else _("Accepted: the referral is sent."),
            )
        else:
            services.proposal_reject(
                actor=request.user, proposal=proposal, reason=data["reason"]
            )
            messages.success(request, _("Rejected."))
    except ValidationError as error:
        flash_error(request, error)
    except PermissionDenied:
        raise Http404 from None
    return redirect("placements:round_detail", round_id=proposal.round_id)


@login_required
def preference_edit(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = participant_get(user=request.user, participant_id=participant_id)
    if not access.can(request.user, Perm.EDIT_PERSONAL, participant.lab_id):
        raise PermissionDenied
    pref = selectors.preference_of(participant)
    form = PreferenceForm(
        request.POST or None, initial=PreferenceForm.initial_for(pref)
    )
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = dict(form.cleaned_data)
        try:
            saved = services.preference_update(
                actor=request.user, participant=participant, data=data
            )
        except ValidationError as error:
            flash_error(request, error)
        else:
            messages.success(request, _("The preferences are saved."))
            if data.get("meeting_latitude") is not None and (
                saved.meeting_latitude is None
            ):
                messages.info(
                    request,
                    _(
                        "The coordinates were removed: they were those of the "
                        "previous meeting place. Enter the new place's, if known."
                    ),
                )
            return redirect("placements:preferences", participant_id=participant.pk)
    return render(
        request,
        "placements/preferences.html",
        {"p": participant, "form": form, "pref": pref},
    )


@login_required(login_url="portal:sign_in")
def own_preference_edit(request: HttpRequest) -> HttpResponse:
    """The participant's space: the person states what they are looking for.

    Only a participant account reaches it (anyone else: 404, as the rest of
    the space); the page has no id, it is always the person's own.
    """
    account = portal_selectors.account_for(user=request.user)
    pref = selectors.preference_of(account.participant)
    # Bound on any POST: with nothing ticked or typed, it may be empty.
    form = OwnPreferenceForm(
        request.POST if request.method == "POST" else None,
        initial=OwnPreferenceForm.initial_for(pref),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.own_preference_update(user=request.user, data=form.service_data())
        except ValidationError as error:
            flash_error(request, error)
        else:
            messages.success(
                request, _("Thank you: what you are looking for is saved.")
            )
            return redirect(reverse("portal:home") + "#preferences")
    portal_selectors.own_participant(user=request.user, detail="own preferences")
    return render(request, "placements/portal/preferences_edit.html", {"form": form})

"""Writes of matching: preferences, rounds, and the review of proposals.

A round runs in the background (`tasks.round_run_task`): it scores every
pair of its people and opportunities, adds the lab's predicted probability
of a good outcome where it has enough history, solves the assignment with
`openmil.matching.solve` under the opportunities' capacities and stores the
chosen pairs with the best alternatives, to explain the choices. A person
accepts or rejects each proposal; an accepted one becomes a referral to the
partner who posted the opportunity, sent if the participant consents.

A mentor round is the same round with mentors in place of opportunities:
pairs are scored by `mentor_score`, each mentor takes as many mentees as
they said they could (less the ones they already mentor), and an accepted
proposal becomes a mentoring pair (`events.services.pair_create`).
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil import matching
from openmil.core import access
from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry, Lab
from openmil.core.roles import Perm
from openmil.events import selectors as event_selectors
from openmil.events import services as event_services
from openmil.events.models import MentoringPair, Volunteer
from openmil.participants.models import Participant
from openmil.participants.selectors import participant_queryset
from openmil.partners import services as partner_services
from openmil.partners.models import Opportunity, Service
from openmil.placements import selectors
from openmil.placements.models import (
    MEETING_STEP,
    MatchingPreference,
    MatchingRound,
    Proposal,
)
from openmil.placements.outcome import features, outcome_fit
from openmil.placements.scores import mentor_score, opportunity_score
from openmil.portal import selectors as portal_selectors

#: Alternatives kept per person besides the chosen pair, to explain choices.
ALTERNATIVES = 8
#: With an outcome model, the pair's value is this mix of score and probability.
OUTCOME_SHARE = 0.5
MAX_PEOPLE = 2000
MAX_OPPORTUNITIES = 1000
MAX_MENTORS = 1000
#: The widest a coordinate can be (a longitude); the model checks each range.
MAX_DEGREES = 180


def _require_matching(actor: Any, lab_id: int) -> None:
    if not access.can(actor, Perm.RUN_MATCHING, lab_id):
        raise PermissionDenied


# ---------------------------------------------------------------------------
# Preferences.


def meeting_coordinate(value: Decimal | float | str | None) -> Decimal | None:
    """A coordinate of a meeting area as stored: rounded to about 1 km
    (`MEETING_STEP`), whatever precision it was given in."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
        if number.is_finite() and abs(number) <= MAX_DEGREES:
            return number.quantize(MEETING_STEP, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        pass
    raise ValidationError(_("Enter a number of degrees between -180 and 180."))


#: Every field of a stated preference, in the order the audit lists them.
PREFERENCE_FIELDS = (
    "occupations",
    "kinds",
    "places",
    "available_from",
    "mentor_gender",
    "interests",
    "availability",
    "meeting_place",
    "meeting_latitude",
    "meeting_longitude",
)
MEETING_COORDINATES = ("meeting_latitude", "meeting_longitude")
#: What a person states themselves in their space: not the ISCO-08
#: occupations (staff work), nor the coordinates of the meeting area.
OWN_PREFERENCE_FIELDS = tuple(
    name
    for name in PREFERENCE_FIELDS
    if name != "occupations" and name not in MEETING_COORDINATES
)


@transaction.atomic
def preference_update(
    *, actor: Any, participant: Participant, data: dict[str, Any]
) -> MatchingPreference:
    """Record what the participant said they want (staff who may edit the
    person). See `_preference_write` for the rules every edit follows."""
    if not access.can(actor, Perm.EDIT_PERSONAL, participant.lab_id):
        raise PermissionDenied
    if not participant_queryset(user=actor).filter(pk=participant.pk).exists():
        raise PermissionDenied
    return _preference_write(
        actor=actor, participant=participant, data=data, fields=PREFERENCE_FIELDS
    )


@transaction.atomic
def own_preference_update(*, user: Any, data: dict[str, Any]) -> MatchingPreference:
    """The signed-in participant states their own preferences in their space.

    Only `OWN_PREFERENCE_FIELDS` are taken from `data`; anything else in it
    (occupations, coordinates) is left as it was, except that coordinates
    are cleared with a change of the meeting place (`_preference_write`).
    The audit entry's actor is the participant's own user.
    """
    try:
        account = portal_selectors.account_for(user=user)
    except Http404:
        raise PermissionDenied from None
    return _preference_write(
        actor=account.user,
        participant=account.participant,
        data=data,
        fields=OWN_PREFERENCE_FIELDS,
        detail="own space",
    )


def _preference_write(
    *,
    actor: Any,
    participant: Participant,
    data: dict[str, Any],
    fields: tuple[str, ...],
    detail: str = "",
) -> MatchingPreference:
    """The one write of stated preferences, for staff and the person alike.

    Takes the `fields` of `data` that are given; rounds the coordinates of
    the meeting area to about 1 km; trims the meeting place. When the
    meeting place changes and no new coordinates come with it, the old ones
    are cleared: they would describe the old place. Then `clean()`, save and
    one audit entry of the changes, in the caller's transaction.
    """
    pref, _created = MatchingPreference.objects.get_or_create(participant=participant)
    given = {name: data[name] for name in fields if name in data}
    for name in MEETING_COORDINATES:
        if name in given:
            try:
                given[name] = meeting_coordinate(given[name])
            except ValidationError as error:
                raise ValidationError({name: error.messages}) from None
    if "meeting_place" in given:
        given["meeting_place"] = (given["meeting_place"] or "").strip()
    before = {name: getattr(pref, name) for name in PREFERENCE_FIELDS}
    for name, value in given.items():
        setattr(pref, name, value)
    moved = pref.meeting_place != before["meeting_place"]
    same_centre = all(
        getattr(pref, name) == before[name] for name in MEETING_COORDINATES
    )
    if moved and same_centre:
        pref.meeting_latitude = pref.meeting_longitude = None
    pref.updated_by = actor
    pref.full_clean()
    pref.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="matching_preference",
        object_id=pref.pk,
        participant=participant,
        detail=detail,
        changes={
            name: {"before": str(before[name]), "after": str(getattr(pref, name))}
            for name in PREFERENCE_FIELDS
            if before[name] != getattr(pref, name)
        },
    )
    return pref


# ---------------------------------------------------------------------------
# Rounds.


def round_create(
    *,
    actor: Any,
    lab: Lab,
    title: str,
    participants: list[Participant],
    opportunities: list[Opportunity] | None = None,
    kind: str = MatchingRound.Kind.OPPORTUNITIES,
    mentors: list[Volunteer] | None = None,
) -> MatchingRound:
    """Queue a round for people the actor may see and either open
    opportunities of the lab's partners or approved mentors of the lab (all
    of them when none are chosen)."""
    _require_matching(actor, lab.pk)
    opportunities = list(opportunities or [])
    mentors = list(mentors or [])
    errors: dict[str, str] = {}
    if kind not in MatchingRound.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of round.")})
    if kind == MatchingRound.Kind.MENTORS and not access.can(
        actor, Perm.MANAGE_MENTORING, lab.pk
    ):
        raise PermissionDenied
    visible = set(
        participant_queryset(user=actor)
        .filter(lab=lab, pk__in=[p.pk for p in participants])
        .values_list("pk", flat=True)
    )
    if not participants or len(participants) > MAX_PEOPLE:
        errors["participants"] = _("Choose between 1 and %(n)s people.") % {
            "n": MAX_PEOPLE
        }
    elif any(p.pk not in visible for p in participants):
        errors["participants"] = _("Some of these people are not in this lab.")
    if kind == MatchingRound.Kind.OPPORTUNITIES:
        if mentors:
            errors["mentors"] = _("A round of jobs and training has no mentors.")
        allowed = set(
            selectors.open_opportunities(lab_id=lab.pk).values_list("pk", flat=True)
        )
        if not opportunities or len(opportunities) > MAX_OPPORTUNITIES:
            errors["opportunities"] = _("Choose between 1 and %(n)s opportunities.") % {
                "n": MAX_OPPORTUNITIES
            }
        elif any(o.pk not in allowed for o in opportunities):
            errors["opportunities"] = _(
                "Only open jobs and training seats of this lab's partners "
                "can be matched."
            )
    else:
        if opportunities:
            errors["opportunities"] = _("A mentor round has no opportunities.")
        approved = list(event_selectors.approved_mentors(lab_id=lab.pk))
        if not mentors:
            mentors = approved
        allowed = {m.pk for m in approved}
        if not mentors:
            errors["mentors"] = _("This lab has no approved mentor yet.")
        elif len(mentors) > MAX_MENTORS:
            errors["mentors"] = _("Choose at most %(n)s mentors.") % {"n": MAX_MENTORS}
        elif any(m.pk not in allowed for m in mentors):
            errors["mentors"] = _("Only approved mentors of this lab can be matched.")
    title = (title or "").strip()[:200]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        round = MatchingRound.objects.create(
            lab=lab,
            kind=kind,
            title=title
            or (
                _("Mentor round")
                if kind == MatchingRound.Kind.MENTORS
                else _("Matching round")
            ),
            created_by=actor,
        )
        round.participants.set(participants)
        if kind == MatchingRound.Kind.MENTORS:
            round.mentors.set(mentors)
            detail = f"{len(participants)} people, {len(mentors)} mentors"
        else:
            round.opportunities.set(opportunities)
            detail = f"{len(participants)} people, {len(opportunities)} opportunities"
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="matching_round",
            object_id=round.pk,
            lab_id=lab.pk,
            detail=detail,
        )
        transaction.on_commit(lambda: _enqueue(round.pk))
    return round


def _enqueue(round_id: int) -> None:
    from openmil.placements.tasks import round_run_task

    round_run_task.enqueue(round_id=round_id)


def _progress(round: MatchingRound, percent: int) -> None:
    MatchingRound.objects.filter(pk=round.pk).update(progress=percent)


#: Scores of a round's pairs keyed (person id, target id), with the targets
#: (opportunity or mentor ids) and their capacities.
Scored = tuple[dict[tuple[int, int], dict[str, Any]], dict[int, int]]


def _score_opportunities(
    round: MatchingRound, people: list[Participant], today: dt.date
) -> Scored:
    """Pairs of people and open opportunities, with the lab's predicted
    probability of a good outcome mixed in where it has enough history."""
    opportunities = list(
        selectors.open_opportunities(lab_id=round.lab_id).filter(
            pk__in=round.opportunities.all()
        )
    )
    facts = selectors.person_facts(people)
    opp_facts = [selectors.opportunity_facts(o) for o in opportunities]
    _progress(round, 20)
    history_x, history_y = selectors.outcome_history(lab_id=round.lab_id)
    model = outcome_fit(history_x, history_y)
    round.outcome_model = (
        {"used": True, **model.calibration}
        if model
        else {"used": False, "n": len(history_y)}
    )
    _progress(round, 35)
    scored: dict[tuple[int, int], dict[str, Any]] = {}
    for person in people:
        for opp in opp_facts:
            score = opportunity_score(facts[person.pk], opp, today=today)
            scored[(person.pk, opp.id)] = score.as_json()
    if model is not None:
        keys = list(scored)
        probabilities = model.predict(
            [features(scored[k]["components"]) for k in keys]  # type: ignore[arg-type]
        )
        for key, p in zip(keys, probabilities, strict=True):
            scored[key]["outcome"] = round_float(p)
    for data in scored.values():
        value = float(data["total"])  # type: ignore[arg-type]
        if "outcome" in data:
            value = (1 - OUTCOME_SHARE) * value + OUTCOME_SHARE * float(
                data["outcome"]  # type: ignore[arg-type]
            )
        data["value"] = round_float(value)
    return scored, {o.id: o.capacity for o in opp_facts}


def _score_mentors(round: MatchingRound, people: list[Participant]) -> Scored:
    """Pairs of people and the round's mentors who are still approved; a
    mentor's capacity is the mentees they take less those they already have."""
    mentees = selectors.mentee_facts(people)
    mentors = selectors.mentor_facts(
        lab_id=round.lab_id,
        mentor_ids=set(round.mentors.values_list("pk", flat=True)),
    )
    round.outcome_model = {}
    _progress(round, 35)
    scored: dict[tuple[int, int], dict[str, Any]] = {}
    for person in people:
        for mentor in mentors:
            data = mentor_score(mentees[person.pk], mentor).as_json()
            data["value"] = data["total"]
            scored[(person.pk, mentor.id)] = data
    return scored, {m.id: m.capacity for m in mentors}


def round_execute(*, round_id: int, today: dt.date | None = None) -> MatchingRound:
    """Score, solve and store the proposals of a queued round."""
    round = MatchingRound.objects.select_related("created_by").get(pk=round_id)
    if round.status != MatchingRound.Status.QUEUED:
        return round
    MatchingRound.objects.filter(pk=round.pk).update(
        status=MatchingRound.Status.RUNNING, progress=1
    )
    today = today or timezone.localdate()
    mentor_round = round.kind == MatchingRound.Kind.MENTORS
    try:
        # Read as the person who asked: a round never sees more than they may.
        people = list(
            participant_queryset(user=round.created_by)
            .filter(lab_id=round.lab_id, pk__in=round.participants.all())
            .order_by("pk")
        )
        if mentor_round:
            scored, capacities = _score_mentors(round, people)
        else:
            scored, capacities = _score_opportunities(round, people, today)
        _progress(round, 55)
        problem = matching.Problem(
            dimensions=("people",),
            candidates=tuple(
                matching.Candidate(id=str(p.pk), size={"people": 1}) for p in people
            ),
            slots=tuple(
                matching.Slot(id=str(tid), capacity={"people": capacity})
                for tid, capacity in capacities.items()
            ),
            pairs=tuple(
                matching.Pair(
                    candidate=str(pid),
                    slot=str(tid),
                    score=float(data["value"]),  # type: ignore[arg-type]
                )
                for (pid, tid), data in scored.items()
                if not data["unmet"]
            ),
        )
        solution = matching.solve(problem)
        _progress(round, 85)
        chosen = {(int(a.candidate), int(a.slot)) for a in solution.assignments}
        target = "mentor_id" if mentor_round else "opportunity_id"
        rows: list[Proposal] = []
        for person in people:
            mine = sorted(
                ((tid, scored[(person.pk, tid)]) for tid in capacities),
                key=lambda item: (-float(item[1]["value"]), item[0]),  # type: ignore[arg-type]
            )
            kept = [
                (tid, data)
                for i, (tid, data) in enumerate(mine)
                if (person.pk, tid) in chosen or i < ALTERNATIVES
            ]
            rows.extend(
                Proposal(
                    round=round,
                    participant=person,
                    score=float(data["value"]),  # type: ignore[arg-type]
                    components=data,
                    chosen=(person.pk, tid) in chosen,
                    **{target: tid},
                )
                for tid, data in kept
            )
        with transaction.atomic():
            Proposal.objects.bulk_create(rows, batch_size=1000)
            round.status = MatchingRound.Status.DONE
            round.progress = 100
            round.result = {
                "status": solution.status,
                "objective": solution.objective,
                "bound": solution.bound,
                "gap": solution.gap,
                "seconds": round_float(solution.seconds),
                "people": len(people),
                ("mentors" if mentor_round else "opportunities"): len(capacities),
                "proposed": len(chosen),
            }
            round.finished_at = timezone.now()
            round.save()
    except Exception as error:  # noqa: BLE001 - a round records its failure
        round.status = MatchingRound.Status.FAILED
        round.message = f"{type(error).__name__}"[:300]
        round.finished_at = timezone.now()
        round.save()
    return round


def round_float(value: float) -> float:
    return round(float(value), 4)


# ---------------------------------------------------------------------------
# Review.


def _require_review(actor: Any, proposal: Proposal) -> None:
    _require_matching(actor, proposal.round.lab_id)
    if not participant_queryset(user=actor).filter(pk=proposal.participant_id).exists():
        raise PermissionDenied
    if proposal.decision != Proposal.Decision.PENDING:
        raise ValidationError(_("This proposal has already been decided."))


def service_for(opportunity: Opportunity) -> Service | None:
    """The service of the partner a referral for this opportunity goes to:
    one of the same pillar if any, else its first active service."""
    services = Service.objects.filter(
        organisation_id=opportunity.organisation_id, active=True
    ).order_by("id")
    if opportunity.pillar:
        same = services.filter(pillar=opportunity.pillar).first()
        if same is not None:
            return same
    return services.first()


def _room_taken(proposal: Proposal) -> bool:
    """Whether the opportunity or mentor of the pair has no room left: the
    opportunity's places accepted in this round, the mentor's active pairs."""
    if proposal.mentor_id is not None:
        mentor = Volunteer.objects.select_for_update().get(pk=proposal.mentor_id)
        active = MentoringPair.objects.filter(
            mentor=mentor, status=MentoringPair.Status.ACTIVE
        ).count()
        return active >= mentor.max_mentees
    assert proposal.opportunity is not None  # noqa: S101 - the model's constraint
    taken = Proposal.objects.filter(
        round=proposal.round,
        opportunity=proposal.opportunity,
        decision=Proposal.Decision.ACCEPTED,
    ).count()
    return taken >= proposal.opportunity.capacity


def _refer(
    *, actor: Any, proposal: Proposal, consent_override_reason: str
) -> dict[str, Any]:
    opportunity = proposal.opportunity
    assert opportunity is not None  # noqa: S101 - the model's constraint
    service = service_for(opportunity)
    if service is None:
        raise ValidationError(
            _("%(org)s offers no active service to refer to.")
            % {"org": opportunity.organisation.name}
        )
    referral = partner_services.referral_create(
        actor=actor,
        participant=proposal.participant,
        service=service,
        note=_("Proposed for the opportunity “%(title)s”.")
        % {"title": opportunity.title},
    )
    referral = partner_services.referral_send(
        actor=actor, referral=referral, override_reason=consent_override_reason
    )
    proposal.referral = referral
    return {"referral": {"before": None, "after": str(referral.pk)}}


def _pair(*, actor: Any, proposal: Proposal) -> dict[str, Any]:
    mentor = proposal.mentor
    assert mentor is not None  # noqa: S101 - the model's constraint
    pair = event_services.pair_create(
        actor=actor, mentor=mentor, participant=proposal.participant
    )
    proposal.mentoring_pair = pair
    return {"mentoring_pair": {"before": None, "after": str(pair.pk)}}


@transaction.atomic
def proposal_accept(
    *,
    actor: Any,
    proposal: Proposal,
    reason: str = "",
    consent_override_reason: str = "",
) -> Proposal:
    """Accept a pair. A person and an opportunity: a referral to the partner
    who posted it, sent at once (the participant's consent to share with that
    category of partner is checked by the referral service). A person and a
    mentor: a mentoring pair, through the events service and its rules.
    Accepting a pair the engine did not propose, or one whose opportunity or
    mentor has no room left, is an override: it needs a reason."""
    _require_review(actor, proposal)
    reason = reason.strip()
    if proposal.unmet:
        raise ValidationError(
            {
                "reason": _("A requirement of this mentor is not met.")
                if proposal.mentor_id
                else _("A requirement of this opportunity is not met.")
            }
        )
    override = not proposal.chosen or _room_taken(proposal)
    if override and not reason:
        raise ValidationError(
            {"reason": _("Say why you accept a pair the engine did not propose.")}
        )
    if Proposal.objects.filter(
        round=proposal.round,
        participant=proposal.participant,
        decision=Proposal.Decision.ACCEPTED,
    ).exists():
        raise ValidationError(_("This person already has an accepted proposal."))
    if proposal.mentor_id is not None:
        made = _pair(actor=actor, proposal=proposal)
    else:
        made = _refer(
            actor=actor,
            proposal=proposal,
            consent_override_reason=consent_override_reason,
        )
    proposal.decision = Proposal.Decision.ACCEPTED
    proposal.reason = reason
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="proposal",
        object_id=proposal.pk,
        participant=proposal.participant,
        detail="accepted (override)" if override else "accepted",
        changes={"decision": {"before": "pending", "after": "accepted"}, **made},
    )
    return proposal


@transaction.atomic
def proposal_reject(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """Reject a proposal; the reason is required and logged."""
    _require_review(actor, proposal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you reject this proposal.")})
    proposal.decision = Proposal.Decision.REJECTED
    proposal.reason = reason
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="proposal",
        object_id=proposal.pk,
        participant=proposal.participant,
        detail="rejected (override)" if proposal.chosen else "rejected",
        changes={
            "decision": {"before": "pending", "after": "rejected"},
            "reason": {"before": "", "after": "•••"},
        },
    )
    return proposal

"""Writes of matching: preferences, rounds, and the review of proposals.

A round runs in the background (`tasks.round_run_task`): it scores every
pair of its people and opportunities, adds the lab's predicted probability
of a good outcome where it has enough history, solves the assignment with
`openmil.matching.solve` under the opportunities' capacities and stores the
chosen pairs with the best alternatives, to explain the choices. A person
accepts or rejects each proposal; an accepted one becomes a referral to the
partner who posted the opportunity, sent if the participant consents.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil import matching
from openmil.core import access
from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry, Lab
from openmil.core.roles import Perm
from openmil.participants.models import Participant
from openmil.participants.selectors import participant_queryset
from openmil.partners import services as partner_services
from openmil.partners.models import Opportunity, Service
from openmil.placements import selectors
from openmil.placements.models import MatchingPreference, MatchingRound, Proposal
from openmil.placements.outcome import features, outcome_fit
from openmil.placements.scores import opportunity_score

#: Alternatives kept per person besides the chosen pair, to explain choices.
ALTERNATIVES = 8
#: With an outcome model, the pair's value is this mix of score and probability.
OUTCOME_SHARE = 0.5
MAX_PEOPLE = 2000
MAX_OPPORTUNITIES = 1000


def _require_matching(actor: Any, lab_id: int) -> None:
    if not access.can(actor, Perm.RUN_MATCHING, lab_id):
        raise PermissionDenied


# ---------------------------------------------------------------------------
# Preferences.


@transaction.atomic
def preference_update(
    *, actor: Any, participant: Participant, data: dict[str, Any]
) -> MatchingPreference:
    """Record what the participant said they want."""
    if not access.can(actor, Perm.EDIT_PERSONAL, participant.lab_id):
        raise PermissionDenied
    if not participant_queryset(user=actor).filter(pk=participant.pk).exists():
        raise PermissionDenied
    pref, _created = MatchingPreference.objects.get_or_create(participant=participant)
    fields = ("occupations", "kinds", "places", "available_from", "mentor_gender")
    before = {name: getattr(pref, name) for name in fields}
    for name in fields:
        if name in data:
            setattr(pref, name, data[name])
    if "interests" in data:
        pref.interests = data["interests"]
    pref.updated_by = actor
    pref.full_clean()
    pref.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="matching_preference",
        object_id=pref.pk,
        participant=participant,
        changes={
            name: {"before": str(before[name]), "after": str(getattr(pref, name))}
            for name in fields
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
    opportunities: list[Opportunity],
) -> MatchingRound:
    """Queue a round for people the actor may see and open opportunities of
    the lab's partners."""
    _require_matching(actor, lab.pk)
    errors: dict[str, str] = {}
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
    allowed = set(
        selectors.open_opportunities(lab_id=lab.pk).values_list("pk", flat=True)
    )
    if not opportunities or len(opportunities) > MAX_OPPORTUNITIES:
        errors["opportunities"] = _("Choose between 1 and %(n)s opportunities.") % {
            "n": MAX_OPPORTUNITIES
        }
    elif any(o.pk not in allowed for o in opportunities):
        errors["opportunities"] = _(
            "Only open jobs and training seats of this lab's partners can be matched."
        )
    title = (title or "").strip()[:200]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        round = MatchingRound.objects.create(
            lab=lab,
            title=title or _("Matching round"),
            created_by=actor,
        )
        round.participants.set(participants)
        round.opportunities.set(opportunities)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="matching_round",
            object_id=round.pk,
            lab_id=lab.pk,
            detail=f"{len(participants)} people, {len(opportunities)} opportunities",
        )
        transaction.on_commit(lambda: _enqueue(round.pk))
    return round


def _enqueue(round_id: int) -> None:
    from openmil.placements.tasks import round_run_task

    round_run_task.enqueue(round_id=round_id)


def _progress(round: MatchingRound, percent: int) -> None:
    MatchingRound.objects.filter(pk=round.pk).update(progress=percent)


def round_execute(*, round_id: int, today: dt.date | None = None) -> MatchingRound:
    """Score, solve and store the proposals of a queued round."""
    round = MatchingRound.objects.select_related("created_by").get(pk=round_id)
    if round.status != MatchingRound.Status.QUEUED:
        return round
    MatchingRound.objects.filter(pk=round.pk).update(
        status=MatchingRound.Status.RUNNING, progress=1
    )
    today = today or timezone.localdate()
    try:
        # Read as the person who asked: a round never sees more than they may.
        people = list(
            participant_queryset(user=round.created_by)
            .filter(lab_id=round.lab_id, pk__in=round.participants.all())
            .order_by("pk")
        )
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
        values: dict[tuple[int, int], float] = {}
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
        for key, data in scored.items():
            value = float(data["total"])  # type: ignore[arg-type]
            if "outcome" in data:
                value = (1 - OUTCOME_SHARE) * value + OUTCOME_SHARE * float(
                    data["outcome"]  # type: ignore[arg-type]
                )
            data["value"] = round_float(value)
            values[key] = value
        _progress(round, 55)
        problem = matching.Problem(
            dimensions=("people",),
            candidates=tuple(
                matching.Candidate(id=str(p.pk), size={"people": 1}) for p in people
            ),
            slots=tuple(
                matching.Slot(id=str(o.id), capacity={"people": o.capacity})
                for o in opp_facts
            ),
            pairs=tuple(
                matching.Pair(
                    candidate=str(pid), slot=str(oid), score=values[(pid, oid)]
                )
                for (pid, oid), data in scored.items()
                if not data["unmet"]
            ),
        )
        solution = matching.solve(problem)
        _progress(round, 85)
        chosen = {(int(a.candidate), int(a.slot)) for a in solution.assignments}
        rows: list[Proposal] = []
        for person in people:
            mine = sorted(
                ((oid, scored[(person.pk, oid)]) for oid in (o.id for o in opp_facts)),
                key=lambda item: (-float(item[1]["value"]), item[0]),  # type: ignore[arg-type]
            )
            kept = [
                (oid, data)
                for i, (oid, data) in enumerate(mine)
                if (person.pk, oid) in chosen or i < ALTERNATIVES
            ]
            rows.extend(
                Proposal(
                    round=round,
                    participant=person,
                    opportunity_id=oid,
                    score=float(data["value"]),  # type: ignore[arg-type]
                    components=data,
                    chosen=(person.pk, oid) in chosen,
                )
                for oid, data in kept
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
                "opportunities": len(opp_facts),
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


@transaction.atomic
def proposal_accept(
    *,
    actor: Any,
    proposal: Proposal,
    reason: str = "",
    consent_override_reason: str = "",
) -> Proposal:
    """Accept a pair: a referral to the partner who posted the opportunity,
    sent at once (the participant's consent to share with that category of
    partner is checked by the referral service). Accepting a pair the engine
    did not propose, or one already taken to capacity, is an override: it
    needs a reason."""
    _require_review(actor, proposal)
    reason = reason.strip()
    if proposal.unmet:
        raise ValidationError(
            {"reason": _("A requirement of this opportunity is not met.")}
        )
    taken = Proposal.objects.filter(
        round=proposal.round,
        opportunity=proposal.opportunity,
        decision=Proposal.Decision.ACCEPTED,
    ).count()
    override = not proposal.chosen or taken >= proposal.opportunity.capacity
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
    service = service_for(proposal.opportunity)
    if service is None:
        raise ValidationError(
            _("%(org)s offers no active service to refer to.")
            % {"org": proposal.opportunity.organisation.name}
        )
    referral = partner_services.referral_create(
        actor=actor,
        participant=proposal.participant,
        service=service,
        note=_("Proposed for the opportunity “%(title)s”.")
        % {"title": proposal.opportunity.title},
    )
    referral = partner_services.referral_send(
        actor=actor, referral=referral, override_reason=consent_override_reason
    )
    proposal.decision = Proposal.Decision.ACCEPTED
    proposal.reason = reason
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.referral = referral
    proposal.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="proposal",
        object_id=proposal.pk,
        participant=proposal.participant,
        detail="accepted (override)" if override else "accepted",
        changes={
            "decision": {"before": "pending", "after": "accepted"},
            "referral": {"before": None, "after": str(referral.pk)},
        },
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

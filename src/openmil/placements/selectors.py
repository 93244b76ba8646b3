"""Reads of matching rounds, proposals, preferences and the facts scored.

Rounds are scoped to the labs where the user may run matching; proposals are
read through `participant_queryset`, so protected cases stay hidden.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from openmil.core import access
from openmil.core.pillars import Pillar
from openmil.core.roles import Perm
from openmil.events import selectors as event_selectors
from openmil.events.models import MentoringPair, Volunteer
from openmil.participants.models import Participant
from openmil.participants.selectors import participant_queryset
from openmil.partners.models import Opportunity, Referral
from openmil.pathways.models import Assessment, FollowUpSurvey
from openmil.placements.models import MatchingPreference, MatchingRound, Proposal
from openmil.placements.scores import (
    MenteeFacts,
    MentorFacts,
    OpportunityFacts,
    PersonFacts,
)

#: Kinds of opportunity scored by `opportunity_score` (jobs and training).
SCORED_KINDS = (Opportunity.Kind.VACANCY, Opportunity.Kind.TRAINING)


def lab_ids_matching(user: Any) -> set[int]:
    return access.lab_ids_with(user, Perm.RUN_MATCHING)


def round_queryset(*, user: Any) -> QuerySet[MatchingRound]:
    return MatchingRound.objects.filter(lab_id__in=lab_ids_matching(user))


def round_get(*, user: Any, round_id: int) -> MatchingRound:
    found = round_queryset(user=user).select_related("lab").filter(pk=round_id).first()
    if found is None:
        raise Http404
    return found


def proposal_queryset(*, user: Any, round: MatchingRound) -> QuerySet[Proposal]:
    return Proposal.objects.filter(
        round=round,
        participant__in=participant_queryset(user=user).filter(lab_id=round.lab_id),
    ).select_related(
        "participant", "opportunity", "opportunity__organisation", "mentor"
    )


def proposal_get(*, user: Any, proposal_id: int) -> Proposal:
    found = (
        Proposal.objects.filter(
            pk=proposal_id, round__lab_id__in=lab_ids_matching(user)
        )
        .select_related("round", "participant", "opportunity__organisation", "mentor")
        .first()
    )
    if (
        found is None
        or not participant_queryset(user=user).filter(pk=found.participant_id).exists()
    ):
        raise Http404
    return found


def open_opportunities(*, lab_id: int) -> QuerySet[Opportunity]:
    """Open jobs and training seats of the lab's partners."""
    return (
        Opportunity.objects.filter(
            organisation__lab_id=lab_id, is_open=True, kind__in=SCORED_KINDS
        )
        .select_related("organisation", "isco_group")
        .order_by("title", "id")
    )


def preference_of(participant: Participant) -> MatchingPreference | None:
    return MatchingPreference.objects.filter(participant=participant).first()


def latest_cefr(participant_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per person and language: the lowest of the latest level of each skill."""
    latest: dict[tuple[int, str, str], int] = {}
    rows = (
        Assessment.objects.filter(
            participant_id__in=list(participant_ids),
            kind=Assessment.Kind.CEFR,
            cefr_level__isnull=False,
        )
        .order_by("-assessed_on", "-id")
        .values_list("participant_id", "language", "skill", "cefr_level")
    )
    for pid, language, skill, level in rows:
        if level is not None:
            latest.setdefault((pid, language, skill), level)
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for (pid, language, _skill), level in latest.items():
        out[pid][language] = min(level, out[pid].get(language, level))
    return out


def person_facts(participants: Iterable[Participant]) -> dict[int, PersonFacts]:
    people = list(participants)
    ids = [p.pk for p in people]
    held: dict[int, list[str]] = defaultdict(list)
    for pid, code in (
        Assessment.objects.filter(
            participant_id__in=ids,
            kind=Assessment.Kind.EMPLOYMENT,
            occupation__isnull=False,
        )
        .order_by("-assessed_on", "-id")
        .values_list("participant_id", "occupation_id")
    ):
        if code not in held[pid]:
            held[pid].append(code)
    prefs = {
        p.participant_id: p
        for p in MatchingPreference.objects.filter(participant_id__in=ids)
    }
    cefr = latest_cefr(ids)
    facts = {}
    for person in people:
        pref = prefs.get(person.pk)
        facts[person.pk] = PersonFacts(
            id=person.pk,
            occupations=tuple(held[person.pk]),
            wanted_occupations=tuple(pref.occupations) if pref else (),
            cefr=dict(cefr.get(person.pk, {})),
            places=tuple(p.lower() for p in pref.places) if pref else (),
            available_from=pref.available_from if pref else None,
            kinds=tuple(pref.kinds) if pref else (),
        )
    return facts


def opportunity_facts(opportunity: Opportunity) -> OpportunityFacts:
    return OpportunityFacts(
        id=opportunity.pk,
        kind=opportunity.kind,
        isco=opportunity.isco_group_id or "",
        language=opportunity.language,
        min_cefr=opportunity.min_cefr,
        place=opportunity.place,
        starts_on=opportunity.starts_on,
        ends_on=opportunity.ends_on,
        capacity=opportunity.capacity,
    )


def _degrees(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def mentee_facts(participants: Iterable[Participant]) -> dict[int, MenteeFacts]:
    """What a mentor is matched on: the person's languages, gender, and the
    interests, mentor gender, free times and meeting area (its coordinates,
    stored rounded to about 1 km) they stated."""
    people = list(participants)
    prefs = {
        p.participant_id: p
        for p in MatchingPreference.objects.filter(
            participant_id__in=[p.pk for p in people]
        )
    }
    facts = {}
    for person in people:
        pref = prefs.get(person.pk)
        languages = [person.mother_tongue, *person.other_languages]
        facts[person.pk] = MenteeFacts(
            id=person.pk,
            languages=tuple(code for code in languages if code),
            interests=tuple(pref.interests) if pref else (),
            wants_gender=pref.mentor_gender if pref else "",
            availability=tuple(pref.availability) if pref else (),
            lat=_degrees(pref.meeting_latitude) if pref else None,
            lon=_degrees(pref.meeting_longitude) if pref else None,
            gender=person.sex
            if person.sex in (Participant.Sex.FEMALE, Participant.Sex.MALE)
            else "",
        )
    return facts


#: A mentor's stated preference of mentees, as a mentee's gender.
PREFERS = {
    Volunteer.GenderPreference.WOMEN: "female",
    Volunteer.GenderPreference.MEN: "male",
}


def mentor_facts(*, lab_id: int, mentor_ids: set[int]) -> list[MentorFacts]:
    """The approved mentors of the lab among `mentor_ids`, each with room for
    as many mentees as they take less the ones they already mentor. Their
    interests (pillars, by code and name) and skills are matched against the
    mentee's interests."""
    pillars = dict(Pillar.choices)
    candidates = [
        c for c in event_selectors.mentor_candidates(lab_id) if c["id"] in mentor_ids
    ]
    mentees: dict[int, list[int]] = defaultdict(list)
    for mentor_id, participant_id in MentoringPair.objects.filter(
        mentor_id__in=[c["id"] for c in candidates],
        status=MentoringPair.Status.ACTIVE,
    ).values_list("mentor_id", "participant_id"):
        mentees[mentor_id].append(participant_id)
    return [
        MentorFacts(
            id=c["id"],
            languages=tuple(c["languages"]),
            interests=(
                *c["interests"],
                *(str(pillars[code]) for code in c["interests"] if code in pillars),
                *c["skills"],
            ),
            gender=c["gender"] if c["gender"] in ("female", "male") else "",
            availability=tuple(c["availability"]),
            lat=c["latitude"],
            lon=c["longitude"],
            capacity=max(0, c["max_mentees"] - c["active_pairs"]),
            prefers=PREFERS.get(c["gender_preference"], ""),
            mentees=tuple(mentees[c["id"]]),
        )
        for c in candidates
    ]


def outcome_history(*, lab_id: int) -> tuple[list[list[float]], list[int]]:
    """Components and outcomes of the lab's past accepted proposals whose
    referral is closed: good if completed and, where a follow-up survey was
    answered after it, the person was employed."""
    from openmil.placements.outcome import features

    rows = (
        Proposal.objects.filter(
            round__lab_id=lab_id,
            decision=Proposal.Decision.ACCEPTED,
            referral__status__in=(
                Referral.Status.COMPLETED,
                Referral.Status.NOT_COMPLETED,
                Referral.Status.DECLINED,
            ),
        )
        .select_related("referral")
        .order_by("id")
    )
    rows_list = list(rows)
    surveys: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for pid, answered, status in FollowUpSurvey.objects.filter(
        pathway__participant_id__in=[r.participant_id for r in rows_list],
        answered_at__isnull=False,
    ).values_list("pathway__participant_id", "answered_at", "employment_status"):
        if answered is not None:
            surveys[pid].append((answered, status))
    x: list[list[float]] = []
    y: list[int] = []
    for proposal in rows_list:
        referral = proposal.referral
        if referral is None:
            continue
        good = referral.status == Referral.Status.COMPLETED
        after = [
            status
            for answered, status in surveys[proposal.participant_id]
            if answered >= referral.created_at and status
        ]
        if good and after:
            good = after[-1] == "employed"
        x.append(features(proposal.components.get("components", [])))
        y.append(int(good))
    return x, y


# ---------------------------------------------------------------------------
# Review: why this one, why not that one.


def unmet_text(code: str) -> str:
    """A requirement a pair does not meet, in words."""
    from django.utils.translation import gettext as _

    from openmil.core.codes import CefrLevel, language_name

    parts = code.split(":")
    if parts[0] == "language" and len(parts) == 3:
        have, need = parts[2].split("<")
        return _("%(language)s level %(have)s, %(need)s required") % {
            "language": language_name(parts[1]),
            "have": CefrLevel(int(have)).label if have != "none" else _("not assessed"),
            "need": CefrLevel(int(need)).label,
        }
    mentor_reasons = {
        "mentor:no_shared_language": _("no language in common"),
        "mentor:gender": _("the person asked for a mentor of another gender"),
        "mentor:prefers_other_gender": _(
            "the mentor would rather accompany people of another gender"
        ),
        "mentor:no_common_time": _("no free time in common"),
        "mentor:already_paired": _("this mentor already accompanies the person"),
    }
    if code in mentor_reasons:
        return str(mentor_reasons[code])
    if code == "dates:ended":
        return _("the opportunity has ended")
    if code == "dates:unavailable":
        return _("it ends before the person is available")
    return code


def explain(proposal: Proposal, chosen: Proposal | None) -> str:
    """Why a pair was not proposed: a requirement unmet, the capacity full
    (a better pair for this person went to others), or a lower score."""
    from django.utils.translation import gettext as _

    if proposal.chosen:
        return _("Proposed: the best total for the round under the capacities.")
    if proposal.unmet:
        return _("Requirement unmet: %(what)s.") % {
            "what": "; ".join(unmet_text(u) for u in proposal.unmet)
        }
    if chosen is None or proposal.score > chosen.score:
        if proposal.mentor_id is not None:
            return _(
                "Capacity full: this mentor takes no more people, or their "
                "places went to people for whom they count more."
            )
        return _("Capacity full: its places went to people for whom it counts more.")
    return _("Lower score than the proposal.")


def round_review(*, user: Any, round: MatchingRound) -> list[dict[str, Any]]:
    """Per person the round saw: the proposal, alternatives with their
    explanation, and the person's stated preferences."""
    rows = list(proposal_queryset(user=user, round=round))
    prefs = {
        p.participant_id: p
        for p in MatchingPreference.objects.filter(
            participant_id__in={r.participant_id for r in rows}
        )
    }
    people: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = people.setdefault(
            row.participant_id,
            {
                "participant": row.participant,
                "chosen": None,
                "pairs": [],
                "preference": prefs.get(row.participant_id),
            },
        )
        if row.chosen:
            entry["chosen"] = row
        entry["pairs"].append(row)
    for entry in people.values():
        entry["pairs"] = [
            {"proposal": p, "why": explain(p, entry["chosen"])} for p in entry["pairs"]
        ]
    return sorted(people.values(), key=lambda e: e["participant"].reference)


def round_review_audit(*, user: Any, round: MatchingRound, ids: list[int]) -> None:
    from openmil.core.audit import audit_record
    from openmil.core.models import AuditEntry

    audit_record(
        actor=user,
        action=AuditEntry.Action.VIEW,
        object_type="matching_round",
        object_id=round.pk,
        lab_id=round.lab_id,
        detail=f"{len(ids)} in a review",
        changes={"participants": sorted(set(ids))},
    )

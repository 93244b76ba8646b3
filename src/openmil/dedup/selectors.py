"""Reads for duplicate detection, always through `participant_queryset`.

A pair of records is shown only to a user who may see BOTH of them: the
candidates of a run are filtered by the viewer's own queryset each time,
so a restricted or another lab's record never appears.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace
from django.http import Http404

from openmil.core import access
from openmil.core.models import Lab
from openmil.core.roles import Perm
from openmil.dedup.features import features, latin, phone_digits
from openmil.dedup.linkage import (
    DEFAULT_PARAMS,
    ModelParams,
    match_weight,
    probability,
)
from openmil.dedup.models import DedupRun, DuplicateCandidate, LinkageModel, Merge
from openmil.participants.models import Participant, normalise_for_search
from openmil.participants.selectors import participant_queryset

RECORD_FIELDS = (
    "id",
    "lab_id",
    "given_name",
    "family_name",
    "name_latin",
    "birth_date",
    "birth_date_precision",
    "country_of_origin",
    "phone",
)
#: The live check lists people whose probability of being the same is at
#: least this.
LIVE_THRESHOLD = 0.5
LIVE_LIMIT = 5
LIVE_BLOCK_LIMIT = 300


def model_params(*, network_id: int | None) -> ModelParams:
    """The network's trained parameters, or the documented priors."""
    if network_id is not None:
        stored = LinkageModel.objects.filter(network_id=network_id).first()
        if stored is not None and stored.params:
            return ModelParams.from_json(stored.params)
    return DEFAULT_PARAMS


def linkage_records(qs: QuerySet[Participant]) -> Iterator[dict[str, Any]]:
    """The comparison columns of every participant of `qs`, streamed."""
    for row in qs.order_by().values(*RECORD_FIELDS).iterator(chunk_size=5000):
        record = features(row)
        record["unique_id"] = row["id"]
        yield record


def run_scope(*, user: Any, run: DedupRun) -> QuerySet[Participant]:
    qs = participant_queryset(user=user)
    if run.lab_id is not None:
        return qs.filter(lab_id=run.lab_id)
    return qs.filter(lab__network_id=run.network_id)


def candidates_for(*, user: Any, status: str = "open") -> QuerySet[DuplicateCandidate]:
    """Pairs where the user may see both records (and merge in their lab)."""
    visible = participant_queryset(user=user)
    qs = DuplicateCandidate.objects.filter(
        left__in=visible,
        right__in=visible,
        left__lab_id__in=access.lab_ids_with(user, Perm.MERGE_PARTICIPANTS),
    )
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("left", "right", "left__lab", "right__lab", "run")


def candidate_get(*, user: Any, candidate_id: Any) -> DuplicateCandidate:
    try:
        return candidates_for(user=user, status="").get(pk=candidate_id)
    except (DuplicateCandidate.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def candidates_of_participant(
    *, user: Any, participant: Participant
) -> QuerySet[DuplicateCandidate]:
    return candidates_for(user=user).filter(Q(left=participant) | Q(right=participant))


def runs_for(*, user: Any) -> QuerySet[DedupRun]:
    labs = access.lab_ids_with(user, Perm.MERGE_PARTICIPANTS)
    return DedupRun.objects.filter(requested_by=user).filter(
        Q(lab_id__in=labs) | Q(lab__isnull=True)
    )


def run_get(*, user: Any, run_id: Any) -> DedupRun:
    try:
        return runs_for(user=user).get(pk=run_id)
    except (DedupRun.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def merges_for(*, user: Any) -> QuerySet[Merge]:
    labs = access.lab_ids_with(user, Perm.MERGE_PARTICIPANTS)
    return Merge.objects.filter(
        lab_id__in=labs, kept__in=participant_queryset(user=user)
    ).select_related("kept", "merged_by")


def merge_get(*, user: Any, merge_id: Any) -> Merge:
    try:
        return merges_for(user=user).get(pk=merge_id)
    except (Merge.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


@dataclass(frozen=True)
class LiveMatch:
    participant: Participant
    probability: float


def _digits_of_phone() -> Any:
    expression: Any = "phone"
    for char in (" ", "-", "+", ".", "(", ")", "/"):
        expression = Replace(expression, Value(char), Value(""))
    return expression


def live_candidates(
    *, user: Any, lab: Lab, data: dict[str, Any], exclude_id: int | None = None
) -> list[LiveMatch]:
    """People of the lab who may be the person being registered.

    A cheap blocking query (same or swapped date of birth, same phone, a
    shared name word) over the user's own queryset, then the trained
    model's weights on each candidate. Fast enough to run as the form is
    typed (tens of milliseconds on 100,000 records).
    """
    new = features(data)
    birth: dt.date | None = data.get("birth_date")
    block = Q(pk__in=[])
    if birth is not None:
        block |= Q(birth_date=birth)
        if birth.day <= 12:
            with contextlib.suppress(ValueError):
                block |= Q(birth_date=birth.replace(month=birth.day, day=birth.month))
    words = [
        w
        for w in normalise_for_search(
            " ".join(
                [
                    data.get("given_name") or "",
                    data.get("family_name") or "",
                    data.get("name_latin") or "",
                ]
            )
        ).split()
        + latin(
            " ".join([data.get("family_name") or "", data.get("name_latin") or ""])
        ).split()
        if len(w) >= 3
    ][:6]
    name_q = Q(pk__in=[])
    for word in words:
        name_q |= Q(search_text__contains=word)
    if birth is not None:
        name_q &= Q(birth_date__year__in=[birth.year - 1, birth.year, birth.year + 1])
    block |= name_q
    qs = participant_queryset(user=user).filter(lab=lab)
    phone = phone_digits(data.get("phone") or "")
    if phone:
        qs = qs.annotate(_digits=_digits_of_phone())
        block |= Q(_digits__endswith=phone[-8:])
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    params = model_params(network_id=lab.network_id)
    matches = []
    for person in qs.filter(block).only(*RECORD_FIELDS[2:], "reference", "lab_id")[
        :LIVE_BLOCK_LIMIT
    ]:
        other = features({f: getattr(person, f) for f in RECORD_FIELDS[2:]})
        p = probability(match_weight(new, other, params))
        if p >= LIVE_THRESHOLD:
            matches.append(LiveMatch(person, p))
    matches.sort(key=lambda m: -m.probability)
    return matches[:LIVE_LIMIT]

"""Scores of pairs from plain data: each score keeps its components.

Pure functions on dataclasses, no database access: the selectors build the
facts, these functions weigh them. A pair that breaks a hard requirement
(a CEFR level far below the required one, dates that do not overlap the
person's availability) gets `unmet` reasons and is not offered to the engine.

Scores are in [0, 1]: a weighted mean of components in [0, 1].
"""

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Weights of the components of a job or training score.
OPPORTUNITY_WEIGHTS = {
    "occupation": 0.35,
    "language": 0.25,
    "place": 0.15,
    "dates": 0.10,
    "preference": 0.15,
}
#: Weights of the components of a mentor score.
MENTOR_WEIGHTS = {
    "languages": 0.30,
    "interests": 0.25,
    "gender": 0.15,
    "availability": 0.15,
    "distance": 0.15,
}
#: Levels below the required CEFR level still allowed (with a lower score):
#: one level short can be bridged by a course during the placement.
CEFR_TOLERANCE = 1
#: Distance (km) at which the distance component of a mentor reaches 0.
MENTOR_MAX_KM = 30.0


@dataclass(frozen=True)
class Component:
    name: str
    value: float  # in [0, 1]
    weight: float
    detail: str = ""


@dataclass(frozen=True)
class Score:
    total: float
    components: tuple[Component, ...]
    unmet: tuple[str, ...] = ()

    @property
    def feasible(self) -> bool:
        return not self.unmet

    def as_json(self) -> dict[str, object]:
        return {
            "total": round(self.total, 4),
            "components": [
                {
                    "name": c.name,
                    "value": round(c.value, 4),
                    "weight": c.weight,
                    "detail": c.detail,
                }
                for c in self.components
            ],
            "unmet": list(self.unmet),
        }


def _combine(components: list[Component], unmet: list[str]) -> Score:
    weight = sum(c.weight for c in components) or 1.0
    total = sum(c.value * c.weight for c in components) / weight
    return Score(total=total, components=tuple(components), unmet=tuple(unmet))


# ---------------------------------------------------------------------------
# Jobs and training.


@dataclass(frozen=True)
class PersonFacts:
    """What the platform knows about a person, for scoring."""

    id: int
    #: ISCO-08 codes of occupations held (employment assessments), most recent first.
    occupations: tuple[str, ...] = ()
    #: ISCO-08 codes the person would like to work in (stated preferences).
    wanted_occupations: tuple[str, ...] = ()
    #: Latest CEFR level per language: the lowest of the latest level per skill.
    cefr: dict[str, int] = field(default_factory=dict)
    #: Places the person would accept (lower-cased), empty: anywhere.
    places: tuple[str, ...] = ()
    #: Where the person lives (lower-cased), if known.
    home: str = ""
    available_from: dt.date | None = None
    #: Opportunity kinds the person wants, empty: any.
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpportunityFacts:
    id: int
    kind: str
    isco: str = ""
    language: str = ""
    min_cefr: int | None = None
    place: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    capacity: int = 1


def isco_proximity(a: str, b: str) -> float:
    """1 for the same ISCO-08 unit group, 0.75 same minor group, 0.5 same
    sub-major group, 0.25 same major group, 0 otherwise."""
    if not a or not b:
        return 0.0
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return shared / 4


def occupation_component(person: PersonFacts, isco: str) -> Component:
    w = OPPORTUNITY_WEIGHTS["occupation"]
    if not isco:
        return Component("occupation", 0.5, w, "no occupation required")
    best, source = 0.0, ""
    for code in person.occupations:
        p = isco_proximity(code, isco)
        if p > best:
            best, source = p, f"held ISCO {code}"
    for code in person.wanted_occupations:
        p = isco_proximity(code, isco) * 0.9  # wanted but not yet held
        if p > best:
            best, source = p, f"wanted ISCO {code}"
    if not source:
        return Component("occupation", 0.0, w, f"no occupation near ISCO {isco}")
    return Component("occupation", best, w, f"{source} vs ISCO {isco}")


def language_component(
    person: PersonFacts, language: str, required: int | None
) -> tuple[Component, str | None]:
    """The component and, if the gap is too wide, the unmet requirement."""
    w = OPPORTUNITY_WEIGHTS["language"]
    if not language or required is None:
        return Component("language", 1.0, w, "no level required"), None
    level = person.cefr.get(language)
    if level is None:
        return (
            Component("language", 0.0, w, f"no {language} assessment"),
            f"language:{language}:none<{required}",
        )
    gap = required - level
    if gap <= 0:
        return Component("language", 1.0, w, f"{language} {level} ≥ {required}"), None
    value = max(0.0, 1.0 - gap / (CEFR_TOLERANCE + 1))
    unmet = f"language:{language}:{level}<{required}" if gap > CEFR_TOLERANCE else None
    return Component("language", value, w, f"{language} {level} < {required}"), unmet


def place_component(person: PersonFacts, place: str) -> Component:
    w = OPPORTUNITY_WEIGHTS["place"]
    where = place.strip().lower()
    if not where:
        return Component("place", 1.0, w, "no place")
    if person.places:
        hit = any(p in where or where in p for p in person.places)
        return Component("place", 1.0 if hit else 0.0, w, place)
    if person.home:
        hit = person.home in where or where in person.home
        return Component("place", 1.0 if hit else 0.5, w, place)
    return Component("place", 0.5, w, place)


def dates_component(
    person: PersonFacts, starts: dt.date | None, ends: dt.date | None, today: dt.date
) -> tuple[Component, str | None]:
    w = OPPORTUNITY_WEIGHTS["dates"]
    if ends is not None and ends < today:
        return Component("dates", 0.0, w, f"ended {ends}"), "dates:ended"
    free = person.available_from
    if free is not None and ends is not None and free > ends:
        return Component("dates", 0.0, w, f"available {free}"), "dates:unavailable"
    if free is not None and starts is not None and free > starts:
        days = (free - starts).days
        value = math.exp(-days / 60)
        return Component("dates", value, w, f"starts {days} d early"), None
    return Component("dates", 1.0, w, "available"), None


def preference_component(person: PersonFacts, kind: str) -> Component:
    w = OPPORTUNITY_WEIGHTS["preference"]
    if not person.kinds:
        return Component("preference", 0.5, w, "no stated preference")
    wanted = kind in person.kinds
    return Component("preference", 1.0 if wanted else 0.0, w, kind)


def opportunity_score(
    person: PersonFacts, opportunity: OpportunityFacts, *, today: dt.date
) -> Score:
    """Score of a person for a vacancy or training seat, with its components."""
    unmet: list[str] = []
    language, miss = language_component(
        person, opportunity.language, opportunity.min_cefr
    )
    if miss:
        unmet.append(miss)
    dates, miss = dates_component(
        person, opportunity.starts_on, opportunity.ends_on, today
    )
    if miss:
        unmet.append(miss)
    components = [
        occupation_component(person, opportunity.isco),
        language,
        place_component(person, opportunity.place),
        dates,
        preference_component(person, opportunity.kind),
    ]
    return _combine(components, unmet)


# ---------------------------------------------------------------------------
# Mentors.


@dataclass(frozen=True)
class MenteeFacts:
    id: int
    languages: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    #: "female", "male" or "" (no preference).
    wants_gender: str = ""
    #: Weekly time slots the person is free, e.g. ("mon-am", "sat-pm").
    availability: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    #: The person's own gender, "female", "male" or "" (not stated).
    gender: str = ""


@dataclass(frozen=True)
class MentorFacts:
    id: int
    languages: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    gender: str = ""
    availability: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    capacity: int = 1
    #: The gender of mentees the mentor would rather take, "" for any.
    prefers: str = ""
    #: The mentor already mentors this person (ids of current mentees).
    mentees: tuple[int, ...] = ()


def _overlap(
    a: Iterable[str], b: Iterable[str], *, any_one: bool = False
) -> tuple[float, list[str]]:
    """Share of the mentee's items the mentor shares (1 for any shared one
    with `any_one`), and the shared items."""
    left = {x.strip().lower() for x in a if x.strip()}
    right = {x.strip().lower() for x in b if x.strip()}
    if not left or not right:
        return 0.0, []
    shared = sorted(left & right)
    if any_one:
        return (1.0 if shared else 0.0), shared
    return len(shared) / len(left), shared


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def mentor_score(mentee: MenteeFacts, mentor: MentorFacts) -> Score:
    """Score of a mentor for a mentee: no shared language, a stated gender
    preference of either side the other does not meet (a mentee whose gender
    is not stated meets any), no common free time, or a pair that already
    exists makes the pair unmet."""
    unmet: list[str] = []
    if mentee.id in mentor.mentees:
        unmet.append("mentor:already_paired")
    value, shared = _overlap(mentee.languages, mentor.languages, any_one=True)
    if not shared:
        unmet.append("mentor:no_shared_language")
    components = [
        Component("languages", value, MENTOR_WEIGHTS["languages"], ", ".join(shared))
    ]
    value, shared = _overlap(mentee.interests, mentor.interests)
    components.append(
        Component("interests", value, MENTOR_WEIGHTS["interests"], ", ".join(shared))
    )
    mentor_ok = not (
        mentor.prefers and mentee.gender and mentee.gender != mentor.prefers
    )
    if not mentor_ok:
        unmet.append("mentor:prefers_other_gender")
    if mentee.wants_gender:
        ok = mentee.wants_gender == mentor.gender and mentor_ok
        if mentee.wants_gender != mentor.gender:
            unmet.append("mentor:gender")
        components.append(
            Component(
                "gender",
                1.0 if ok else 0.0,
                MENTOR_WEIGHTS["gender"],
                mentor.gender or "not stated",
            )
        )
    else:
        components.append(
            Component(
                "gender",
                1.0 if mentor_ok else 0.0,
                MENTOR_WEIGHTS["gender"],
                "no preference" if mentor_ok else f"mentor prefers {mentor.prefers}",
            )
        )
    if mentee.availability and mentor.availability:
        value, shared = _overlap(mentee.availability, mentor.availability)
        if not shared:
            unmet.append("mentor:no_common_time")
        components.append(
            Component(
                "availability",
                value,
                MENTOR_WEIGHTS["availability"],
                ", ".join(shared),
            )
        )
    else:
        components.append(
            Component("availability", 0.5, MENTOR_WEIGHTS["availability"], "unknown")
        )
    if None not in (mentee.lat, mentee.lon, mentor.lat, mentor.lon):
        km = km_between(mentee.lat, mentee.lon, mentor.lat, mentor.lon)  # type: ignore[arg-type]
        components.append(
            Component(
                "distance",
                max(0.0, 1.0 - km / MENTOR_MAX_KM),
                MENTOR_WEIGHTS["distance"],
                f"{km:.1f} km",
            )
        )
    else:
        components.append(
            Component("distance", 0.5, MENTOR_WEIGHTS["distance"], "unknown")
        )
    return _combine(components, unmet)

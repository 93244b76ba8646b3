"""Participants with planted duplicates for the dedup tests."""

from typing import Any

from openmil.dedup.synthetic import Generated, generate
from openmil.participants.models import Participant, normalise_for_search


def load_generated(lab: Any, n: int, seed: int = 7) -> tuple[Generated, dict[int, int]]:
    """Store a generated set in `lab`; return it and generated id → pk."""
    data = generate(n, seed=seed)
    people = []
    for record in data.records:
        person = Participant(
            lab=lab,
            reference=f"GEN-{record['id']:06d}",
            profile=Participant.Profile.NEWCOMER,
            given_name=record["given_name"],
            family_name=record["family_name"],
            name_latin=record["name_latin"],
            birth_date=record["birth_date"],
            birth_date_precision=record["birth_date_precision"],
            country_of_origin=record["country_of_origin"],
            phone=record["phone"],
        )
        person.search_text = normalise_for_search(
            f"{person.reference} {person.given_name} {person.family_name} "
            f"{person.name_latin}"
        )
        people.append(person)
    Participant.objects.bulk_create(people, batch_size=500)
    ids = {
        record["id"]: person.pk
        for record, person in zip(data.records, people, strict=True)
    }
    return data, ids

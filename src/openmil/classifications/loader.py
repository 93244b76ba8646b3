"""Load the shipped ESCO/ISCO extract into the database."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def load_classifications(isco_group_model, occupation_model) -> int:  # type: ignore[no-untyped-def]
    """Create the ISCO groups and ESCO occupations that are missing.

    Takes the model classes so that a data migration can pass its
    historical models.
    """
    with (DATA / "isco_groups.csv").open(encoding="utf-8") as f:
        groups = [
            isco_group_model(code=r["code"], label=r["label"])
            for r in csv.DictReader(f)
        ]
    isco_group_model.objects.bulk_create(groups, ignore_conflicts=True, batch_size=500)
    with (DATA / "esco_occupations.csv").open(encoding="utf-8") as f:
        occupations = [
            occupation_model(
                uuid=r["uuid"],
                code=r["code"],
                isco_group_id=r["isco_code"],
                label=r["label"],
            )
            for r in csv.DictReader(f)
        ]
    occupation_model.objects.bulk_create(
        occupations, ignore_conflicts=True, batch_size=500
    )
    return len(occupations)

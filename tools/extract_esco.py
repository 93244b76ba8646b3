"""Extract the ISCO-08 groups and ESCO occupation labels OpenMIL ships.

Run from the project root: python tools/extract_esco.py ../shared/data/esco
It rewrites src/openmil/classifications/data/{isco_groups,esco_occupations}.csv.
"""

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/openmil/classifications/data"


def main(source: Path) -> None:
    with (source / "ISCOGroups.csv").open(encoding="utf-8") as f:
        groups = sorted(
            (row["CODE"], row["PREFERREDLABEL"].strip()) for row in csv.DictReader(f)
        )
    with (OUT / "isco_groups.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "label"])
        w.writerows(groups)
    with (source / "occupations.csv").open(encoding="utf-8") as f:
        occupations = sorted(
            (
                row["ESCOURI"].rsplit("/", 1)[-1],
                row["CODE"],
                row["ISCOGROUPCODE"],
                row["PREFERREDLABEL"].strip(),
            )
            for row in csv.DictReader(f)
        )
    with (OUT / "esco_occupations.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["uuid", "code", "isco_code", "label"])
        w.writerows(occupations)


if __name__ == "__main__":
    main(Path(sys.argv[1]))

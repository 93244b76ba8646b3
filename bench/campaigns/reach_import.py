r"""Time and peak memory of a reach import of N rows (default 100,000).

    OPENMIL_DATA_DIR=$(mktemp -d) \
      .venv/bin/python bench/campaigns/reach_import.py 100000

Writes a CSV export to a temporary file, imports it into a fresh campaign
through campaigns.services.reach_import (both passes), then imports it again
(every row an update), and prints seconds and the peak resident memory.
"""

import datetime as dt
import os
import resource
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmil.config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from openmil.campaigns import services  # noqa: E402
from openmil.campaigns.models import Campaign, ReachRecord  # noqa: E402
from openmil.core.models import Lab, Membership, Network  # noqa: E402
from openmil.core.roles import Role  # noqa: E402

PLATFORMS = ["facebook", "instagram", "x", "linkedin", "tiktok"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(rows: int) -> None:
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    network = Network.objects.create(name="Bench", slug="bench")
    lab = Lab.objects.create(
        network=network, name="Bench lab", slug="bench-lab", country="PT"
    )
    user = get_user_model().objects.create_user("bench")
    Membership.objects.create(user=user, lab=lab, role=Role.COORDINATOR)
    campaign = Campaign.objects.create(
        lab=lab,
        name="Bench",
        slug="bench",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        languages=["en"],
    )
    start = dt.date(2026, 1, 1)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write(
            "platform,account,language,post,date,reach,impressions,engagements,"
            "shares,link_clicks\n"
        )
        for i in range(rows):
            day = start + dt.timedelta(days=i % 365)
            f.write(
                f"{PLATFORMS[i % 5]},acc,en,post-{i // 365},{day.isoformat()},"
                f"{i % 9000},{i % 12000},{i % 300},{i % 40},{i % 70}\n"
            )
        path = f.name
    size = os.path.getsize(path) / 1e6
    print(f"file: {rows} rows, {size:.1f} MB; peak before import {peak_mb():.0f} MB")
    for label in ("first import", "re-import (updates)"):
        began = time.perf_counter()
        with open(path, "rb") as stream:
            job = services.reach_import(
                actor=user, campaign=campaign, stream=stream, file_name="bench.csv"
            )
        took = time.perf_counter() - began
        print(
            f"{label}: {job.rows} rows ({job.created} new, {job.updated} updated) "
            f"in {took:.1f} s; peak RSS {peak_mb():.0f} MB"
        )
    assert ReachRecord.objects.count() == rows
    os.unlink(path)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

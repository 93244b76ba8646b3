"""CPU of the attendance grid in process: the 8-session window, the whole
60 x 40 grid (?size=40) and one session's register (?size=1); and of the
pathway page of random participants of the lab.

On the database filled by bench/activities/scale (same environment, with its
OPENMIL_ENCRYPTION_KEYS), as facil1.lisbon, on random bench cohorts:

    .venv/bin/python bench/activities/scale_inprocess.py 20
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmil.config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from openmil.activities.models import Cohort  # noqa: E402
from openmil.pathways.models import Pathway  # noqa: E402

VARIANTS = (
    ("window of 8 (default)", ""),
    ("all 40 sessions (?size=40)", "?size=40"),
    ("one session's register (?size=1)", "?start=30&size=1"),
)


def measure(client: Client, urls: list[str]) -> tuple[dict[str, float], bytes]:
    """CPU and wall milliseconds (p50, p95) of GETs of the urls, in turn,
    after one warm-up; and the last answer's body."""
    client.get(urls[0])
    wall, cpu = [], []
    body = b""
    for url in urls:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        body = response.content
    wall.sort()
    cpu.sort()
    return {
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 1),
        "wall_p50_ms": round(statistics.median(wall), 1),
        "wall_p95_ms": round(wall[int(0.95 * (len(wall) - 1))], 1),
    }, body


def main() -> int:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    user = get_user_model().objects.get(username="facil1.lisbon")
    ids = list(
        Cohort.objects.filter(
            activity__lab__slug="lisbon", activity__title="Bench course"
        ).values_list("pk", flat=True)
    )
    people = list(
        Pathway.objects.filter(participant__lab__slug="lisbon")
        .order_by("?")
        .values_list("participant_id", flat=True)[:200]
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    rng = random.Random(3)  # noqa: S311 - sampling
    out: dict[str, dict[str, float]] = {}
    for label, query in VARIANTS:
        urls = [
            f"/activities/cohorts/{rng.choice(ids)}/attendance/{query}"
            for _ in range(requests)
        ]
        figures, body = measure(client, urls)
        out[label] = {"selects": body.count(b'<select name="p'), **figures}
    urls = [f"/pathways/participants/{rng.choice(people)}/" for _ in range(requests)]
    out["pathway page"] = measure(client, urls)[0]
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

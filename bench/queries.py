"""SQL queries per page, at two data sizes: equal counts mean no N+1.

    .venv/bin/python bench/queries.py                      # SQLite, 200 and 2,000
    .venv/bin/python bench/queries.py --sizes 100,1000,5000
    .venv/bin/python bench/queries.py --database-url postgres://postgres@127.0.0.1:5432/openmil_bench

For each size a fresh SQLite database is migrated and filled by the demo
generator (two labs, seed 1) in a child process; the pages are then requested
with django.test.Client as facilitator facil1.lisbon and the queries counted
with CaptureQueriesContext (after one warm-up request per page). With
--database-url the existing database (e.g. the bench/run one) is measured
as it is, without generating anything.

Exit status 1 if a page's count differs between sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USER = "facil1.lisbon"


def pages_for(detail_id: int, prefix: str) -> dict[str, str]:
    return {
        "home /": "/",
        "list /participants/": "/participants/",
        "search ?q=Haddad": "/participants/?q=Haddad",
        "search ?q=حداد (Arabic)": "/participants/?q=حداد",
        f"search ?q={prefix}-0001": f"/participants/?q={prefix}-0001",
        "detail /participants/<id>/": f"/participants/{detail_id}/",
        "api /api/v1/participants": "/api/v1/participants",
    }


def measure(generate_participants: int | None) -> dict:
    """Runs inside the child process, with DATABASE_URL already set."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmil.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from openmil.participants.models import Participant

    if generate_participants is not None:
        from openmil.demo.generator import generate

        call_command("migrate", verbosity=0)
        generate(labs=2, participants=generate_participants // 2, seed=1)

    user = get_user_model().objects.get(username=USER)
    lab = user.memberships.get().lab
    # The detail page of a person with a household, needs and consents, so
    # that every related list on the page has rows.
    person = (
        Participant.objects.filter(lab=lab, processing_restricted=False)
        .exclude(household=None)
        .annotate(n_needs=Count("needs", distinct=True))
        .filter(n_needs__gt=0)
        .order_by("id")
        .first()
    ) or Participant.objects.filter(lab=lab).order_by("id").first()

    client = Client()
    client.force_login(user)
    counts = {}
    for name, path in pages_for(person.pk, lab.reference_prefix).items():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        counts[name] = len(queries)
    return {
        "participants": Participant.objects.count(),
        "vendor": connection.vendor,
        "counts": counts,
    }


def child_env(database_url: str, data_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "OPENMIL_DATA_DIR": data_dir,
            "SECRET_KEY": "openmil-bench-queries",
            "OPENMIL_HTTPS": "0",
            "OPENMIL_REQUIRE_2FA": "0",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def run_child(args: list[str], env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"measuring failed ({' '.join(args)})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200,2000", help="participants in all")
    parser.add_argument("--database-url", default="", help="measure this database")
    parser.add_argument("--out", default="", help="write the counts as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(measure(args.generate), ensure_ascii=False))
        return 0

    runs = []
    with tempfile.TemporaryDirectory(prefix="openmil-queries-") as tmp:
        if args.database_url:
            runs.append(run_child([], child_env(args.database_url, tmp)))
        else:
            for size in [int(s) for s in args.sizes.split(",")]:
                db = Path(tmp) / f"size{size}.sqlite3"
                env = child_env(f"sqlite:///{db}", tmp)
                print(f"generating {size} participants (SQLite)", file=sys.stderr)
                runs.append(run_child(["--generate", str(size)], env))

    names = list(runs[0]["counts"])
    header = " | ".join(f"{r['participants']:,} participants" for r in runs)
    lines = [
        f"| page ({runs[0]['vendor']}) | {header} | constant |",
        "|---|" + "---:|" * len(runs) + ":---:|",
    ]
    varying = []
    for name in names:
        values = [r["counts"][name] for r in runs]
        same = len(set(values)) == 1
        if not same:
            varying.append(name)
        cells = " | ".join(str(v) for v in values)
        lines.append(f"| `{name}` | {cells} | {'yes' if same else '**no**'} |")
    print("\n".join(lines))
    if args.out:
        Path(args.out).write_text(
            json.dumps(runs, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    if varying:
        print(f"\nQuery counts grow with the data: {', '.join(varying)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Import benchmark: check and import N generated participant rows.

    bench/imports/run                     # 100,000 rows, CSV, fresh SQLite
    bench/imports/run --rows 20000 --format xlsx
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openmil_bench bench/imports/run

Runs in a fresh data folder (SQLite) or the given database (its tables are
migrated; the benchmark lab is new on each run). Prints the time of the
check and of the import, the rows per second and the peak resident memory
of the process, and writes JSON to --out. See bench/imports/README.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TARGET_SECONDS = 60.0
TARGET_MB = 500.0
GIVEN = ["Rana", "Omar", "Layla", "Youssef", "Olena", "Dmytro", "Amina", "Ali"]
FAMILY = ["Haddad", "Khoury", "Kovalenko", "Rahimi", "Tesfaye", "Ahmadi"]
COUNTRIES = ["SY", "AF", "UA", "ER", "IQ", "SD"]


def write_file(path: Path, rows: int, fmt: str, seed: int = 1) -> None:
    from openmil.imports.importers import PARTICIPANT_COLUMNS

    rng = random.Random(seed)
    header = [c.name for c in PARTICIPANT_COLUMNS]

    def records():
        for i in range(rows):
            birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 45 * 365))
            yield {
                "reference": f"BEN-{i:07d}",
                "profile": rng.choice(["newcomer", "national"]),
                "given_name": rng.choice(GIVEN),
                "family_name": rng.choice(FAMILY),
                "birth_date": birth.isoformat(),
                "birth_date_precision": "day",
                "sex": rng.choice(["female", "male"]),
                "country_of_origin": rng.choice(COUNTRIES),
                "mother_tongue": "ar",
                "other_languages": "en",
                "arrival_date": (birth + dt.timedelta(days=8000)).isoformat(),
                "household_reference": f"HH-{i // 3:06d}" if i % 4 == 0 else "",
                "phone": f"+351 9{rng.randint(10, 99)} "
                f"{rng.randint(100, 999)} {rng.randint(100, 999)}",
                "intake_date": "2025-06-01",
            }

    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(records())
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(header)
        for record in records():
            sheet.append([record.get(h, "") for h in header])
        workbook.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--out", type=Path, default=HERE / "latest.json")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="openmil-bench-imports-"))
    os.environ.setdefault("OPENMIL_DATA_DIR", str(workdir))
    os.environ["OPENMIL_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmil.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import UploadedFile
    from django.core.management import call_command

    settings.OPENMIL_IMPORT_MAX_BYTES = 10**10
    call_command("migrate", verbosity=0)
    from openmil.core.models import Lab, Membership, Network
    from openmil.core.roles import Role
    from openmil.imports import services
    from openmil.imports.models import ImportJob
    from openmil.participants.models import Participant

    stamp = str(int(time.time()))
    network = Network.objects.create(name=f"Bench {stamp}", slug=f"bench-{stamp}")
    lab = Lab.objects.create(
        network=network,
        name=f"Bench lab {stamp}",
        slug=f"bench-lab-{stamp}",
        country="PT",
        time_zone="Europe/Lisbon",
    )
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create(username=f"bench-{stamp}")
    Membership.objects.create(user=user, lab=lab, role=Role.COORDINATOR)

    path = workdir / f"people.{args.format}"
    started = time.perf_counter()
    write_file(path, args.rows, args.format)
    generated = time.perf_counter() - started
    size = path.stat().st_size

    with path.open("rb") as handle:
        upload = UploadedFile(handle, name=path.name, size=size)
        job = services.import_upload(
            actor=user, lab=lab, kind="participants", upload=upload
        )
    started, cpu = time.perf_counter(), time.process_time()
    job = services.import_check(job_id=job.pk)
    check_s = time.perf_counter() - started
    check_cpu = time.process_time() - cpu
    assert job.status == ImportJob.Status.CHECKED and job.error_count == 0, (
        job.errors.first()
    )
    services.import_confirm(actor=user, job=job)
    started, cpu = time.perf_counter(), time.process_time()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        job = profiler.runcall(services.import_run, job_id=job.pk)
        pstats.Stats(profiler).sort_stats("cumtime").print_stats(25)
    else:
        job = services.import_run(job_id=job.pk)
    import_s = time.perf_counter() - started
    import_cpu = time.process_time() - cpu
    assert job.status == ImportJob.Status.DONE, job.message
    assert Participant.objects.filter(lab=lab).count() == args.rows
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "rows": args.rows,
        "format": args.format,
        "file_mb": round(size / 1e6, 1),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "generate_s": round(generated, 1),
        "check_s": round(check_s, 1),
        "import_s": round(import_s, 1),
        "total_s": round(check_s + import_s, 1),
        # CPU time of this process: what the run costs on a machine shared
        # with other jobs, where wall time mostly measures waiting.
        "check_cpu_s": round(check_cpu, 1),
        "import_cpu_s": round(import_cpu, 1),
        "rows_per_s": round(args.rows / (check_s + import_s)),
        "peak_rss_mb": round(peak_mb),
        "targets": {"seconds": TARGET_SECONDS, "peak_mb": TARGET_MB},
        "date": dt.date.today().isoformat(),  # noqa: DTZ011
    }
    result["meets_targets"] = (
        result["import_s"] <= TARGET_SECONDS and result["peak_rss_mb"] <= TARGET_MB
    )
    print(json.dumps(result, indent=2))
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())

"""Indicators benchmark on PostgreSQL (run through bench/indicators/run).

    bench.py prepare --participants 1000000 --events 10000000 --labs 20
    bench.py recompute --period 2026        # again, on the prepared database
    bench.py load --base http://127.0.0.1:8798 --clients 20 --requests 50

`prepare` generates the data (generate.py), recomputes every registered
indicator for every lab at once (`snapshots_compute`, as the nightly task:
whole and every breakdown, and the funnel) for the measured period and the
three before it (the trend lines), times the PDF report of the largest
lab, and creates the accounts the load phase signs in with. Wall and CPU
seconds of this process and of its PostgreSQL backend are recorded for each
step, as the machine is shared.

`load` signs 20 clients in (coordinators, analysts and a network
administrator) and requests the lab dashboard, the network dashboard and
the API's values, all served from snapshots; it reports p50/p95 per page.
Results: JSON in bench/indicators/results/, a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
PASSWORD = "openmil-bench"  # noqa: S105 - a throwaway local benchmark account
PERIODS = ["2023", "2024", "2025", "2026"]


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmil.config.settings")
    django.setup()


def _postgres_cpu() -> float | None:
    """CPU seconds of every PostgreSQL process on this machine, the ones
    that have ended included (the postmaster reaps them: their time is its
    children's time). A recompute spreads its queries over several
    backends; the background processes add a little."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    seen = False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name not in ("postgres", "postmaster"):
            continue
        fields = text.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
        parent = int(fields[1])
        if name == "postmaster" or _comm(parent) != "postgres":
            # The postmaster: add the time of its children that have ended.
            total += int(fields[13]) + int(fields[14])
        seen = True
    return total / ticks if seen else None


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


class Clock:
    """Wall, own CPU and database CPU seconds of a step."""

    def __enter__(self) -> Clock:
        self.db0 = _postgres_cpu()
        self.cpu0 = time.process_time()
        self.wall0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0
        db1 = _postgres_cpu()
        self.db = None if self.db0 is None or db1 is None else db1 - self.db0

    def as_dict(self) -> dict[str, float | None]:
        return {
            "wall_seconds": round(self.wall, 2),
            "python_cpu_seconds": round(self.cpu, 2),
            "postgres_cpu_seconds": None if self.db is None else round(self.db, 2),
        }


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    _setup()
    from django.contrib.auth import get_user_model
    from generate import generate  # type: ignore[import-not-found]

    from openmil.core.models import Lab, Membership
    from openmil.core.roles import Role
    from openmil.indicators.registry import REGISTRY, Period
    from openmil.indicators.report import report_pdf
    from openmil.indicators.services import snapshots_compute

    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count()}}
    with Clock() as clock:
        data = generate(
            participants=args.participants, events=args.events, labs=args.labs
        )
    results["generate"] = {**data, **clock.as_dict()}
    print(json.dumps(results["generate"], indent=1), file=sys.stderr)
    labs = list(Lab.objects.filter(pk__in=data["lab_ids"]).order_by("pk"))
    results["indicators"] = list(REGISTRY)
    recompute = {}
    for label in reversed(PERIODS):
        period = Period.parse(label)
        with Clock() as clock:
            snapshots_compute(labs=labs, period=period)
        recompute[label] = {**clock.as_dict(), "loadavg": list(os.getloadavg())}
        print(f"recompute {label}: {recompute[label]}", file=sys.stderr)
        if not args.trends:
            break
    results["recompute"] = recompute
    from openmil.indicators.selectors import snapshot_latest

    snapshot = snapshot_latest(lab_id=labs[0].pk, period=PERIODS[-1])
    assert snapshot is not None
    with Clock() as clock:
        pdf = report_pdf(snapshot=snapshot, language="en")
    results["pdf"] = {**clock.as_dict(), "bytes": len(pdf)}
    users = get_user_model().objects
    for i, lab in enumerate(labs[: args.accounts]):
        for role in (Role.COORDINATOR, Role.ANALYST):
            user = users.create_user(f"bench-{role}-{i}", password=PASSWORD)
            Membership.objects.create(user=user, lab=lab, role=role)
    admin = users.create_user("bench-network-admin", password=PASSWORD)
    Membership.objects.create(user=admin, lab=labs[0], role=Role.NETWORK_ADMIN)
    results["max_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    return results


def recompute(args: argparse.Namespace) -> dict[str, Any]:
    """Recompute one period of every lab on the database already prepared."""
    _setup()
    from openmil.core.models import Lab
    from openmil.indicators.registry import Period
    from openmil.indicators.services import snapshots_compute

    labs = list(Lab.objects.filter(network__isnull=False).order_by("pk"))
    with Clock() as clock:
        snapshots_compute(labs=labs, period=Period.parse(args.period))
    return {
        "period": args.period,
        "labs": len(labs),
        **clock.as_dict(),
        "loadavg": list(os.getloadavg()),
    }


def costs(args: argparse.Namespace) -> dict[str, Any]:
    """Each indicator's cost alone (all labs and breakdowns, one
    connection), the longest first: what `Indicator.cost` is set from."""
    _setup()
    from openmil.core.models import Lab
    from openmil.indicators.dashboards import funnel_compute_by_lab
    from openmil.indicators.registry import BREAKDOWNS, REGISTRY, Period
    from openmil.indicators.selectors import indicator_compute_sets

    lab_ids = list(
        Lab.objects.filter(network__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    period = Period.parse(args.period)
    timed: dict[str, Any] = {}
    for indicator in REGISTRY.values():
        with Clock() as clock:
            indicator_compute_sets(
                indicator=indicator,
                lab_ids=lab_ids,
                period=period,
                breakdowns=BREAKDOWNS,
                by_lab=True,
            )
        timed[indicator.id] = {**clock.as_dict(), "cost": indicator.cost}
    with Clock() as clock:
        funnel_compute_by_lab(lab_ids=lab_ids, period=period)
    timed["funnel"] = clock.as_dict()
    ordered = dict(sorted(timed.items(), key=lambda kv: -kv[1]["wall_seconds"]))
    for name, figures in ordered.items():
        print(f"{figures['wall_seconds']:8.2f} {name}", file=sys.stderr)
    return {"period": args.period, "indicators": ordered}


def load(args: argparse.Namespace) -> dict[str, Any]:
    from urllib.parse import urlsplit

    from load import Session, percentile  # type: ignore[import-not-found]

    meta = json.loads((HERE / "results" / f"{args.name}-prepare.json").read_text())
    lab_ids = meta["generate"]["lab_ids"]
    network_id = meta["generate"]["network_id"]
    url = urlsplit(args.base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    accounts = min(args.accounts, len(lab_ids))

    def who(i: int) -> tuple[str, int]:
        if i == 0:
            return "bench-network-admin", lab_ids[0]
        role = "coordinator" if i % 2 else "analyst"
        k = (i // 2) % accounts
        return f"bench-{role}-{k}", lab_ids[k]

    pages = {
        "lab dashboard": lambda lab: f"/indicators/lab/{lab}/?period=2026",
        "lab dashboard by profile": lambda lab: (
            f"/indicators/lab/{lab}/?period=2026&breakdown=profile"
        ),
        "network dashboard": lambda lab: (
            f"/indicators/network/{network_id}/?period=2026"
        ),
        "API values": lambda lab: f"/api/v1/indicators/labs/{lab}/values?period=2026",
    }
    sessions = []
    for i in range(args.clients):
        username, lab = who(i)
        session = Session(host, port, keep_alive=True)
        session.login(username, PASSWORD)
        sessions.append((session, lab))
    results: dict[str, Any] = {"clients": args.clients, "pages": {}}
    for name, make in pages.items():
        samples: list[float] = []
        errors = 0
        lock = threading.Lock()

        def client(
            session: Any,
            lab: int,
            make: Any = make,
            samples: list[float] = samples,
            lock: Any = lock,
        ) -> None:
            nonlocal errors
            rng = random.Random(lab)
            # Staggered start, as people arrive: not 20 requests at the
            # same instant, which only measures the first burst's queue.
            time.sleep(rng.uniform(0, args.think))
            for _ in range(args.requests):
                started = time.perf_counter()
                status, _h, _b = session.request("GET", make(lab))
                ms = 1000 * (time.perf_counter() - started)
                with lock:
                    if status == 200:
                        samples.append(ms)
                    else:
                        errors += 1
                time.sleep(rng.uniform(0, args.think))

        threads = [
            threading.Thread(target=client, args=(s, lab)) for s, lab in sessions
        ]
        wall = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - wall
        samples.sort()
        results["pages"][name] = {
            "requests": len(samples) + errors,
            "errors": errors,
            "p50_ms": round(percentile(samples, 50), 1),
            "p95_ms": round(percentile(samples, 95), 1),
            "max_ms": round(samples[-1], 1) if samples else None,
            "throughput_rps": round(len(samples) / wall, 1),
        }
        print(name, results["pages"][name], file=sys.stderr)
    results["loadavg"] = list(os.getloadavg())
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--participants", type=int, default=1_000_000)
    p.add_argument("--events", type=int, default=10_000_000)
    p.add_argument("--labs", type=int, default=20)
    p.add_argument("--accounts", type=int, default=5)
    p.add_argument("--trends", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--name", default="latest")
    re = sub.add_parser("recompute")
    re.add_argument("--period", default=PERIODS[-1])
    re.add_argument("--name", default="latest")
    co = sub.add_parser("costs")
    co.add_argument("--period", default=PERIODS[-1])
    co.add_argument("--name", default="latest")
    lo = sub.add_parser("load")
    lo.add_argument("--base", default="http://127.0.0.1:8798")
    lo.add_argument("--clients", type=int, default=20)
    lo.add_argument("--requests", type=int, default=30)
    lo.add_argument("--think", type=float, default=1.0)
    lo.add_argument("--accounts", type=int, default=5)
    lo.add_argument("--name", default="latest")
    args = parser.parse_args()
    (HERE / "results").mkdir(exist_ok=True)
    steps = {"prepare": prepare, "recompute": recompute, "costs": costs, "load": load}
    out = steps[args.step](args)
    path = HERE / "results" / f"{args.name}-{args.step}.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

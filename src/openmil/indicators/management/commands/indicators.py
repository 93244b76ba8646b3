"""`openmil indicators docs|export|snapshots|compute`: the indicator registry
from the shell."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmil.core.models import Lab
from openmil.indicators.docs import indicators_markdown
from openmil.indicators.exports import FORMATS, indicators_export
from openmil.indicators.registry import BREAKDOWNS, REGISTRY, Period, indicator_get
from openmil.indicators.selectors import indicator_compute, snapshot_latest
from openmil.indicators.services import snapshot_compute, snapshots_compute

DOCS = Path(__file__).resolve().parents[5] / "docs" / "indicators.md"


class Command(BaseCommand):
    help = "Indicator definitions and exact figures (for the lab's own staff)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        docs = sub.add_parser("docs", help="write docs/indicators.md")
        docs.add_argument("-o", "--output", type=Path, default=DOCS)
        docs.add_argument(
            "--check", action="store_true", help="fail if the file is out of date"
        )
        export = sub.add_parser(
            "export", help="write disclosure-controlled figures of a lab"
        )
        export.add_argument("--lab", required=True, help="lab slug")
        export.add_argument("--period", required=True, help="2026, 2026-Q2, ...")
        export.add_argument("--format", choices=FORMATS, default="csv")
        export.add_argument("-o", "--output", type=Path, required=True)
        export.add_argument(
            "--refresh",
            action="store_true",
            help="compute a new snapshot even if one exists",
        )
        snapshots = sub.add_parser(
            "snapshots",
            help="recompute and store the snapshots of every lab for a period",
        )
        snapshots.add_argument("--period", required=True, help="2026, 2026-Q2, ...")
        snapshots.add_argument(
            "--lab", action="append", default=None, help="lab slug (default: all)"
        )
        compute = sub.add_parser("compute", help="print exact figures of a lab")
        compute.add_argument("--lab", required=True, help="lab slug")
        compute.add_argument("--period", required=True, help="2026, 2026-Q2, ...")
        compute.add_argument("--indicator", action="append", default=None)
        compute.add_argument("--breakdown", choices=list(BREAKDOWNS))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "docs":
            text = indicators_markdown()
            path: Path = options["output"]
            if options["check"]:
                if not path.exists() or path.read_text("utf-8") != text:
                    raise CommandError(
                        f"{path} is out of date: run `openmil indicators docs`."
                    )
                self.stdout.write(f"{path} is up to date.")
                return
            path.write_text(text, "utf-8")
            self.stdout.write(f"Wrote {path} ({len(REGISTRY)} indicators).")
            return
        if options["action"] == "snapshots":
            self._snapshots(options)
            return
        lab = Lab.objects.filter(slug=options["lab"]).first()
        if lab is None:
            raise CommandError(f"No lab with the slug {options['lab']!r}.")
        if options["action"] == "export":
            self._export(lab, options)
            return
        try:
            period = Period.parse(options["period"])
            indicators = [indicator_get(i) for i in options["indicator"] or REGISTRY]
        except (ValueError, LookupError) as exc:
            raise CommandError(str(exc)) from exc
        for ind in indicators:
            for cell in indicator_compute(
                indicator=ind,
                lab_ids=[lab.pk],
                period=period,
                breakdown=options["breakdown"],
            ):
                value = "" if cell.value is None else f"{cell.value:.4f}"
                interval = (
                    "" if cell.low is None else f"[{cell.low:.4f}, {cell.high:.4f}]"
                )
                self.stdout.write(
                    f"{ind.id}\t{cell.group}\tn={cell.n}\t{value}\t{interval}"
                )

    def _snapshots(self, options: dict[str, Any]) -> None:
        try:
            period = Period.parse(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        labs = Lab.objects.order_by("pk")
        if options["lab"]:
            labs = labs.filter(slug__in=options["lab"])
            missing = set(options["lab"]) - {lab.slug for lab in labs}
            if missing:
                raise CommandError(f"No lab with the slug {sorted(missing)[0]!r}.")
        started = time.perf_counter()
        stored = snapshots_compute(labs=labs, period=period)
        self.stdout.write(
            f"Stored {len(stored)} snapshots for {period.label} in "
            f"{time.perf_counter() - started:.1f} s."
        )

    def _export(self, lab: Lab, options: dict[str, Any]) -> None:
        try:
            period = Period.parse(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        snapshot = None
        if not options["refresh"]:
            snapshot = snapshot_latest(lab_id=lab.pk, period=period.label)
        if snapshot is None:
            snapshot = snapshot_compute(lab=lab, period=period)
        path = indicators_export(
            snapshot=snapshot, fmt=options["format"], path=options["output"]
        )
        self.stdout.write(
            f"Wrote {path} ({options['format']}, figures computed at "
            f"{snapshot.computed_at:%Y-%m-%d %H:%M} UTC, disclosure-controlled)."
        )

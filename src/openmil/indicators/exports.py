"""Exports of indicator figures: CSV, XLSX, Frictionless Data Package, HXL.

Every export is built from `snapshot_figures_published(exact=False)`, so it
carries disclosure-controlled figures only, whoever asks for it.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.utils import translation

from openmil.indicators.models import IndicatorSnapshot
from openmil.indicators.registry import BREAKDOWNS
from openmil.indicators.selectors import (
    ALL,
    Published,
    snapshot_figures_published,
)

FORMATS = ("csv", "xlsx", "datapackage", "hxl")
FORMAT_NAMES = {
    "csv": "CSV",
    "xlsx": "Excel (XLSX)",
    "datapackage": "Data Package (zip)",
    "hxl": "HXL",
}

COLUMNS = [
    # name, frictionless type, HXL tag, description
    ("indicator", "string", "#indicator+code", "indicator id (docs/indicators.md)"),
    ("name", "string", "#indicator+name", "indicator name"),
    ("lab", "string", "#org+code", "lab slug"),
    ("country", "string", "#country+code", "ISO 3166-1 alpha-2 of the lab"),
    ("period", "string", "#date+period", "period label"),
    ("period_start", "date", "#date+start", "first day of the period"),
    ("period_end", "date", "#date+end", "last day of the period"),
    ("breakdown", "string", "#meta+breakdown", "breakdown, or 'all'"),
    ("group", "string", "#meta+group", "group of the breakdown, or 'all'"),
    ("n", "integer", "#population+num", "people observed, rounded; empty if hidden"),
    (
        "n_flag",
        "string",
        "#meta+flag",
        "why a figure is empty: '<10' (n small), 'hidden' (n hidden to protect "
        "another cell), 'numerator<10' (a share on a small numerator), "
        "'amount<10' (a small sum)",
    ),
    ("value", "number", "#indicator+value", "share (0-1) or median; empty if hidden"),
    ("ci_low", "number", "#indicator+value+ci_low", "95 % interval, low"),
    ("ci_high", "number", "#indicator+value+ci_high", "95 % interval, high"),
    ("unit", "string", "#meta+unit", "share or days"),
    ("computed_at", "datetime", "#date+computed", "when the figures were computed"),
]


def export_rows(snapshot: IndicatorSnapshot) -> Iterator[list[object]]:
    """One row per indicator, breakdown and group, disclosure-controlled."""
    with translation.override("en"):
        for breakdown in ["", *BREAKDOWNS]:
            for figure in snapshot_figures_published(
                snapshot=snapshot, breakdown=breakdown, exact=False
            ):
                for cell in figure.cells:
                    if breakdown and cell.group == ALL:
                        continue
                    n = cell.n
                    shown = getattr(n, "value", n)
                    flag = n_flag(cell, figure.indicator.kind)
                    yield [
                        neutralise(v)
                        for v in (
                            figure.indicator.id,
                            str(figure.indicator.name),
                            snapshot.lab.slug,
                            snapshot.lab.country,
                            snapshot.period,
                            snapshot.period_start.isoformat(),
                            snapshot.period_end.isoformat(),
                            breakdown or ALL,
                            cell.group,
                            "" if shown is None else shown,
                            flag,
                            _number(cell.value),
                            _number(cell.low),
                            _number(cell.high),
                            str(figure.indicator.unit),
                            snapshot.computed_at.isoformat(timespec="seconds"),
                        )
                    ]


def n_flag(cell: Published, kind: str) -> str:
    """Why a figure is not shown, or "" when it is.

    n itself may be hidden (small, or to protect another cell); or n is
    shown and only the value is hidden: a share whose numerator is under
    the threshold, or a sum under it.
    """
    n = cell.n
    if getattr(n, "hidden", False):
        return str(n) if str(n).startswith("<") else "hidden"
    if not cell.hidden:
        return ""
    threshold = getattr(n, "threshold", "")
    if kind == "proportion":
        return f"numerator<{threshold}"
    if kind == "sum":
        return f"amount<{threshold}"
    return "hidden"


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _number(value: float | None) -> object:
    return "" if value is None else round(value, 6)


def _csv(rows: Iterator[list[object]], *, hxl: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c[0] for c in COLUMNS])
    if hxl:
        writer.writerow([c[2] for c in COLUMNS])
    writer.writerows(rows)
    return out.getvalue()


def datapackage_descriptor(snapshot: IndicatorSnapshot) -> dict[str, object]:
    return {
        "profile": "data-package",
        "name": f"openmil-indicators-{snapshot.lab.slug}-{snapshot.period}".lower(),
        "title": f"OpenMIL indicators, {snapshot.lab.name}, {snapshot.period}",
        "description": (
            "Disclosure-controlled indicator figures (counts under the "
            "threshold hidden, others rounded, secondary suppression). "
            "Definitions: docs/indicators.md."
        ),
        "created": snapshot.computed_at.isoformat(timespec="seconds"),
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0",
            }
        ],
        "resources": [
            {
                "name": "indicators",
                "path": "indicators.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {"name": name, "type": kind, "description": description}
                        for name, kind, _tag, description in COLUMNS
                    ],
                    "missingValues": [""],
                },
            }
        ],
    }


def indicators_export(*, snapshot: IndicatorSnapshot, fmt: str, path: Path) -> Path:
    """Write the snapshot's figures to `path` in a format; returns the path.

    A data package is written as a folder (datapackage.json beside
    indicators.csv), or as a zip when the path ends in .zip.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    rows = export_rows(snapshot)
    if fmt in ("csv", "hxl"):
        path.write_text(_csv(rows, hxl=fmt == "hxl"), "utf-8")
    elif fmt == "xlsx":
        _xlsx(rows, path)
    else:
        descriptor = json.dumps(datapackage_descriptor(snapshot), indent=2)
        table = _csv(rows)
        if path.suffix == ".zip":
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("datapackage.json", descriptor)
                zf.writestr("indicators.csv", table)
        else:
            path.mkdir(parents=True, exist_ok=True)
            (path / "datapackage.json").write_text(descriptor, "utf-8")
            (path / "indicators.csv").write_text(table, "utf-8")
    return path


def _xlsx(rows: Iterator[list[object]], path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("indicators")
    sheet.append([c[0] for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    workbook.save(path)

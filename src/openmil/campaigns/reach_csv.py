"""Reading a platform's reach export: streamed, checked row by row.

The file is read twice from its storage, never held whole in memory: a first
pass checks every row and collects the errors (up to MAX_ERRORS), a second
pass, only when the first found none, hands the rows to the import service.
"""

import codecs
import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

from openmil.campaigns.models import LANGUAGE_CODES, Platform

COLUMNS = (
    "platform",
    "account",
    "language",
    "post",
    "date",
    "reach",
    "impressions",
    "engagements",
    "shares",
    "link_clicks",
)
NUMBERS = ("reach", "impressions", "engagements", "shares", "link_clicks")
#: Headers platforms write for the same column.
ALIASES = {
    "link clicks": "link_clicks",
    "clicks": "link_clicks",
    "post id": "post",
    "post_id": "post",
    "day": "date",
}
MAX_ERRORS = 100
MAX_ROWS = 1_000_000
MAX_CELL = 200
#: A cell starting with one of these is run as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
#: Upper bound on any count a platform may report for one post on one day.
MAX_COUNT = 10**12


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass(frozen=True)
class ReachRow:
    platform: str
    account: str
    language: str
    post: str
    date: dt.date
    reach: int
    impressions: int
    engagements: int
    shares: int
    link_clicks: int


class ReachFileError(Exception):
    """The file is refused; `errors` says where and why."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def _text_lines(stream: IO[bytes]) -> Iterator[str]:
    """Decoded lines; a byte that is not UTF-8 raises UnicodeDecodeError."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    pending = ""
    for chunk in iter(lambda: stream.read(64 * 1024), b""):
        pending += decoder.decode(chunk)
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line + "\n"
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def _header(names: list[str]) -> list[str]:
    out = []
    for name in names:
        key = name.strip().lower()
        key = ALIASES.get(key, key).replace(" ", "_")
        out.append(key)
    return out


def _text(value: str, column: str, row: int, errors: list[RowError]) -> str:
    value = value.strip()
    if not value:
        errors.append(RowError(row, column, _("This value is missing.")))
    elif value.startswith(FORMULA_START) or "\x00" in value:
        errors.append(
            RowError(
                row,
                column,
                _("A cell starting with =, +, -, @ or a control character is refused."),
            )
        )
    elif len(value) > MAX_CELL:
        errors.append(
            RowError(row, column, _("At most %(n)d characters.") % {"n": MAX_CELL})
        )
    return value


def _number(value: str, column: str, row: int, errors: list[RowError]) -> int:
    raw = value.strip().replace(",", "").replace(" ", "").replace("\u202f", "")
    if not raw:
        errors.append(RowError(row, column, _("This value is missing.")))
        return 0
    if raw.startswith("-") and raw[1:].isdigit():
        errors.append(RowError(row, column, _("A count cannot be negative.")))
        return 0
    if not raw.isascii() or not raw.isdigit():
        errors.append(RowError(row, column, _("Not a whole number.")))
        return 0
    number = int(raw)
    if number > MAX_COUNT:
        errors.append(RowError(row, column, _("This number is implausibly large.")))
        return 0
    return number


def _date(value: str, row: int, errors: list[RowError]) -> dt.date:
    raw = value.strip()
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(RowError(row, "date", _("Not a date in the form YYYY-MM-DD.")))
        return dt.date.min
    if len(raw) != 10:
        errors.append(RowError(row, "date", _("Not a date in the form YYYY-MM-DD.")))
    return day


def _row(values: dict[str, str], number: int, errors: list[RowError]) -> ReachRow:
    found = len(errors)
    platform = _text(values.get("platform") or "", "platform", number, errors).lower()
    if len(errors) == found and platform not in Platform.values:
        errors.append(
            RowError(
                number,
                "platform",
                _("Unknown platform; expected one of: %(names)s")
                % {"names": ", ".join(Platform.values)},
            )
        )
    account = _text(values.get("account") or "", "account", number, errors)
    found = len(errors)
    language = _text(values.get("language") or "", "language", number, errors)
    language = language.lower()
    if len(errors) == found and language not in LANGUAGE_CODES:
        errors.append(
            RowError(
                number,
                "language",
                _("Unknown language; expected one of: %(codes)s")
                % {"codes": ", ".join(LANGUAGE_CODES)},
            )
        )
    post = _text(values.get("post") or "", "post", number, errors)
    day = _date(values.get("date") or "", number, errors)
    counts = {
        name: _number(values.get(name) or "", name, number, errors) for name in NUMBERS
    }
    return ReachRow(
        platform=platform,
        account=account,
        language=language,
        post=post,
        date=day,
        **counts,
    )


def read_rows(stream: IO[bytes], *, errors: list[RowError]) -> Iterator[ReachRow]:
    """Rows of the file, checked; problems are appended to `errors` (row 1 is
    the header, so the first data row is row 2)."""
    lines = _text_lines(stream)
    reader = csv.reader(lines)
    try:
        header = _header(next(reader))
    except StopIteration:
        errors.append(RowError(1, "", _("The file is empty.")))
        return
    except UnicodeDecodeError:
        errors.append(RowError(1, "", _("The file is not UTF-8 encoded text.")))
        return
    except csv.Error:
        errors.append(RowError(1, "", _("This is not a CSV file.")))
        return
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        for column in missing:
            errors.append(RowError(1, column, _("This column is missing.")))
        return
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            errors.append(
                RowError(number + 1, "", _("The file is not UTF-8 encoded text."))
            )
            return
        except csv.Error:
            errors.append(RowError(number + 1, "", _("This line is not valid CSV.")))
            return
        number += 1
        if number > MAX_ROWS + 1:
            errors.append(RowError(number, "", _("The file has too many rows.")))
            return
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            errors.append(
                RowError(
                    number,
                    "",
                    _("This row has %(found)d cells; the header has %(expected)d.")
                    % {"found": len(cells), "expected": len(header)},
                )
            )
        else:
            row = _row(dict(zip(header, cells, strict=True)), number, errors)
            yield row
        if len(errors) >= MAX_ERRORS:
            return


def check_file(stream: IO[bytes]) -> tuple[list[RowError], int]:
    """(errors, number of data rows) after reading the whole file once."""
    errors: list[RowError] = []
    count = sum(1 for _checked in read_rows(stream, errors=errors))
    if not errors and count == 0:
        errors.append(RowError(2, "", _("The file has no data rows.")))
    return errors, count

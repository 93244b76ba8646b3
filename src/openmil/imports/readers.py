"""Streaming readers of uploaded CSV and XLSX files, and the writers of exports.

Nothing here loads a whole file: CSV is decoded and parsed line by line,
XLSX is read with openpyxl's read-only (SAX) mode. Memory stays bounded by
one row, whatever the file's size.
"""

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

#: Cells a spreadsheet would read as a formula (or a DDE command) start so.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 1 << 16


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why."""


@dataclass(frozen=True)
class Encoding:
    name: str
    notice: str = ""


def neutralise(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet: a leading quote keeps a
    text that starts like a formula from being evaluated."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The inverse of `neutralise`: a cell exported as '=… imports as =…,
    so that export → import gives the same records."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def detect_encoding(path: Path) -> Encoding:
    """UTF-8 (with or without BOM) or UTF-16 by BOM; else Windows-1252.

    The whole file is decoded incrementally, so a bad byte on the last line
    is noticed without holding the file in memory.
    """
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return Encoding("utf-8-sig")
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return Encoding("utf-16")
        if len(head) >= 2 and (head[0] == 0 or head[1] == 0):
            # UTF-16 without a BOM: ASCII text with a NUL every other byte.
            return Encoding("utf-16-le" if head[1] == 0 else "utf-16-be")
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return Encoding(
                "cp1252",
                _(
                    "The file is not in UTF-8: it was read as Windows-1252 "
                    "(Western European). If letters look wrong, save the file "
                    "as “CSV UTF-8” and upload it again."
                ),
            )
    return Encoding("utf-8")


def _text(path: Path, encoding: str) -> IO[str]:
    # cp1252 leaves five bytes undefined; replacing them keeps reading going
    # and the preview shows the replacement character where they were.
    errors = "replace" if encoding == "cp1252" else "strict"
    return path.open(encoding=encoding, errors=errors, newline="")


def _dialect(path: Path, encoding: str) -> type[csv.Dialect] | csv.Dialect:
    """Excel's dialect with the sniffed delimiter. Only the delimiter is
    taken from the sniffer: it may guess `'` as the quote character when
    cells hold apostrophes (or exported formulas), and spreadsheet programs
    always quote with `"`."""
    with _text(path, encoding) as handle:
        sample = handle.read(CHUNK)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return csv.excel

    class Sniffed(csv.excel):
        pass

    Sniffed.delimiter = delimiter
    return Sniffed


def iter_csv(path: Path, encoding: str) -> Iterator[list[str]]:
    dialect = _dialect(path, encoding)
    with _text(path, encoding) as handle:
        try:
            yield from csv.reader(handle, dialect)
        except UnicodeDecodeError as error:
            raise FileProblem(
                _("The file could not be decoded as %(encoding)s.")
                % {"encoding": encoding}
            ) from error
        except csv.Error as error:
            raise FileProblem(
                _("The file is not a valid CSV file: %(reason)s") % {"reason": error}
            ) from error


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def iter_xlsx(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as error:
        raise FileProblem(_("The file is not a valid XLSX workbook.")) from error
    except Exception as error:  # zipfile.BadZipFile and parser errors
        raise FileProblem(_("The file is not a valid XLSX workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in row]
    finally:
        workbook.close()


def iter_rows(path: Path, file_format: str, encoding: str = "") -> Iterator[list[str]]:
    """Every row of the file as a list of strings, the header first."""
    if file_format == "xlsx":
        return iter_xlsx(path)
    return iter_csv(path, encoding or "utf-8")


def csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text, a line at a time, for a streaming response (UTF-8 with BOM,
    so spreadsheet programs read the accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([neutralise(v) for v in header])
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(_cell_text(v)) for v in row])
        yield buffer.getvalue()


def write_xlsx(target: IO[bytes], header: list[str], rows: Iterable[list[Any]]) -> None:
    """An XLSX workbook written row by row (openpyxl write-only mode)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append([neutralise(_cell_text(v)) for v in row])
    workbook.save(target)

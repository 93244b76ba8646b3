"""Files to upload in the imports tests."""

import csv
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from openmil.imports.importers import PARTICIPANT_COLUMNS

HEADER = [c.name for c in PARTICIPANT_COLUMNS]


def row(**values: Any) -> dict[str, str]:
    base = {
        "reference": "IMP-0001",
        "profile": "newcomer",
        "given_name": "Rana",
        "family_name": "Haddad",
        "birth_date": "1991-03-14",
        "country_of_origin": "SY",
        "mother_tongue": "ar",
        "phone": "+351 912 345 678",
    }
    base.update({k: str(v) for k, v in values.items()})
    return base


def rows(n: int, start: int = 1, **values: Any) -> list[dict[str, str]]:
    return [
        row(reference=f"IMP-{i:05d}", given_name=f"Person{i}", **values)
        for i in range(start, start + n)
    ]


def csv_bytes(
    data: list[dict[str, str]],
    header: list[str] | None = None,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> bytes:
    header = header or HEADER
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    for item in data:
        writer.writerow([item.get(name, "") for name in header])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(data: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    header = header or HEADER
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for item in data:
        sheet.append([item.get(name, "") for name in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)

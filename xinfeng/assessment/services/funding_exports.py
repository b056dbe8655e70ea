"""The funding ledger out: an Excel workbook (budget vs spent, allocations, expenditures)
and a Fiscal Data Package (datapackage.json + CSV in a zip; frictionlessdata.io's
fiscal-data-package profile) for open budgeting portals. Amounts are written as exact
yuan text from integer fen (never through a float)."""

import io
import json
import zipfile

from django.utils.translation import gettext as _

from xinfeng.core.spreadsheet import add_sheet, append_row, csv_bytes, new_workbook, workbook_bytes

from ..choices import FundSource
from ..money import fen_to_yuan

ALLOCATION_COLUMNS = [
    "id",
    "year",
    "source",
    "from_region",
    "region",
    "site",
    "project",
    "amount",
    "status",
    "reverses",
    "note",
]
EXPENDITURE_COLUMNS = [
    "id",
    "year",
    "source",
    "region",
    "date",
    "payee",
    "purpose",
    "amount",
    "site",
    "project",
    "activity",
    "status",
    "reverses",
]


def _name(obj) -> str:
    return "" if obj is None else str(obj)


def allocation_row(a) -> list:
    return [
        a.pk,
        a.year,
        a.source,
        _name(a.from_region),
        _name(a.region),
        _name(a.site),
        _name(a.project),
        fen_to_yuan(a.amount_fen),
        a.status,
        a.reverses_id or "",
        a.note,
    ]


def expenditure_row(e) -> list:
    return [
        e.pk,
        e.year,
        e.source,
        _name(e.region),
        e.spent_on.isoformat(),
        e.payee,
        e.purpose,
        fen_to_yuan(e.amount_fen),
        _name(e.site),
        _name(e.project),
        _name(e.activity),
        e.status,
        e.reverses_id or "",
    ]


def funding_xlsx(*, summary: list[dict], allocations, expenditures) -> bytes:
    wb = new_workbook()
    ws = add_sheet(wb, _("预算执行"))
    append_row(
        ws,
        [
            _("单位"),
            _("资金来源"),
            _("到位（元）"),
            _("下达（元）"),
            _("本级支出（元）"),
            _("含下级支出（元）"),
            _("结余（元）"),
            _("执行率（%）"),
        ],
    )
    for r in summary:
        append_row(
            ws,
            [
                r["region"],
                r["source_label"],
                fen_to_yuan(r["received_fen"]),
                fen_to_yuan(r["passed_down_fen"]),
                fen_to_yuan(r["spent_fen"]),
                fen_to_yuan(r["spent_subtree_fen"]),
                fen_to_yuan(r["holds_fen"]),
                r["executed_pct"] if r["executed_pct"] is not None else "",
            ],
        )
    ws = add_sheet(wb, _("预算下达"))
    append_row(ws, ALLOCATION_COLUMNS)
    for a in allocations:
        append_row(ws, allocation_row(a))
    ws = add_sheet(wb, _("经费支出"))
    append_row(ws, EXPENDITURE_COLUMNS)
    for e in expenditures:
        append_row(ws, expenditure_row(e))
    return workbook_bytes(wb)


def _fields(names: list[str]) -> list[dict]:
    types = {
        "id": "integer",
        "year": "year",
        "amount": "number",
        "date": "date",
        "reverses": "integer",
    }
    return [{"name": n, "type": types.get(n, "string")} for n in names]


def datapackage_zip(*, title: str, allocations, expenditures) -> bytes:
    """A zip holding ``datapackage.json`` and two CSV resources (posted and pending lines,
    with their status; reversals are lines with negative amounts)."""
    descriptor = {
        "profile": "fiscal-data-package",
        "name": "xinfeng-funding",
        "title": title,
        "fiscalPeriod": {},
        "resources": [
            {
                "name": "allocations",
                "path": "allocations.csv",
                "format": "csv",
                "encoding": "utf-8-sig",
                "profile": "tabular-data-resource",
                "schema": {"fields": _fields(ALLOCATION_COLUMNS), "primaryKey": "id"},
            },
            {
                "name": "expenditures",
                "path": "expenditures.csv",
                "format": "csv",
                "encoding": "utf-8-sig",
                "profile": "tabular-data-resource",
                "schema": {"fields": _fields(EXPENDITURE_COLUMNS), "primaryKey": "id"},
            },
        ],
        "model": {
            "measures": {"amount": {"source": "amount", "currency": "CNY"}},
            "dimensions": {
                "date": {"attributes": {"year": {"source": "year"}}, "dimensionType": "datetime"},
                "funding_source": {
                    "attributes": {"source": {"source": "source"}},
                    "dimensionType": "classification",
                    "classificationType": "functional",
                },
                "administration": {
                    "attributes": {"region": {"source": "region"}},
                    "dimensionType": "entity",
                },
            },
        },
        "sources_labels": {s.value: str(s.label) for s in FundSource},
    }
    alloc = list(allocations)
    spent = list(expenditures)
    years = sorted({x.year for x in alloc + spent})
    if years:
        descriptor["fiscalPeriod"] = {"start": f"{years[0]}-01-01", "end": f"{years[-1]}-12-31"}
    else:
        descriptor.pop("fiscalPeriod")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
        z.writestr("allocations.csv", csv_bytes([ALLOCATION_COLUMNS, *map(allocation_row, alloc)]))
        z.writestr(
            "expenditures.csv", csv_bytes([EXPENDITURE_COLUMNS, *map(expenditure_row, spent)])
        )
    return out.getvalue()

"""The funding ledger: list and record lines, approve or refuse them (the level above),
reverse posted ones, budget vs spent, costs, Excel and Fiscal Data Package exports.

There is no PUT, PATCH or DELETE: posted lines are corrected by reversal only."""

from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Status
from ninja.files import UploadedFile

from xinfeng.accounts.api_auth import signed_in
from xinfeng.activities.models import Activity
from xinfeng.core.errors import ValidationFailed
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import DbId, Limit
from xinfeng.core.spreadsheet import XLSX_CONTENT_TYPE
from xinfeng.places.models import Site
from xinfeng.projects.models import Project
from xinfeng.regions.models import Region

from .. import presenters, selectors
from ..services import funding_exports
from ..services import ledger as svc
from . import router
from .schemas import (
    AllocationIn,
    CostsOut,
    ExpenditureIn,
    Kind,
    LineOut,
    LinePage,
    ReverseIn,
    Source,
    SummaryRow,
    Year,
)

LineStatus = Literal["pending", "posted", "rejected"]


def _place(request, region_id, year):
    """The place asked for (default: the top of the reader's scope) and the year (default:
    this year)."""
    region = selectors.region_or_default(request.user, region_id)
    return region, year or timezone.localdate().year


def _get(model, pk, field: str):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed(
            _("所选对象不存在。"), code="unknown_object", fields={field: [_("所选对象不存在。")]}
        )
    return obj


def _list(request, kind, year, source, status, region_id, cursor, limit):
    region = selectors.readable_region(request.user, region_id) if region_id else None
    qs = selectors.ledger_lines(
        request.user, kind, year=year, source=source, status=status, region=region
    )
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit)
    return {"items": [presenters.line_out(x, request.user) for x in items], "next_cursor": nxt}


@router.get("/funding/allocations", response=LinePage, summary="Allocations in my scope")
def list_allocations(
    request,
    year: Year | None = None,
    source: Source | None = None,
    status: LineStatus | None = None,
    region_id: DbId | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    return _list(request, "allocations", year, source, status, region_id, cursor, limit)


@router.get("/funding/expenditures", response=LinePage, summary="Expenditures in my scope")
def list_expenditures(
    request,
    year: Year | None = None,
    source: Source | None = None,
    status: LineStatus | None = None,
    region_id: DbId | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    return _list(request, "expenditures", year, source, status, region_id, cursor, limit)


@router.get("/funding/{ledger}/{line_id}", response=LineOut, summary="One ledger line")
def get_line(request, ledger: Kind, line_id: DbId):
    return presenters.line_out(selectors.ledger_line(request.user, ledger, line_id), request.user)


@router.post(
    "/funding/allocations",
    auth=signed_in,
    response={201: LineOut},
    summary="Record a budget or pass money down",
)
def create_allocation(request, payload: AllocationIn):
    user = request.auth
    line = svc.allocation_create(
        actor=user,
        year=payload.year,
        source=payload.source,
        region=_get(Region, payload.region_id, "region_id"),
        from_region=_get(Region, payload.from_region_id, "from_region_id"),
        site=_get(Site, payload.site_id, "site_id"),
        project=_get(Project, payload.project_id, "project_id"),
        amount_fen=payload.amount_fen,
        note=payload.note,
    )
    return Status(201, presenters.line_out(line, user))


@router.post(
    "/funding/expenditures",
    auth=signed_in,
    response={201: LineOut},
    summary="Record an expenditure (multipart, optional receipt)",
)
def create_expenditure(
    request,
    payload: Form[ExpenditureIn],
    receipt: File[UploadedFile | None] = None,
):
    user = request.auth
    line = svc.expenditure_create(
        actor=user,
        region=_get(Region, payload.region_id, "region_id"),
        source=payload.source,
        spent_on=payload.spent_on,
        payee=payload.payee,
        purpose=payload.purpose,
        amount_fen=payload.amount_fen,
        site=_get(Site, payload.site_id, "site_id"),
        project=_get(Project, payload.project_id, "project_id"),
        activity=_get(Activity, payload.activity_id, "activity_id"),
        note=payload.note,
        receipt=receipt,
    )
    return Status(201, presenters.line_out(line, user))


@router.post(
    "/funding/{ledger}/{line_id}/approve",
    auth=signed_in,
    response=LineOut,
    summary="Post a pending line (the level above)",
)
def approve(request, ledger: Kind, line_id: DbId):
    user = request.auth
    line = svc.line_approve(actor=user, line=selectors.ledger_line(user, ledger, line_id))
    return presenters.line_out(line, user)


@router.post(
    "/funding/{ledger}/{line_id}/reject",
    auth=signed_in,
    response=LineOut,
    summary="Refuse a pending line (the level above)",
)
def reject(request, ledger: Kind, line_id: DbId):
    user = request.auth
    line = svc.line_reject(actor=user, line=selectors.ledger_line(user, ledger, line_id))
    return presenters.line_out(line, user)


@router.post(
    "/funding/{ledger}/{line_id}/reverse",
    auth=signed_in,
    response={201: LineOut},
    summary="Reverse a posted line",
)
def reverse(request, ledger: Kind, line_id: DbId, payload: ReverseIn):
    user = request.auth
    line = svc.line_reverse(
        actor=user, line=selectors.ledger_line(user, ledger, line_id), reason=payload.reason
    )
    return Status(201, presenters.line_out(line, user))


@router.get(
    "/funding-summary", response=list[SummaryRow], summary="Budget vs spent per place and source"
)
def summary(request, region_id: DbId | None = None, year: Year | None = None):
    region, year = _place(request, region_id, year)
    return selectors.funding_summary(request.user, region=region, year=year)


@router.get("/funding-costs", response=CostsOut, summary="Cost per activity and per order served")
def costs(request, region_id: DbId | None = None, year: Year | None = None):
    region, year = _place(request, region_id, year)
    out = selectors.cost_per_order(request.user, region=region, year=year)
    out["activities"] = selectors.cost_per_activity(request.user, region=region, year=year)
    return out


def _export_args(request, region_id, year):
    region, year = _place(request, region_id, year)
    lines = {
        kind: list(
            selectors.ledger_lines(request.user, kind, year=year, region=region).order_by("id")
        )
        for kind in selectors.KINDS
    }
    return region, year, lines


@router.get("/funding-export.xlsx", summary="Budget vs spent and every line, as Excel")
def export_xlsx(request, region_id: DbId | None = None, year: Year | None = None):
    region, year, lines = _export_args(request, region_id, year)
    data = funding_exports.funding_xlsx(
        summary=selectors.funding_summary(request.user, region=region, year=year),
        allocations=lines["allocations"],
        expenditures=lines["expenditures"],
    )
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="funding-{region.pk}-{year}.xlsx"'
    return response


@router.get("/funding-datapackage.zip", summary="Fiscal Data Package (datapackage.json + CSV)")
def export_fdp(request, region_id: DbId | None = None, year: Year | None = None):
    region, year, lines = _export_args(request, region_id, year)
    data = funding_exports.datapackage_zip(
        title=f"{region.display_name} {year}",
        allocations=lines["allocations"],
        expenditures=lines["expenditures"],
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="funding-{region.pk}-{year}.zip"'
    return response

"""One shape per ledger line for pages and the API."""

from . import policy
from .models import Allocation


def line_out(line, user=None) -> dict:
    is_alloc = isinstance(line, Allocation)
    data = {
        "id": line.pk,
        "kind": "allocations" if is_alloc else "expenditures",
        "year": line.year,
        "source": line.source,
        "source_label": line.get_source_display(),
        "region_id": line.region_id,
        "region": line.region.display_name,
        "site_id": line.site_id,
        "project_id": line.project_id,
        "amount_fen": line.amount_fen,
        "amount_yuan": line.amount_yuan,
        "status": line.status,
        "status_label": line.get_status_display(),
        "reverses_id": line.reverses_id,
        "note": line.note,
        "created_at": line.created_at,
        "decided_at": line.decided_at,
        "may_approve": bool(user) and line.status == "pending" and policy.may_approve(user, line),
    }
    if is_alloc:
        data["from_region_id"] = line.from_region_id
        data["from_region"] = line.from_region.display_name if line.from_region_id else ""
    else:
        data.update(
            activity_id=line.activity_id,
            spent_on=line.spent_on,
            payee=line.payee,
            purpose=line.purpose,
            receipt_url=line.receipt.url if line.receipt else None,
        )
    return data

"""The dashboard as plain data, shared by the page (charts), the API and the Excel export."""

from __future__ import annotations

from django.urls import reverse

from xinfeng.places.labels import own_label

from .metrics import ORDER_STEPS, STEP_LABELS, label
from .selectors import Dashboard

# Figures a ranking row shows, each the sum of the same figure over its rows' regions.
ROW_FIGURES = {
    "sites": "sites_total",
    "teams": "teams_total",
    "volunteers": "volunteers_registered",
    "volunteers_active_month": "volunteers_active_month",
    "hours": "service_hours",
    "activities": "activities_total",
    "audience": "audience_total",
    "orders": "orders_total",
    "followups_open": "followups_open",
}


def _row(figures: dict, **head) -> dict:
    f = figures
    row = dict(head)
    for key, figure in ROW_FIGURES.items():
        row[key] = f.get(figure, 0) or 0
    row["satisfaction"] = (
        round(f["rating_sum"] / f["rating_count"], 2) if f.get("rating_count") else None
    )
    row["coverage"] = (
        round(f["population_covered"] / f["population"], 4) if f.get("population") else None
    )
    return row


def stat_row(s) -> dict:
    """One ranking row (a child region or a village)."""
    return _row(
        s.figures,
        id=s.region_id,
        name=s.region.display_name,
        level=s.level,
        url=reverse("insights:dashboard", args=[s.region_id]),
    )


def own_row(board: Dashboard) -> dict | None:
    """The region's figures less the sum of its children's: what belongs to no child (the
    city's own sites, teams and activities). With it the ranking rows add up to the
    headline figures. None when the region has no children or owns nothing itself."""
    if not board.children or not board.stat:
        return None
    own = {}
    for key, value in board.figures.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            rest = value - sum((c.figures.get(key) or 0) for c in board.children)
            own[key] = round(rest, 2) if isinstance(rest, float) else rest
    row = _row(own, id=None, name=own_label(board.region), level="own", url="")
    if not any(row[k] for k in ROW_FIGURES):
        return None
    return row


def total_row(board: Dashboard) -> dict:
    from django.utils.translation import gettext as _

    return _row(board.figures, id=board.region.pk, name=_("合计"), level="total", url="")


def dashboard_payload(board: Dashboard) -> dict:
    region = board.region
    return {
        "region": {
            "id": region.pk,
            "name": region.display_name,
            "level": region.level,
            "level_label": str(region.get_level_display()),
            "code": region.code,
        },
        "as_of": board.last_run["finished_at"] if board.last_run else None,
        "figures": board.figures,
        "months": board.months,
        "children": [stat_row(s) for s in board.children],
        # What belongs to no child (e.g. 市直): children + own = the headline figures.
        "own": own_row(board),
        "total": total_row(board),
        "villages": [stat_row(s) for s in board.villages],
    }


def chart_labels() -> dict:
    """Translated labels the chart script shows."""
    from django.utils.translation import gettext as _

    return {
        "steps": [str(STEP_LABELS[s]) for s in ORDER_STEPS],
        "step_keys": list(ORDER_STEPS),
        "activities": _("活动场次"),
        "audience_online": _("线上参与人次"),
        "audience_offline": _("线下参与人次"),
        "service_hours": _("服务时长（小时）"),
        "service_records": _("服务人次"),
        "orders_created": _("新增点单"),
        "orders_finished": _("完成服务"),
        "volunteers_joined": _("新注册志愿者"),
        "ontime": _("按时率"),
        "sites": [label(f"sites_{lv}") for lv in ("center", "institute", "station", "point")],
        "site_keys": ["sites_center", "sites_institute", "sites_station", "sites_point"],
        "complex": _("其中综合体"),
        "order_states": {
            k[len("orders_") :]: label(k)
            for k in (
                "orders_submitted",
                "orders_pending_dispatch",
                "orders_dispatched",
                "orders_accepted",
                "orders_in_service",
                "orders_completed",
                "orders_rated",
                "orders_rejected",
                "orders_cancelled",
            )
        },
        "rankings": {
            "hours": _("服务时长"),
            "volunteers": _("注册志愿者"),
            "activities": _("活动场次"),
            "audience": _("参与人次"),
            "orders": _("点单数"),
            "satisfaction": _("满意度"),
            "coverage": _("15分钟圈覆盖率"),
        },
        "none": _("暂无数据"),
    }

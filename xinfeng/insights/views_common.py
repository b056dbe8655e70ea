"""The dashboard as plain data, shared by the page (charts), the API and the Excel export."""

from __future__ import annotations

from django.urls import reverse

from .metrics import ORDER_STEPS, STEP_LABELS, label
from .selectors import Dashboard


def stat_row(s) -> dict:
    """One ranking row (a child region or a village)."""
    f = s.figures
    return {
        "id": s.region_id,
        "name": s.region.display_name,
        "level": s.level,
        "url": reverse("insights:dashboard", args=[s.region_id]),
        "volunteers": s.volunteers,
        "hours": s.hours,
        "activities": s.activities,
        "audience": s.audience,
        "orders": s.orders,
        "satisfaction": s.satisfaction,
        "coverage": s.coverage,
        "sites": f.get("sites_total", 0),
        "teams": f.get("teams_total", 0),
        "volunteers_active_month": f.get("volunteers_active_month", 0),
        "followups_open": f.get("followups_open", 0),
    }


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

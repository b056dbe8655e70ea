"""The figures the rollup keeps per region, with their labels (pages, Excel export).

Every figure is additive over the region tree (a township's value is the sum of its
villages' and its own), so the rollup adds leaf values up by path. Ratios (on-time rate,
satisfaction, coverage) are stored as their numerator and denominator and divided last.
"""

from django.utils.translation import gettext_lazy as _

from xinfeng.orders.choices import OrderState
from xinfeng.places.choices import SiteLevel
from xinfeng.volunteers.choices import TeamType

# The order steps whose punctuality the dashboard shows: step → (done-at field, due field,
# the state an order waits in while the step is not yet done).
ORDER_STEPS = {
    "review": ("reviewed_at", "review_due_at", OrderState.SUBMITTED),
    "dispatch": ("dispatched_at", "dispatch_due_at", OrderState.PENDING_DISPATCH),
    "accept": ("accepted_at", "accept_due_at", OrderState.DISPATCHED),
    "start": ("started_at", "start_due_at", OrderState.ACCEPTED),
    "rate": ("rated_at", "rate_due_at", OrderState.COMPLETED),
}
STEP_LABELS = {
    "review": _("审单"),
    "dispatch": _("派单"),
    "accept": _("接单"),
    "start": _("开始服务"),
    "rate": _("评单"),
}

SITE_LEVELS = list(SiteLevel.values)
TEAM_TYPES = list(TeamType.values)
ORDER_STATES = list(OrderState.values)

# Additive figures, in the order of the Excel sheet.
SCALAR_METRICS: list[str] = [
    *(f"sites_{lv}" for lv in SITE_LEVELS),
    "sites_total",
    "sites_complex",
    # Centers, institutes and stations without a responsible person in office / without
    # staff (counted by governance through ``sources.register_source``).
    "sites_without_responsible",
    "sites_without_staff",
    "teams_total",
    *(f"teams_{t}" for t in TEAM_TYPES),
    "volunteers_registered",
    "volunteers_active_month",
    "projects_total",
    "projects_active",
    "projects_demo",
    "activities_total",
    "audience_online",
    "audience_offline",
    "service_records",
    "service_hours",
    "orders_total",
    *(f"orders_{s}" for s in ORDER_STATES),
    *(f"ontime_{step}_ok" for step in ORDER_STEPS),
    *(f"ontime_{step}_all" for step in ORDER_STEPS),
    "rating_sum",
    "rating_count",
    "ratings_auto",
    "followups_open",
    "population",
    "population_covered",
]

# Monthly series (last twelve months).
MONTHLY_METRICS: list[str] = [
    "activities",
    "audience_online",
    "audience_offline",
    "service_hours",
    "service_records",
    "orders_created",
    "orders_finished",
    "volunteers_joined",
]
MONTHS = 12

LABELS = {
    "sites_center": _("实践中心"),
    "sites_institute": _("实践所"),
    "sites_station": _("实践站"),
    "sites_point": _("实践点"),
    "sites_total": _("实践阵地"),
    "sites_complex": _("党群服务+文明实践综合体"),
    "sites_without_responsible": _("无在任一把手的阵地"),
    "sites_without_staff": _("无专职人员的阵地"),
    "teams_total": _("志愿服务队"),
    "teams_general": _("总队"),
    "teams_specialised": _("专业服务队"),
    "teams_mobile": _("流动服务队"),
    "teams_department": _("部门服务队"),
    "teams_village": _("村（社区）服务队"),
    "teams_social": _("社会组织服务队"),
    "volunteers_registered": _("注册志愿者"),
    "volunteers_active_month": _("本月活跃志愿者"),
    "projects_total": _("志愿服务项目"),
    "projects_active": _("运行中项目"),
    "projects_demo": _("省级示范项目"),
    "activities_total": _("文明实践活动"),
    "audience_online": _("线上参与人次"),
    "audience_offline": _("线下参与人次"),
    "audience_total": _("参与人次"),
    "service_records": _("志愿服务人次"),
    "service_hours": _("志愿服务时长（小时）"),
    "orders_total": _("点单总数"),
    "orders_open": _("办理中订单"),
    "orders_submitted": _("待审核"),
    "orders_pending_dispatch": _("待派单"),
    "orders_dispatched": _("已派单"),
    "orders_accepted": _("已接单"),
    "orders_in_service": _("服务中"),
    "orders_completed": _("待评价"),
    "orders_rated": _("已评价"),
    "orders_rejected": _("已驳回"),
    "orders_cancelled": _("已取消"),
    "rating_sum": _("评价分合计"),
    "rating_count": _("群众评价数"),
    "ratings_auto": _("系统自动评价数"),
    "satisfaction": _("平均满意度（5 分制）"),
    "followups_open": _("待回访"),
    "population": _("常住人口（人口图层）"),
    "population_covered": _("15 分钟圈内人口"),
    "coverage": _("15 分钟圈覆盖率"),
    "volunteers_joined": _("新注册志愿者"),
    "orders_created": _("新增点单"),
    "orders_finished": _("完成服务的订单"),
    "ontime": _("按时"),
    "ontime_all": _("应办"),
    "activities": _("活动场次"),
}


def label(key: str) -> str:
    if key.startswith("ontime_") and key.count("_") == 2:
        _prefix, step, kind = key.split("_")
        suffix = LABELS["ontime"] if kind == "ok" else LABELS["ontime_all"]
        return f"{STEP_LABELS[step]} · {suffix}"
    return str(LABELS.get(key, key))

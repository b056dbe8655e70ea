"""The automatic figures a standard may be scored on (``Node.metric``): key → label, unit
and formula shown next to every score. ``compute.py`` computes them for a place and a
period."""

from django.utils.translation import gettext_lazy as _

METRICS: dict[str, dict] = {
    "activities_per_station_month": {
        "label": _("每站每月活动场次"),
        "formula": _("期内已办活动数 ÷ 实践站数 ÷ 月数"),
    },
    "orders_reviewed_on_time": {
        "label": _("按时审核率"),
        "formula": _("期内到期并按时审核的点单 ÷ 期内到期且已审核或已超时的点单"),
    },
    "orders_dispatched_on_time": {
        "label": _("按时派单率"),
        "formula": _("按时派单 ÷ 期内到期且已派单或已超时的点单"),
    },
    "orders_accepted_on_time": {
        "label": _("按时接单率"),
        "formula": _("按时接单 ÷ 期内到期且已接单或已超时的点单"),
    },
    "satisfaction": {"label": _("群众满意度"), "formula": _("好评（4–5 星） ÷ 评价数")},
    "follow_ups_done": {"label": _("回访完成率"), "formula": _("已回访 ÷ 应回访")},
    "volunteers_per_1000": {
        "label": _("每千人注册志愿者"),
        "formula": _("注册志愿者 ÷ 常住人口 × 1000"),
    },
    "active_volunteers": {"label": _("活跃志愿者"), "formula": _("期内有服务记录的志愿者人数")},
    "coverage_15min": {
        "label": _("15 分钟圈覆盖率"),
        "formula": _("15 分钟内可达阵地的人口 ÷ 人口"),
    },
    "funding_executed": {"label": _("经费执行率"), "formula": _("已入账支出 ÷ 到位经费")},
}

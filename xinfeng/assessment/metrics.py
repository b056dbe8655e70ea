"""The automatic figures a standard may be scored on (``Node.metric``): key → label,
formula shown next to every score, and the levels of unit it can be computed for.
``compute.py`` computes the place figures (township, village), ``compute_units.py`` the
site and team figures, ``compute_surveys.py`` the 三问 figures."""

import functools

from django.utils import translation
from django.utils.translation import gettext_lazy as _

PLACES = ("township", "village")
TOWNSHIP = ("township",)
SITE = ("site",)
TEAM = ("team",)

METRICS: dict[str, dict] = {
    "activities_per_station_month": {
        "label": _("每站每月活动场次"),
        "formula": _("期内已办活动数 ÷ 实践站数 ÷ 月数"),
        "levels": PLACES,
    },
    "orders_reviewed_on_time": {
        "label": _("按时审核率"),
        "formula": _("期内到期并按时审核的点单 ÷ 期内到期且已审核或已超时的点单"),
        "levels": PLACES,
    },
    "orders_dispatched_on_time": {
        "label": _("按时派单率"),
        "formula": _("按时派单 ÷ 期内到期且已派单或已超时的点单"),
        "levels": PLACES,
    },
    "orders_accepted_on_time": {
        "label": _("按时接单率"),
        "formula": _("按时接单 ÷ 期内到期且已接单或已超时的点单"),
        "levels": PLACES,
    },
    "satisfaction": {
        "label": _("群众满意度"),
        "formula": _("好评（4–5 星） ÷ 评价数"),
        "levels": PLACES,
    },
    "follow_ups_done": {
        "label": _("回访完成率"),
        "formula": _("已回访 ÷ 应回访"),
        "levels": PLACES,
    },
    "volunteers_per_1000": {
        "label": _("每千人注册志愿者"),
        "formula": _("注册志愿者 ÷ 常住人口 × 1000"),
        "levels": PLACES,
    },
    "active_volunteers": {
        "label": _("活跃志愿者"),
        "formula": _("期内有服务记录的志愿者人数"),
        "levels": PLACES,
    },
    "coverage_15min": {
        "label": _("15 分钟圈覆盖率"),
        "formula": _("期末 15 分钟内可达开放阵地的人口 ÷ 人口"),
        "levels": PLACES,
    },
    "funding_executed": {
        "label": _("经费执行率"),
        "formula": _("已入账支出 ÷ 到位经费"),
        "levels": PLACES,
    },
    # Coverage per period (a township's villages).
    "villages_covered": {
        "label": _("15 分钟圈覆盖村占比"),
        "formula": _("期末过半居民在 15 分钟圈内的村 ÷ 有人口数据的村"),
        "levels": TOWNSHIP,
    },
    "villages_with_station": {
        "label": _("建站村占比"),
        "formula": _("期末有开放实践站的村 ÷ 村数"),
        "levels": TOWNSHIP,
    },
    "villages_with_activity": {
        "label": _("开展活动村占比"),
        "formula": _("期内至少办结 1 场活动的村 ÷ 村数"),
        "levels": TOWNSHIP,
    },
    # 三问 (surveys).
    "surveys_held": {
        "label": _("开展三问调查"),
        "formula": _("期内收到答卷的三问问卷数"),
        "levels": PLACES,
    },
    "survey_response_rate": {
        "label": _("三问答卷完成率"),
        "formula": _("期内在收问卷各村答卷（不超过目标份数） ÷ 各村目标份数"),
        "levels": PLACES,
    },
    "needs_answered": {
        "label": _("群众需求响应率"),
        "formula": _("期末已有服务项目或活动响应的需求 ÷ 期末已识别的需求"),
        "levels": PLACES,
    },
    "needs_to_projects": {
        "label": _("需求转化为项目"),
        "formula": _("期末已转化为服务项目的需求 ÷ 期末已识别的需求"),
        "levels": PLACES,
    },
    "evaluation_mean": {
        "label": _("问效平均评分"),
        "formula": _("期内问效问卷评分题（1–5 分）的平均分"),
        "levels": PLACES,
    },
    # Practice sites.
    "site_activities_per_month": {
        "label": _("阵地每月活动场次"),
        "formula": _("期内本阵地已办活动数 ÷ 月数"),
        "levels": SITE,
    },
    "site_satisfaction": {
        "label": _("阵地群众满意度"),
        "formula": _("本阵地负责点单的好评（4–5 星） ÷ 评价数"),
        "levels": SITE,
    },
    "site_follow_ups_done": {
        "label": _("阵地回访完成率"),
        "formula": _("本阵地已回访 ÷ 应回访"),
        "levels": SITE,
    },
    # Volunteer teams.
    "team_orders_accepted_on_time": {
        "label": _("队伍按时接单率"),
        "formula": _("本队期内到期并按时接单 ÷ 期内到期且已接单或已超时的点单"),
        "levels": TEAM,
    },
    "team_satisfaction": {
        "label": _("队伍群众满意度"),
        "formula": _("本队服务点单的好评（4–5 星） ÷ 评价数"),
        "levels": TEAM,
    },
    "team_active_members": {
        "label": _("队员活跃率"),
        "formula": _("期内有本队服务记录的在队队员 ÷ 在队队员"),
        "levels": TEAM,
    },
    "team_service_hours": {
        "label": _("队伍服务时长"),
        "formula": _("期内本队服务记录时长合计（小时）"),
        "levels": TEAM,
    },
}


def metrics_for(level: str) -> list[str]:
    """The metric keys a standard of ``level`` may use."""
    return [key for key, m in METRICS.items() if level in m["levels"]]


@functools.lru_cache(maxsize=256)
def _formula_in(metric: str, language: str | None) -> str:
    with translation.override(language):
        return str(METRICS[metric]["formula"])


def formula(metric: str) -> str:
    """The formula of ``metric`` in the active language (a run shows it on each of its
    ~150,000 automatic lines: translated once per language, not per line)."""
    return _formula_in(metric, translation.get_language())

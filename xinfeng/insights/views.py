"""Pages: the dashboard (数据大屏) with drill-down and Excel export, the practice-site map
(阵地地图) and the 15-minute-circle analysis."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from xinfeng.core.errors import DomainError, NotAuthenticated, NotFound
from xinfeng.places.cascade import region_cascade
from xinfeng.places.coverage import walk_radius_m
from xinfeng.regions.models import Region

from . import conf, map_data, selectors
from .export import dashboard_workbook
from .metrics import ORDER_STEPS, STEP_LABELS, label
from .views_common import chart_labels, dashboard_payload


def _error(request, exc: DomainError):
    if isinstance(exc, NotAuthenticated):
        return redirect_to_login(request.get_full_path())
    if isinstance(exc, NotFound):
        return render(request, "404.html", status=404)
    return render(request, "insights/error.html", {"message": exc.detail}, status=exc.status)


@require_safe
def dashboard_home(request):
    """/insights/ → the dashboard of the user's own region."""
    try:
        region = selectors.dashboard_region(user=request.user)
    except NotFound:
        # Signed in, but no reading role anywhere: say so rather than "not found".
        return render(
            request,
            "insights/error.html",
            {"message": _("数据大屏供领导和阵地管理员使用；您的账号没有查看权限。")},
            status=403,
        )
    except DomainError as exc:
        return _error(request, exc)
    return redirect("insights:dashboard", region_id=region.pk)


def _kpis(f: dict) -> list[tuple[str, list[tuple[str, object, str]]]]:
    """Groups of (label, value, test id) for the big numbers."""

    def n(key):
        return intcomma(int(round(f.get(key, 0) or 0)))

    satisfaction = f.get("satisfaction")
    coverage = f.get("coverage")
    return [
        (
            _("实践阵地"),
            [
                (_("开放中的实践阵地（中心+所+站+点）"), n("sites_total"), "sites_total"),
                (label("sites_center"), n("sites_center"), "sites_center"),
                (label("sites_institute"), n("sites_institute"), "sites_institute"),
                (label("sites_station"), n("sites_station"), "sites_station"),
                (_("其中综合体"), n("sites_complex"), "sites_complex"),
                (label("sites_point"), n("sites_point"), "sites_point"),
                (
                    label("sites_without_responsible"),
                    n("sites_without_responsible"),
                    "sites_without_responsible",
                ),
                (label("sites_without_staff"), n("sites_without_staff"), "sites_without_staff"),
            ],
        ),
        (
            _("队伍与志愿者"),
            [
                (_("在册志愿服务队（各类合计）"), n("teams_total"), "teams_total"),
                (label("volunteers_registered"), n("volunteers_registered"), "volunteers"),
                (label("volunteers_active_month"), n("volunteers_active_month"), "active"),
                (_("服务时长（小时）"), n("service_hours"), "hours"),
                (label("service_records"), n("service_records"), "service_records"),
            ],
        ),
        (
            _("项目与活动"),
            [
                (_("志愿服务项目（不含已停止）"), n("projects_total"), "projects"),
                (_("其中运行中、可点单"), n("projects_active"), "projects_active"),
                (_("文明实践活动（已发布和已结束）"), n("activities_total"), "activities"),
                (_("参与人次（线上+线下）"), n("audience_total"), "audience"),
                (label("audience_online"), n("audience_online"), "audience_online"),
                (label("audience_offline"), n("audience_offline"), "audience_offline"),
            ],
        ),
        (
            _("四单制"),
            [
                (_("点单总数（各状态合计）"), n("orders_total"), "orders"),
                (_("其中办理中"), n("orders_open"), "orders_open"),
                (
                    _("平均满意度"),
                    f"{satisfaction:.2f}" if satisfaction is not None else "—",
                    "satisfaction",
                ),
                (label("followups_open"), n("followups_open"), "followups"),
                (
                    _("15分钟圈覆盖率"),
                    f"{coverage * 100:.1f}%" if coverage is not None else "—",
                    "coverage",
                ),
            ],
        ),
    ]


@require_safe
def dashboard_view(request, region_id: int):
    try:
        region = selectors.dashboard_region(user=request.user, region_id=region_id)
    except DomainError as exc:
        return _error(request, exc)
    board = selectors.dashboard(
        user=request.user, region=region, ranking=request.GET.get("rank") or "hours"
    )
    f = board.figures
    steps = [
        (STEP_LABELS[s], f.get(f"ontime_{s}"), f.get(f"ontime_{s}_all", 0)) for s in ORDER_STEPS
    ]
    context = {
        "board": board,
        "region": region,
        "kpis": _kpis(f),
        "steps": steps,
        "payload": dashboard_payload(board),
        "chart_labels": chart_labels(),
        "rankings": chart_labels()["rankings"],
        "as_of": board.last_run["finished_at"] if board.last_run else None,
    }
    return render(request, "insights/dashboard.html", context)


@require_safe
def dashboard_export(request, region_id: int):
    try:
        region = selectors.dashboard_region(user=request.user, region_id=region_id)
    except DomainError as exc:
        return _error(request, exc)
    board = selectors.dashboard(user=request.user, region=region)
    stamp = timezone.localtime().strftime("%Y%m%d")
    filename = f"dashboard-{region.code or region.pk}-{stamp}.xlsx"
    return HttpResponse(
        dashboard_workbook(board),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _region_param(request) -> Region | None:
    raw = request.GET.get("region")
    if raw and raw.isdigit():
        return Region.objects.filter(pk=int(raw)).first()
    return None


@require_safe
def site_map(request):
    """阵地地图: every open practice site, coloured by level; the 15-minute-circle gaps."""
    region = _region_param(request)
    tiles = map_data.tiles()
    regions_url = reverse("api:insights_map_regions")
    if region is not None:
        regions_url += f"?region_id={region.pk}"
    config = {
        "tiles": tiles,
        "sites_url": reverse("api:insights_map_sites"),
        "site_url": reverse("api:insights_map_site", args=[0]).rstrip("0"),
        "regions_url": regions_url,
        "nearest_url": reverse("api:insights_map_nearest"),
        "radius_m": walk_radius_m(conf.walk_minutes(), conf.walk_speed_kmh()),
        "labels": {
            "hours": _("开放时间"),
            "address": _("地址"),
            "next": _("近期活动"),
            "none": _("暂无近期活动"),
            "open": _("查看阵地详情"),
            "complex": _("党群服务+文明实践综合体"),
            "sites": _("共 %(n)s 个实践阵地"),
            "gap": _("%(name)s：约 %(n)s 人在 15 分钟圈外（覆盖率 %(p)s）"),
            "suggest": _("建议新增实践点（%(region)s）：可多覆盖约 %(n)s 人"),
            "failed": _("地图数据加载失败，请刷新重试。"),
            "loading": _("加载中……"),
            "locating": _("正在获取您的位置……"),
            "refused": _("未能获取位置，改按您的居住地计算……"),
            "unknown": _("无法获取您的位置：请允许浏览器使用位置，或登录后按居住地查找。"),
            "walk": _("步行约 %(m)s 分钟"),
            "you": _("您的位置"),
            "home": _("您的居住地"),
        },
    }
    walk = {
        "minutes": f"{conf.walk_minutes():g}",
        "speed": f"{conf.walk_speed_kmh():g}",
        "radius": f"{config['radius_m']:.0f}",
    }
    return render(
        request,
        "insights/map.html",
        {
            "region": region,
            "tiles": tiles,
            "levels": _level_legend(),
            "map_config": config,
            "walk": walk,
        },
    )


def _level_legend():
    from xinfeng.places.choices import SiteLevel

    return [(value, lbl) for value, lbl in SiteLevel.choices]


def _positive(raw: str | None, default: float, low: float, high: float, what: str) -> float:
    if raw in (None, ""):
        return default
    try:
        x = float(raw)
    except ValueError:
        raise DomainError(_("%(what)s需为数字。") % {"what": what}) from None
    if not low <= x <= high:
        raise DomainError(
            _("%(what)s应在 %(low)g 到 %(high)g 之间。") % {"what": what, "low": low, "high": high}
        )
    return x


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


@require_safe
def coverage_view(request):
    """The 15-minute circle for a region and a chosen walk, computed now (cached briefly)."""
    cascade = region_cascade(request.GET, id="cov-region")
    region = cascade.selected
    status = 200
    error = None
    data = None
    minutes, speed = conf.walk_minutes(), conf.walk_speed_kmh()
    try:
        minutes = _positive(request.GET.get("minutes"), minutes, 1, 120, _("步行时间"))
        speed = _positive(request.GET.get("speed"), speed, 0.5, 30, _("步行速度"))
        data = map_data.coverage_payload(
            region_id=region.pk if region else None, minutes=minutes, speed_kmh=speed, picks=3
        )
        data["share_pct"] = _pct(data["share"])
        for row in [*data["children"], *data["uncovered_villages"]]:
            row["share_pct"] = _pct(row["share"])
            row["uncovered"] = row["population"] - row["covered"]
    except DomainError as exc:
        error, status = exc.detail, exc.status
    # The cascade offers the way up and one level down: short at any scale.
    here = region or (selectors.top_region() if Region.objects.exists() else None)
    return render(
        request,
        "insights/coverage.html",
        {
            "data": data,
            "error": error,
            "minutes": minutes,
            "speed": speed,
            "region": here,
            "cascade": cascade,
        },
        status=status,
    )

"""The guiding departments' view (服务指导作用): for each of the six departments, the
figures of the part of the work it guides, in its region. Totals only — no person is
named — read from the dashboard rollup (``insights.RegionStat``) and the owning apps'
selectors; a department reads its own region only (``Role.DEPARTMENT``), staff and
leaders the top of their scope."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfeng.accounts.choices import READ_ROLES
from xinfeng.accounts.scope import scope_paths
from xinfeng.core.errors import NotAuthenticated, NotFound
from xinfeng.places.choices import Department
from xinfeng.regions.models import Region, subtree_q

from . import policy, selectors
from .choices import GUIDING_DEPARTMENTS, StaffKind
from .models import Decision, Handover, LeadingGroup, Meeting, SiteStaff


@dataclass
class Section:
    code: str
    label: str
    guides: str
    figures: list[tuple[str, object, str]] = field(default_factory=list)  # label, value, key
    rows: list[dict] = field(default_factory=list)


def readable_regions(user) -> list[tuple[Region, list[str]]]:
    """(region, department codes shown there) the user may open: a department its own
    region and code; staff and leaders the top of their scope with all six."""
    if user is None or not user.is_authenticated:
        raise NotAuthenticated()
    out: dict[int, tuple[Region, list[str]]] = {}
    for code, region in policy.departments_of(user):
        out.setdefault(region.pk, (region, []))[1].append(code)
    paths = scope_paths(user, READ_ROLES)
    if paths is None:
        tops = list(Region.objects.filter(parent__isnull=True).order_by("path")[:5])
    else:
        tops = list(Region.objects.filter(path__in=paths).order_by("path"))
    for region in tops:
        out[region.pk] = (region, list(GUIDING_DEPARTMENTS))
    if not out:
        raise NotFound()
    return list(out.values())


def view_for(user, *, region_id: int | None = None, department: str = "") -> tuple:
    """(region, sections, choices of regions) for the page and the API. A region outside
    the reader's reach answers 404 like a missing one."""
    regions = readable_regions(user)
    chosen = regions[0]
    if region_id is not None:
        chosen = next((r for r in regions if r[0].pk == region_id), None)
        if chosen is None:
            raise NotFound()
    region, codes = chosen
    if department:
        if department not in codes:
            raise NotFound()
        codes = [department]
    return region, [section(code, region) for code in codes], [r for r, _c in regions]


GUIDES = {
    Department.ORGANIZATION: gettext_lazy("一把手负责制、工作领导小组、专职人员"),
    Department.PUBLICITY: gettext_lazy("文明实践活动、新闻报道、三问问卷"),
    Department.FINANCE: gettext_lazy("经费保障：下达与支出"),
    Department.CIVIL_AFFAIRS: gettext_lazy("志愿者队伍与志愿服务记录"),
    Department.CULTURE_TOURISM: gettext_lazy("文化活动与场所"),
    Department.HUMAN_RESOURCES: gettext_lazy("专职人员与党建宣传员"),
}


def _stat(region: Region) -> dict:
    from xinfeng.insights.models import RegionStat

    stat = RegionStat.objects.filter(region=region).only("figures").first()
    return stat.figures if stat else {}


def _n(value) -> int:
    return int(round(value or 0))


def section(code: str, region: Region) -> Section:
    s = Section(code=code, label=str(Department(code).label), guides=str(GUIDES[code]))
    builder = {
        Department.ORGANIZATION: _organization,
        Department.PUBLICITY: _publicity,
        Department.FINANCE: _finance,
        Department.CIVIL_AFFAIRS: _civil_affairs,
        Department.CULTURE_TOURISM: _culture_tourism,
        Department.HUMAN_RESOURCES: _human_resources,
    }[code]
    builder(s, region)
    return s


def _sites_in(region: Region):
    return selectors.governed_sites().filter(subtree_q([region.path], "region__path"))


def _organization(s: Section, region: Region) -> None:
    sites = selectors.with_people(_sites_in(region))
    counts = sites.aggregate(
        total=Count("id"),
        no_resp=Count("id", filter=Q(resp_name__isnull=True)),
        no_staff=Count("id", filter=Q(staff_n=0)),
    )
    year = timezone.localdate().year
    groups = LeadingGroup.objects.filter(subtree_q([region.path], "region__path"))
    meetings = Meeting.objects.filter(subtree_q([region.path], "group__region__path"))
    s.figures = [
        (_("实践中心、所、站"), counts["total"], "governed_sites"),
        (_("有在任一把手"), counts["total"] - counts["no_resp"], "with_responsible"),
        (_("无在任一把手"), counts["no_resp"], "without_responsible"),
        (_("无专职人员"), counts["no_staff"], "without_staff"),
        (_("工作领导小组"), groups.count(), "groups"),
        (_("本年度领导小组会议"), meetings.filter(held_on__year=year).count(), "meetings_year"),
        (
            _("会议决定（已转为任务）"),
            Decision.objects.filter(
                subtree_q([region.path], "meeting__group__region__path"), task_id__isnull=False
            ).count(),
            "decisions_tasked",
        ),
        (
            _("本年度工作交接"),
            Handover.objects.filter(
                subtree_q([region.path], "site__region__path"), handed_over_on__year=year
            ).count(),
            "handovers_year",
        ),
    ]


def _publicity(s: Section, region: Region) -> None:
    from xinfeng.activities.selectors import published_news
    from xinfeng.surveys.choices import SurveyStatus
    from xinfeng.surveys.models import Survey

    f = _stat(region)
    surveys = Survey.objects.filter(subtree_q([region.path], "region__path")).exclude(
        status=SurveyStatus.DRAFT
    )
    s.figures = [
        (_("文明实践活动（已发布和已结束）"), _n(f.get("activities_total")), "activities"),
        (_("参与人次（线上+线下）"), _n(f.get("audience_total")), "audience"),
        (_("已发布新闻报道"), published_news(region=region).count(), "news"),
        (_("已发布的三问问卷"), surveys.count(), "surveys"),
        (_("收集中的问卷"), surveys.filter(status=SurveyStatus.OPEN).count(), "surveys_open"),
    ]


def _finance(s: Section, region: Region) -> None:
    from xinfeng.assessment.selectors import funding_rows

    year = timezone.localdate().year
    rows = [r for r in funding_rows(region=region, year=year) if r["region_id"] == region.pk]
    received = sum(r["received_fen"] for r in rows)
    spent = sum(r["spent_subtree_fen"] for r in rows)
    s.figures = [
        (_("本年度到位经费（元）"), f"{received / 100:,.2f}", "received"),
        (_("本年度已支出（含下级，元）"), f"{spent / 100:,.2f}", "spent"),
        (
            _("执行率"),
            f"{100 * spent / received:.1f}%" if received else "—",
            "executed",
        ),
    ]
    s.rows = [
        {
            "label": r["source_label"],
            "received": f"{r['received_fen'] / 100:,.2f}",
            "spent": f"{r['spent_subtree_fen'] / 100:,.2f}",
        }
        for r in rows
    ]


def _civil_affairs(s: Section, region: Region) -> None:
    f = _stat(region)
    s.figures = [
        (_("注册志愿者"), _n(f.get("volunteers_registered")), "volunteers"),
        (_("本月活跃志愿者"), _n(f.get("volunteers_active_month")), "active"),
        (_("志愿服务队"), _n(f.get("teams_total")), "teams"),
        (_("志愿服务人次"), _n(f.get("service_records")), "service_records"),
        (_("志愿服务时长（小时）"), _n(f.get("service_hours")), "service_hours"),
    ]


def _culture_tourism(s: Section, region: Region) -> None:
    from xinfeng.places.models import Venue

    f = _stat(region)
    s.figures = [
        (_("文明实践活动（已发布和已结束）"), _n(f.get("activities_total")), "activities"),
        (_("线下参与人次"), _n(f.get("audience_offline")), "audience_offline"),
        (_("线上参与人次"), _n(f.get("audience_online")), "audience_online"),
        (_("开放中的实践阵地"), _n(f.get("sites_total")), "sites"),
        (
            _("可用场所"),
            Venue.objects.filter(
                subtree_q([region.path], "site__region__path"), is_active=True
            ).count(),
            "venues",
        ),
    ]


def _human_resources(s: Section, region: Region) -> None:
    staff = SiteStaff.objects.filter(
        selectors.in_office_q(), subtree_q([region.path], "site__region__path")
    )
    by_kind = dict(staff.values_list("kind").annotate(n=Count("id")).order_by())
    sites = selectors.with_people(_sites_in(region))
    s.figures = [
        (_("在岗专职人员（合计）"), sum(by_kind.values()), "staff"),
        (str(StaffKind.FULL_TIME.label), by_kind.get(StaffKind.FULL_TIME, 0), "full_time"),
        (
            str(StaffKind.PROPAGANDIST.label),
            by_kind.get(StaffKind.PROPAGANDIST, 0),
            "propagandists",
        ),
        (_("有专职人员的阵地"), sites.filter(staff_n__gt=0).count(), "sites_with_staff"),
        (_("无专职人员的阵地"), sites.filter(staff_n=0).count(), "sites_without_staff"),
    ]

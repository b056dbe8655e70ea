"""Reads of work plans and demonstration sites, already scoped to the reader."""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xinfeng.accounts.choices import READ_ROLES
from xinfeng.accounts.scope import is_system_admin, scope_paths
from xinfeng.core.errors import NotAuthenticated, NotFound
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region, subtree_q

from . import policy
from .choices import DEMO_SITES_PER_TOWNSHIP, DesignationStatus, TaskStatus
from .models import Designation, Task, WorkPlan


def _require_user(user) -> None:
    if user is None or not user.is_authenticated:
        raise NotAuthenticated()


def plans_for(*, user, year: int | None = None, q: str | None = None) -> QuerySet:
    """Plans the user may read: their area's and those of the levels above them."""
    _require_user(user)
    qs = WorkPlan.objects.select_related("region", "site")
    cond = policy.readable_region_q(user)
    if cond is not None:
        qs = qs.filter(cond)
    if year:
        qs = qs.filter(year=year)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(region__name__icontains=q))
    return qs


def plan_get(*, user, plan_id: int) -> WorkPlan:
    _require_user(user)
    plan = WorkPlan.objects.select_related("region", "site").filter(pk=plan_id).first()
    if plan is None or not policy.may_read_plan(user, plan):
        raise NotFound()
    return plan


def task_get(*, user, task_id: int) -> Task:
    """A task of a readable plan, or one the user owns."""
    _require_user(user)
    task = (
        Task.objects.select_related("plan__region", "owner", "goal", "escalated_to")
        .filter(pk=task_id)
        .first()
    )
    if task is None or not (task.owner_id == user.pk or policy.may_read_plan(user, task.plan)):
        raise NotFound()
    return task


def tasks_of(plan: WorkPlan, *, status: str | None = None, q: str | None = None) -> QuerySet:
    qs = plan.tasks.select_related("owner", "goal")
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs


def my_tasks(*, user) -> QuerySet:
    _require_user(user)
    return (
        Task.objects.filter(owner=user)
        .select_related("plan__region")
        .exclude(status=TaskStatus.DONE)
    )


@dataclass
class Progress:
    total: int = 0
    done: int = 0
    doing: int = 0
    todo: int = 0
    overdue: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def add(self, other: "Progress") -> None:
        for f in ("total", "done", "doing", "todo", "overdue"):
            setattr(self, f, getattr(self, f) + getattr(other, f))

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "done": self.done,
            "doing": self.doing,
            "todo": self.todo,
            "overdue": self.overdue,
            "percent": self.percent,
        }


def _counts(rows) -> dict[int, Progress]:
    out: dict[int, Progress] = {}
    for r in rows:
        p = out.setdefault(r["plan_id"], Progress())
        p.total += r["n"]
        setattr(p, r["status"], getattr(p, r["status"]) + r["n"])
    return out


def plan_progress(plan: WorkPlan) -> Progress:
    rows = plan.tasks.values("plan_id", "status").annotate(n=Count("id")).order_by()
    return _counts(rows).get(plan.pk, Progress())


@dataclass
class ProgressRow:
    region: Region
    plan: WorkPlan | None
    own: Progress
    below: Progress = field(default_factory=Progress)
    plans_below: int = 0


def readable_subtree_region(*, user, region_id: int | None) -> Region:
    """The region whose progress the user looks at: one inside their reading scope (404
    otherwise), by default the top of it."""
    _require_user(user)
    paths = scope_paths(user, READ_ROLES)
    if region_id is None:
        if paths is None:
            region = Region.objects.filter(parent__isnull=True).order_by("path").first()
            region = _first_with_children(region)
        elif not paths:
            raise NotFound()
        else:
            region = Region.objects.filter(path=paths[0]).first()
        if region is None:
            raise NotFound()
        return region
    region = Region.objects.filter(pk=region_id).first()
    if region is None or not (
        is_system_admin(user) or any(region.path.startswith(p) for p in paths or [])
    ):
        raise NotFound()
    return region


def _first_with_children(region: Region | None) -> Region | None:
    # Above the county there is one child per level in a city deployment: start lower.
    while region is not None:
        kids = list(region.children.all()[:2])
        if len(kids) != 1:
            return region
        region = kids[0]
    return region


def progress_tree(*, region: Region, year: int) -> tuple[ProgressRow, list[ProgressRow]]:
    """The region's own plan and, per child region, its plan and everything below it:
    one query for plans, one for task counts."""
    plans = list(
        WorkPlan.objects.filter(subtree_q([region.path], "region__path"), year=year)
        .select_related("region")
        .order_by("region__path")
    )
    counts = _counts(
        Task.objects.filter(plan__in=[p.pk for p in plans])
        .values("plan_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_region = {p.region_id: p for p in plans}
    head_plan = by_region.get(region.pk)
    head = ProgressRow(
        region, head_plan, counts.get(head_plan.pk, Progress()) if head_plan else Progress()
    )
    rows = []
    for child in region.children.order_by("code", "name"):
        plan = by_region.get(child.pk)
        row = ProgressRow(child, plan, counts.get(plan.pk, Progress()) if plan else Progress())
        for p in plans:
            if p.region.path.startswith(child.path) and p.region_id != child.pk:
                row.plans_below += 1
                row.below.add(counts.get(p.pk, Progress()))
        head.below.add(row.own)
        head.below.add(row.below)
        head.plans_below += row.plans_below + (1 if plan else 0)
        rows.append(row)
    return head, rows


# --- demonstration sites --------------------------------------------------------------


def current_year() -> int:
    return timezone.localdate().year


def holding_q(year: int) -> Q:
    """Designations that hold in ``year``: made then or before, not withdrawn by then."""
    return Q(year__lte=year) & (Q(status=DesignationStatus.ACTIVE) | Q(withdrawn_year__gt=year))


def designations(
    *, year: int | None = None, township: Region | None = None, q: str | None = None
) -> QuerySet:
    """Designations (public), newest first; with ``year`` only those holding then."""
    qs = Designation.objects.select_related("site", "site__region", "township")
    if year:
        qs = qs.filter(holding_q(year))
    if township is not None:
        qs = qs.filter(township=township)
    if q:
        qs = qs.filter(Q(site__name__icontains=q) | Q(township__name__icontains=q))
    return qs


def designation_get(*, designation_id: int) -> Designation:
    d = (
        Designation.objects.select_related("site", "township", "designated_by_region")
        .filter(pk=designation_id)
        .first()
    )
    if d is None:
        raise NotFound()
    return d


@dataclass
class TownshipRow:
    township: Region
    sites: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.sites)

    @property
    def missing(self) -> int:
        return max(0, DEMO_SITES_PER_TOWNSHIP - self.count)


def township_rule(*, year: int, root: Region | None = None) -> list[TownshipRow]:
    """Every township (under ``root``) with the demonstration sites holding in ``year``:
    the rule "2 per township" (每乡镇打造2个示范点). Two queries."""
    towns = Region.objects.filter(level=RegionLevel.TOWNSHIP)
    if root is not None:
        towns = towns.filter(subtree_q([root.path]))
    rows = {t.pk: TownshipRow(t) for t in towns.order_by("code", "name")}
    for d in designations(year=year).filter(township_id__in=list(rows)).order_by("site__name"):
        rows[d.township_id].sites.append(d)
    return list(rows.values())


HOLDING_KEY = "workplans:demo-site-ids:%s"
HOLDING_TTL = 300


def holding_site_ids(year: int | None = None) -> set[int]:
    """Ids of the sites that are demonstration sites in ``year`` (cached: the directory
    asks on every page; a designation or review saved forgets it)."""
    year = year or current_year()
    key = HOLDING_KEY % year
    ids = cache.get(key)
    if ids is None:
        ids = set(Designation.objects.filter(holding_q(year)).values_list("site_id", flat=True))
        cache.set(key, ids, HOLDING_TTL)
    return ids


def forget_holding(**_signal_kwargs) -> None:
    """Signal receiver: a designation or review changed."""
    y = current_year()
    cache.delete_many([HOLDING_KEY % year for year in range(y - 1, y + 2)])

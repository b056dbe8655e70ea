"""Every read of assessment and the funding ledger, already scoped to the reader.

Reading the books needs a reading role (staff or leader) over the place: anonymous
callers get 401, lines outside the reader's subtree do not exist for them (404).
"""

from collections import defaultdict

from django.db.models import Count, Q, QuerySet, Sum

from xinfeng.accounts.choices import READ_ROLES
from xinfeng.accounts.scope import get_in_scope, restrict, scope_paths
from xinfeng.core.errors import NotAuthenticated, NotFound
from xinfeng.regions.models import PATH_SEGMENT, Region, subtree_q

from .choices import EntryStatus, FundSource
from .models import Allocation, Expenditure

KINDS = {"allocations": Allocation, "expenditures": Expenditure}


def _signed_in(user) -> None:
    if user is None or not user.is_authenticated:
        raise NotAuthenticated()


def ledger_lines(user, kind: str, *, year=None, source=None, status=None, region=None) -> QuerySet:
    """Allocations or expenditures of the reader's subtree (newest first)."""
    _signed_in(user)
    model = KINDS[kind]
    qs = restrict(model.objects.all(), user, roles=READ_ROLES)
    if year is not None:
        qs = qs.filter(year=year)
    if source:
        qs = qs.filter(source=source)
    if status:
        qs = qs.filter(status=status)
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    related = ["region", "site", "project", "created_by", "decided_by"]
    if model is Allocation:
        related.append("from_region")
    else:
        related.append("activity")
    return qs.select_related(*related)


def ledger_line(user, kind: str, pk: int):
    _signed_in(user)
    if kind not in KINDS:
        raise NotFound()
    return get_in_scope(KINDS[kind].objects.all(), user, roles=READ_ROLES, pk=pk)


def readable_region(user, pk: int) -> Region:
    _signed_in(user)
    return get_in_scope(Region.objects.all(), user, path_field="path", roles=READ_ROLES, pk=pk)


def default_region(user) -> Region:
    """The top of the reader's scope (the root for a system administrator); 404 for a
    person who reads nowhere."""
    _signed_in(user)
    paths = scope_paths(user, READ_ROLES)
    if paths is None:
        region = Region.objects.filter(parent__isnull=True).order_by("path").first()
    else:
        region = Region.objects.filter(path__in=paths[:1]).first()
    if region is None:
        raise NotFound()
    return region


def region_or_default(user, pk: int | None) -> Region:
    return readable_region(user, pk) if pk else default_region(user)


def funding_summary(user, *, region: Region, year: int) -> list[dict]:
    """Budget vs spent for ``region`` and each place directly below it, per source: what it
    received (posted), passed down, spent (itself and below) and holds. In fen."""
    readable_region(user, region.pk)
    return funding_rows(region=region, year=year)


def funding_rows(*, region: Region, year: int) -> list[dict]:
    """``funding_summary`` without the reader check, for a caller that has decided who
    may read the region's totals (governance's view for the finance bureau)."""
    places = [region, *Region.objects.filter(parent=region).order_by("path")]
    rows = []
    posted = Q(status=EntryStatus.POSTED, year=year)
    ins = _by_region_source(Allocation.objects.filter(posted), "region")
    outs = _by_region_source(
        Allocation.objects.filter(posted, from_region__isnull=False), "from_region"
    )
    spent_own = _by_region_source(Expenditure.objects.filter(posted), "region")
    spent_paths = defaultdict(int)
    for path, source, total in (
        Expenditure.objects.filter(posted)
        .filter(subtree_q([region.path], "region__path"))
        .values_list("region__path", "source")
        .annotate(total=Sum("amount_fen"))
    ):
        spent_paths[(path, source)] += int(total)
    for place in places:
        for source in FundSource.values:
            received = ins.get((place.pk, source), 0)
            down = outs.get((place.pk, source), 0)
            own = spent_own.get((place.pk, source), 0)
            below = sum(
                v for (p, s), v in spent_paths.items() if s == source and p.startswith(place.path)
            )
            if not (received or down or own or below):
                continue
            rows.append(
                {
                    "region_id": place.pk,
                    "region": place.display_name,
                    "source": source,
                    "source_label": str(FundSource(source).label),
                    "received_fen": received,
                    "passed_down_fen": down,
                    "spent_fen": own,
                    "spent_subtree_fen": below,
                    "holds_fen": received - down - own,
                    "executed_pct": round(100 * below / received, 1) if received else None,
                }
            )
    return rows


def _by_region_source(qs, field: str) -> dict:
    return {
        (r, s): int(t)
        for r, s, t in qs.values_list(f"{field}_id", "source").annotate(t=Sum("amount_fen"))
    }


def cost_per_activity(user, *, region: Region, year: int) -> list[dict]:
    """Posted spending per activity in ``region``'s subtree for ``year``."""
    readable_region(user, region.pk)
    qs = (
        Expenditure.objects.filter(
            subtree_q([region.path], "region__path"),
            status=EntryStatus.POSTED,
            year=year,
            activity__isnull=False,
        )
        .values("activity_id", "activity__title")
        .annotate(total=Sum("amount_fen"))
        .order_by("-total")
    )
    return [
        {
            "activity_id": r["activity_id"],
            "title": r["activity__title"],
            "cost_fen": int(r["total"]),
        }
        for r in qs
    ]


def cost_per_order(user, *, region: Region, year: int) -> dict:
    """Posted spending of the subtree for ``year`` divided by the orders served there that
    year (completed or rated, by completion date). Integer fen, rounded down."""
    from xinfeng.orders.choices import OrderState
    from xinfeng.orders.models import Order

    readable_region(user, region.pk)
    spent = (
        Expenditure.objects.filter(
            subtree_q([region.path], "region__path"), status=EntryStatus.POSTED, year=year
        ).aggregate(s=Sum("amount_fen"))["s"]
        or 0
    )
    served = Order.objects.filter(
        subtree_q([region.path], "region__path"),
        state__in=[OrderState.COMPLETED, OrderState.RATED],
        completed_at__year=year,
    ).aggregate(n=Count("id"))["n"]
    return {
        "spent_fen": int(spent),
        "orders_served": served,
        "cost_per_order_fen": int(spent) // served if served else None,
    }


# --- Indicator schemes ------------------------------------------------------------------


def schemes_for(user) -> QuerySet:
    """Schemes a reader may see: those of their places and below, those of the places
    above them (the schemes they are assessed by), and those they inspect."""
    from .models import Scheme

    _signed_in(user)
    paths = scope_paths(user, READ_ROLES)
    qs = Scheme.objects.select_related("region")
    if paths is None:
        return qs
    inspects = Q(inspectors__user=user)
    if not paths:
        return qs.filter(inspects).distinct()
    above = {p[:i] for p in paths for i in range(PATH_SEGMENT, len(p), PATH_SEGMENT)}
    return qs.filter(
        subtree_q(paths, "region__path") | Q(region__path__in=above) | inspects
    ).distinct()


def scheme(user, pk: int):
    obj = schemes_for(user).filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def scheme_tree(s) -> list[dict]:
    """The nodes in order, each with its depth (0 indicator, 1 content, 2 standard)."""
    depth = {"indicator": 0, "content": 1, "standard": 2}
    return [
        {
            "id": n.pk,
            "code": n.code,
            "kind": n.kind,
            "title": n.title,
            "depth": depth[n.kind],
            "points": n.points,
            "level": n.level,
            "method": n.method,
            "rule": n.rule,
            "metric": n.metric,
            "target": n.target,
            "cap": n.cap,
            "per_unit": n.per_unit,
        }
        for n in s.nodes.order_by("position", "id")
    ]


# --- Results ---------------------------------------------------------------------------


RESULT_LEVEL_ORDER = ("township", "village", "site", "team")


def results(user, s, *, period: str, level: str | None = None, q: str = "") -> QuerySet:
    """Stored results of a scheme for a period, for the units in the reader's scope (a site
    or team by its region), optionally of one level and whose name contains ``q``."""
    from django.db.models import Case, IntegerField, Value, When

    from .models import Result

    _signed_in(user)
    qs = Result.objects.filter(scheme=s, period=period)
    paths = scope_paths(user, READ_ROLES)
    if paths is not None and not any(s.region.path.startswith(p) for p in paths):
        # Every result lies under the scheme's place: a reader over all of it (the
        # province's center) needs no scope filter — no join to the regions to count and
        # page ~27,000 sites.
        qs = restrict(qs, user, roles=READ_ROLES)
    if level:
        qs = qs.filter(level=level)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(region__name__icontains=q, site__isnull=True, team__isnull=True)
            | Q(region__short_name__icontains=q, site__isnull=True, team__isnull=True)
            | Q(site__name__icontains=q)
            | Q(team__name__icontains=q)
        )
    order = Case(
        *(When(level=lv, then=Value(i)) for i, lv in enumerate(RESULT_LEVEL_ORDER)),
        default=Value(9),
        output_field=IntegerField(),
    )
    qs = qs.select_related("region", "site", "team")
    if level:  # one level: in the order of the index (scheme, period, level, group, rank)
        return qs.order_by("rank_group", "rank", "id")
    return qs.order_by(order, "rank_group", "rank", "id")


def result(user, pk: int):
    from .models import Result

    _signed_in(user)
    obj = get_in_scope(
        Result.objects.select_related("region", "scheme", "site", "team"),
        user,
        roles=READ_ROLES,
        pk=pk,
    )
    return obj


def result_lines(r) -> list[dict]:
    from .metrics import METRICS

    out = []
    for line in r.lines.select_related("node").order_by("node__position", "node_id"):
        n = line.node
        out.append(
            {
                "code": n.code,
                "title": n.title,
                "method": n.method,
                "points": n.points,
                "target": n.target,
                "figure": line.figure,
                "numerator": line.numerator,
                "denominator": line.denominator,
                "score": line.score,
                "link": line.link,
                "pending": line.pending,
                "formula": str(METRICS[n.metric]["formula"]) if n.metric in METRICS else "",
            }
        )
    return out


def result_trend(user, r) -> list[dict]:
    """The same place's stored totals under the same scheme, period by period."""
    from .models import Result

    qs = restrict(
        Result.objects.filter(scheme=r.scheme, region=r.region, site=r.site, team=r.team),
        user,
        roles=READ_ROLES,
    )
    return [{"period": x.period, "total": x.total, "rank": x.rank} for x in qs.order_by("period")]


# --- Manual scores ---------------------------------------------------------------------


def manual_scores(
    user, s, *, period: str = "", status: str = "", level: str = "", q: str = "", current=False
) -> QuerySet:
    """Manual scores of a scheme: an inspector sees the places they inspect, staff and
    leaders their scope; optionally of one period, status or level, whose unit's name
    contains ``q``, or only the current versions (not superseded). Newest first."""
    from .models import InspectorAssignment, ManualScore

    _signed_in(user)
    qs = ManualScore.objects.filter(scheme=s).select_related(
        "region", "site", "team", "node", "inspector", "confirmed_by"
    )
    paths = scope_paths(user, READ_ROLES)
    if paths is not None:
        inspected = list(
            InspectorAssignment.objects.filter(scheme=s, user=user).values_list(
                "region__path", flat=True
            )
        )
        allowed = [*paths, *inspected]
        if not allowed:
            return qs.none()
        qs = qs.filter(subtree_q(allowed, "region__path"))
    if period:
        qs = qs.filter(period=period)
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(node__level=level)
    if current:
        qs = qs.filter(superseded_by__isnull=True)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(region__name__icontains=q, site__isnull=True, team__isnull=True)
            | Q(region__short_name__icontains=q, site__isnull=True, team__isnull=True)
            | Q(site__name__icontains=q)
            | Q(team__name__icontains=q)
            | Q(node__code__startswith=q)
        )
    return qs.order_by("-id")


def manual_versions(row) -> list:
    """Every version of one score (oldest first): who scored, when, what, who confirmed."""
    from .models import ManualScore

    return list(
        ManualScore.objects.filter(
            scheme_id=row.scheme_id,
            node_id=row.node_id,
            region_id=row.region_id,
            site_id=row.site_id,
            team_id=row.team_id,
            period=row.period,
        )
        .select_related("inspector", "confirmed_by")
        .order_by("version", "id")
    )


def manual_score(user, pk: int):
    from .models import ManualScore

    _signed_in(user)
    row = (
        ManualScore.objects.filter(pk=pk)
        .select_related("scheme", "scheme__region", "region", "site", "team", "node")
        .first()
    )
    if row is None or not manual_scores(user, row.scheme).filter(pk=pk).exists():
        raise NotFound()
    return row


# --- Runs of the computation -----------------------------------------------------------


def runs_for(s, limit: int = 5) -> list:
    """The latest runs that computed ``s``: the scheduled runs (all published schemes of
    the year) and the runs people started for this scheme; newest first."""
    from .models import ResultsRun

    return list(
        ResultsRun.objects.filter(Q(scheme=s) | Q(scheme__isnull=True))
        .select_related("actor")
        .order_by("-started_at", "-id")[:limit]
    )

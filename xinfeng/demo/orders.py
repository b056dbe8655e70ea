"""Demo step "orders": two years of 四单制 orders in every state with plausible timings.

Old orders are finished (rated — mostly 非常满意/满意, a few low ones with their follow-up
visits — or rejected or cancelled); recent ones are at every step. Each order carries its
full event history. The demo resident, station operator and team leader get orders of
their own so every screen has something to show. Written with bulk_create: fast.
"""

import datetime as dt
import json
from datetime import timedelta

from django.db import connection, models
from django.utils import timezone

from xinfeng.orders.choices import (
    OrderChannel,
    OrderState,
)
from xinfeng.orders.models import FollowUp, Order, OrderAssignment, OrderEvent, OrderRating
from xinfeng.projects.choices import AGE_RANGES, ProjectStatus
from xinfeng.projects.models import Project
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import MembershipRole, MembershipStatus
from xinfeng.volunteers.choices import ServiceCategory as C
from xinfeng.volunteers.models import Team, TeamMembership

from .context import DemoContext
from .names import person_name, phone_number
from .order_steps import _play

N_ORDERS = 4000
DAYS = 730
S = OrderState

FREE_TEXT = {
    C.EVERYDAY_HELP: ["屋顶漏水需要帮忙修补", "家里电视没信号", "想请人帮忙理发", "帮忙代购药品"],
    C.ELDERLY: ["独居老人需要陪护聊天", "老人行动不便需要送餐", "帮老人打扫卫生"],
    C.HEALTH: ["想量量血压血糖", "需要上门康复指导"],
    C.CHILDREN: ["孩子暑假作业需要辅导", "留守儿童需要陪伴"],
    C.SCIENCE: ["教老人用智能手机", "想学网上缴费"],
    C.LAW: ["土地纠纷想咨询法律", "遇到疑似诈骗电话想咨询"],
    C.ENVIRONMENT: ["村口垃圾堆积需要清理", "水塘需要清理"],
}


def _final_state(rng, age_days: float) -> str:
    """Old orders are closed; recent ones are spread over the steps."""
    r = rng.random()
    if age_days > 12:
        if r < 0.05:
            return S.REJECTED
        if r < 0.10:
            return S.CANCELLED
        return S.RATED
    steps = [
        (0.08, S.SUBMITTED),
        (0.16, S.PENDING_DISPATCH),
        (0.24, S.DISPATCHED),
        (0.34, S.ACCEPTED),
        (0.40, S.IN_SERVICE),
        (0.55, S.COMPLETED),
        (0.88, S.RATED),
        (0.94, S.REJECTED),
        (1.01, S.CANCELLED),
    ]
    return next(state for cut, state in steps if r < cut)


class _Places:
    """Villages under each region, the station of each village, teams near each place."""

    def __init__(self, ctx, teams):
        regions = list(Region.objects.all())
        self.by_id = {r.pk: r for r in regions}
        self.villages = [r for r in regions if r.level in ("village", "natural_village")]
        self.villages_under: dict[int, list] = {}
        for v in self.villages:
            for r in regions:
                if v.path.startswith(r.path):
                    self.villages_under.setdefault(r.pk, []).append(v)
        self.station_of = {
            s.region_id: s for s in ctx.data["stations"].values() if s.region_id in self.by_id
        }
        self.teams = teams
        self.team_paths = [(t, self.by_id[t.region_id].path) for t in teams]
        self._near: dict[int, list] = {}

    def teams_near(self, region) -> list:
        if region.pk not in self._near:
            near = [t for t, p in self.team_paths if region.path.startswith(p)]
            self._near[region.pk] = near or [t for t, _ in self.team_paths]
        return self._near[region.pk]


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng_for("orders")
    now = timezone.now()
    teams = ctx.data.get("teams")
    teams = list(teams.values()) if isinstance(teams, dict) else list(teams or [])
    if not teams:
        teams = list(Team.objects.filter(is_active=True).order_by("id"))
    if not teams:
        ctx.say("orders: no teams (the volunteers step did not run); skipped")
        return
    places = _Places(ctx, teams)
    projects = [
        p
        for p in (ctx.data.get("projects") or [])
        if p.status in (ProjectStatus.ACTIVE, ProjectStatus.RETIRED)
    ]
    project_teams: dict[int, list] = {}
    for pid, tid in Project.teams.through.objects.values_list("project_id", "team_id"):
        project_teams.setdefault(pid, []).append(tid)
    team_by_id = {t.pk: t for t in teams}
    members: dict[int, list[int]] = {}
    leaders: dict[int, int] = {}
    for tid, vid, role in TeamMembership.objects.filter(status=MembershipStatus.ACTIVE).values_list(
        "team_id", "volunteer_id", "role"
    ):
        members.setdefault(tid, []).append(vid)
        if role == MembershipRole.LEADER:
            leaders.setdefault(tid, vid)
    users = ctx.data.get("users", {})
    resident = users.get("resident")
    operator = users.get("station")
    demo_station = ctx.data["stations"].get("360482201200")
    leader_teams = []
    if users.get("teamleader") is not None:
        leader_teams = [
            team_by_id[t]
            for t in TeamMembership.objects.filter(
                volunteer__user=users["teamleader"],
                role=MembershipRole.LEADER,
                status=MembershipStatus.ACTIVE,
            ).values_list("team_id", flat=True)
            if t in team_by_id
        ]

    plans = []  # (order, [(action, from, to, at, reason, actor)], rating, follow_up, members)
    for i in range(N_ORDERS):
        # Volume grows over the two years (the platform caught on).
        age = DAYS * (1 - rng.random() ** 0.8)
        mine = resident is not None and i < 14
        at_demo_station = demo_station is not None and 14 <= i < 40
        if mine or at_demo_station:
            age = rng.uniform(0.05, 20) if i % 3 else rng.uniform(20, 300)
        submitted = now - timedelta(days=age)
        project = rng.choice(projects) if projects and rng.random() < 0.8 else None
        if mine or at_demo_station:
            region = demo_station.region
        elif project is not None:
            under = places.villages_under.get(project.region_id) or places.villages
            region = rng.choice(under)
        else:
            region = rng.choice(places.villages)
        station = places.station_of.get(region.pk) or places.station_of.get(region.parent_id)
        site = project.site if project is not None else (station or ctx.data["center"])
        if at_demo_station and project is None:
            site = demo_station
        if project is not None:
            category, title = project.category, project.name
        else:
            category = rng.choice(list(FREE_TEXT))
            title = rng.choice(FREE_TEXT[category])
        state = _final_state(rng, age)
        if mine and i < 9:
            state = [
                S.SUBMITTED,
                S.PENDING_DISPATCH,
                S.DISPATCHED,
                S.ACCEPTED,
                S.IN_SERVICE,
                S.COMPLETED,
                S.COMPLETED,
                S.RATED,
                S.REJECTED,
            ][i]
        channel = rng.choice(
            [OrderChannel.RESIDENT] * 6 + [OrderChannel.PROXY] * 3 + [OrderChannel.SITE]
        )
        requester = resident if mine else None
        o = Order(
            project=project,
            category=category,
            title=title[:120],
            description="" if rng.random() < 0.5 else "请尽快联系，白天家里有人。",
            channel=OrderChannel.RESIDENT if mine else channel,
            requester=requester,
            created_by=requester or (operator if channel != OrderChannel.RESIDENT else None),
            contact_name=requester.name if requester else person_name(rng),
            contact_phone=(requester.phone if requester else phone_number(rng)) or "",
            region=region,
            address=f"{region.name}{rng.randint(1, 12)}组{rng.randint(1, 60)}号",
            latitude=(region.latitude or 29.25) + rng.uniform(-0.01, 0.01),
            longitude=(region.longitude or 115.8) + rng.uniform(-0.01, 0.01),
            site=site,
            submitted_at=submitted,
            state=S.SUBMITTED,
        )
        o.created_at = o.updated_at = submitted
        if project is not None and project.age_group in AGE_RANGES:
            # The person served fits the project's age group (no draw: the data stay put).
            low, high = AGE_RANGES[project.age_group]
            o.beneficiary_age = low + (i * 7) % (min(high, 92) - low + 1)
        o.wanted_from = submitted + timedelta(
            days=rng.choice([1, 2, 3, 5]), hours=rng.randint(0, 8)
        )
        events, rating, follow_up, crew = _play(
            rng,
            o,
            state,
            now,
            project,
            places,
            project_teams,
            team_by_id,
            members,
            leader_teams,
            mine or at_demo_station,
        )
        plans.append((o, events, rating, follow_up, crew))

    orders = [p[0] for p in plans]
    first = (Order.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    for n, o in enumerate(orders):
        o.pk = first + n
    concrete = Order._meta.concrete_fields
    _raw_insert(
        Order,
        [f.name for f in concrete],
        [[getattr(o, f.attname) for f in concrete] for o in orders],
    )
    _reset_sequence(Order)
    ev_rows, rating_rows, fu_rows, crew_rows = [], [], [], []
    for o, events, rating, follow_up, crew in plans:
        for action, frm, to, at, reason, actor, team_id, site_id in events:
            ev_rows.append(
                (
                    o.pk,
                    action,
                    frm,
                    to,
                    actor.pk if actor else None,
                    team_id,
                    site_id,
                    reason,
                    {},
                    at,
                )
            )
        if rating is not None:
            rating_rows.append(
                (
                    o.pk,
                    rating.level,
                    rating.dimensions,
                    rating.comment,
                    rating.rater_id,
                    rating.is_auto,
                    rating.created_at,
                )
            )
        if follow_up is not None:
            f = follow_up
            fu_rows.append(
                (
                    o.pk,
                    f.site_id,
                    f.region_id,
                    f.status,
                    f.opened_at,
                    f.outcome,
                    f.resolved,
                    None,
                    f.closed_at,
                )
            )
        for a in crew:
            crew_rows.append(
                (
                    o.pk,
                    a.volunteer_id,
                    a.status,
                    a.invited_at,
                    a.answered_at,
                    a.checked_in_at,
                    a.checked_out_at,
                    None,
                )
            )
    # Tens of thousands of rows: plain executemany, not model instances (10x faster).
    _raw_insert(
        OrderEvent,
        [
            "order",
            "action",
            "from_state",
            "to_state",
            "actor",
            "team",
            "site",
            "reason",
            "detail",
            "at",
        ],
        ev_rows,
    )
    _raw_insert(
        OrderRating,
        ["order", "level", "dimensions", "comment", "rater", "is_auto", "created_at"],
        rating_rows,
    )
    _raw_insert(
        FollowUp,
        [
            "order",
            "site",
            "region",
            "status",
            "opened_at",
            "outcome",
            "resolved",
            "closed_by",
            "closed_at",
        ],
        fu_rows,
    )
    _raw_insert(
        OrderAssignment,
        [
            "order",
            "volunteer",
            "status",
            "invited_at",
            "answered_at",
            "checked_in_at",
            "checked_out_at",
            "service_record",
        ],
        crew_rows,
    )
    _count_outcomes(orders)
    by_state = {}
    for o in orders:
        by_state[o.state] = by_state.get(o.state, 0) + 1
    ctx.data["orders"] = orders
    ctx.say(
        f"orders: {len(orders)} orders, {len(ev_rows)} events, {len(rating_rows)} ratings "
        f"({sum(r[5] for r in rating_rows)} automatic), {len(fu_rows)} follow-ups; "
        + ", ".join(f"{k} {v}" for k, v in sorted(by_state.items()))
    )


def _count_outcomes(orders) -> None:
    from django.db.models import Count, Sum

    done = (
        Order.objects.filter(project__isnull=False, state__in=[S.COMPLETED, S.RATED])
        .values("project_id")
        .annotate(n=Count("id"), people=Sum("people_served"))
    )
    rows = []
    for row in done:
        rows.append(
            Project(
                pk=row["project_id"], orders_completed=row["n"], outcome_count=row["people"] or 0
            )
        )
    Project.objects.bulk_update(rows, ["orders_completed", "outcome_count"], batch_size=500)


def _raw_insert(model, fields: list[str], rows: list[tuple]) -> None:
    """INSERT rows (values in ``fields`` order) with executemany, adapting datetimes and
    JSON the way the backend stores them."""
    if not rows:
        return
    conn = connection
    meta = model._meta
    cols = [meta.get_field(f) for f in fields]
    dt_idx = [i for i, f in enumerate(cols) if isinstance(f, models.DateTimeField)]
    json_idx = [i for i, f in enumerate(cols) if isinstance(f, models.JSONField)]
    sqlite = conn.vendor == "sqlite"
    if not sqlite:
        from psycopg.types.json import Jsonb

    def adapt(row):
        row = list(row)
        for i in dt_idx:
            v = row[i]
            if v is not None and sqlite:
                row[i] = str(v.astimezone(dt.UTC).replace(tzinfo=None))
        for i in json_idx:
            if row[i] is not None:
                row[i] = json.dumps(row[i]) if sqlite else Jsonb(row[i])
        return row

    names = ", ".join(conn.ops.quote_name(f.column) for f in cols)
    marks = ", ".join(["%s"] * len(cols))
    # Table and column names come from the model, values are parameters.
    sql = f"INSERT INTO {conn.ops.quote_name(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with conn.cursor() as cursor:
        if not sqlite:  # PostgreSQL: COPY, the fastest way in
            copy_sql = f"COPY {conn.ops.quote_name(meta.db_table)} ({names}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for r in rows:
                    copy.write_row(adapt(r))
            return
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, [adapt(r) for r in rows[start : start + 5000]])


def _reset_sequence(model) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequence past them (SQLite's
    AUTOINCREMENT follows explicit ids by itself)."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)

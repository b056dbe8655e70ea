"""Demo step "volunteers", second half: the service records (~20,000 person-times of team
service over two years), the points ledger, exchange redemptions and a certificate — all
computed in bulk so they agree exactly with the records, as the services keep them.
Called by ``demo.volunteers.generate``.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

from xinfeng.demo.bulk import insert_objects
from xinfeng.volunteers.choices import (
    PointsKind,
    RedemptionStatus,
    ServiceSource,
    TeamType,
    Verification,
)
from xinfeng.volunteers.choices import ServiceCategory as C
from xinfeng.volunteers.models import (
    Certificate,
    NumberSequence,
    PointsEntry,
    Redemption,
    Reward,
    ServiceRecord,
    Volunteer,
)
from xinfeng.volunteers.services.ledger import points_for_hours

N_RECORDS = 20_000
DAYS = 730

WORK = {
    C.THEORY: ["党的创新理论宣讲", "“百姓名嘴”进村宣讲", "政策解读小课堂", "红色故事分享会"],
    C.EDUCATION: ["作业辅导", "暑期托管班", "家庭教育讲座", "留守儿童课业辅导"],
    C.CULTURE: ["送戏下乡", "广场文艺演出", "农家书屋读书会", "露天电影放映"],
    C.SCIENCE: ["科普大篷车", "防诈骗宣传", "农技讲座", "智能手机使用培训"],
    C.SPORT: ["全民健身指导", "广场舞教学", "乡村篮球赛服务", "老年太极拳教学"],
    C.HEALTH: ["白衣天使乡村行义诊", "免费健康体检", "慢病随访", "急救知识培训"],
    C.EVERYDAY_HELP: ["便民理发", "家电义务维修", "代购代办", "环境卫生整治"],
    C.LAW: ["普法宣传", "法律咨询进村", "矛盾纠纷调解", "反诈宣传"],
    C.ELDERLY: ["颐养之家助餐", "空巢老人探访", "老人生日会", "陪老人聊天"],
    C.CHILDREN: ["心连心课堂", "大手拉小手活动", "儿童安全教育", "周末陪伴"],
    C.ENVIRONMENT: ["垃圾分类宣传", "河道巡查清理", "植树护绿", "护鸟巡湖"],
    C.EMERGENCY: ["防汛巡堤", "安置点值守", "应急演练", "疫情防控值守"],
}
REWARDS = [
    ("毛巾", 30),
    ("牙膏", 20),
    ("洗衣液", 50),
    ("文具套装", 60),
    ("雨伞", 80),
    ("保温杯", 120),
    ("食用油 5L", 150),
    ("大米 5kg", 200),
]


def _set_many(model, field: str, rows: list[tuple]) -> None:
    """``UPDATE <table> SET <field> = %s WHERE id = %s`` for many rows in one executemany:
    much faster than ``bulk_update``'s CASE expressions at demo sizes."""
    if not rows:
        return
    qn = connection.ops.quote_name
    column = model._meta.get_field(field).column
    sql = f"UPDATE {qn(model._meta.db_table)} SET {qn(column)} = %s WHERE id = %s"  # noqa: S608
    if isinstance(model._meta.get_field(field), models.DateTimeField):
        # Stored as Django stores them (on SQLite: UTC text), or SQL comparisons go wrong.
        adapt = connection.ops.adapt_datetimefield_value
        rows = [(adapt(value), pk) for value, pk in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _records(rng, teams, volunteers, members, now, users) -> list[ServiceRecord]:
    """~20,000 person-times of team service over two years; a long tail of busy people."""
    team_weights = []
    for t in teams:
        n = len(members.get(t.pk, []))
        boost = 3 if t.team_type in (TeamType.GENERAL, TeamType.SPECIALISED) else 1
        team_weights.append(n * boost)
    # Each volunteer's appetite: Pareto-distributed, so a few serve very often.
    appetite = [min(rng.paretovariate(1.3), 60.0) for _ in volunteers]
    demo = users.get("volunteer")
    for i, v in enumerate(volunteers):
        if demo is not None and v.user_id == demo.pk:
            appetite[i] = 40.0  # the demo volunteer is a regular
    plan = []
    for _ in range(N_RECORDS):
        t = rng.choices(teams, team_weights)[0]
        ids = members[t.pk]
        vi = rng.choices(ids, [appetite[i] for i in ids])[0]
        plan.append((t, vi))
    records = []
    for t, vi in plan:
        v = volunteers[vi]
        # Whole days back from today's midnight (never today), so a run later the same
        # day gives the same records.
        days_back = 1 + int((DAYS - 1) * (1 - rng.random() ** 0.7))
        start = now - timedelta(days=days_back)
        start = start.replace(
            hour=rng.choice([8, 9, 9, 14, 14, 15, 19]), minute=rng.choice([0, 30])
        )
        minutes = rng.choice([60, 90, 120, 120, 150, 180, 240])
        end = start + timedelta(minutes=minutes)
        hours = Decimal(minutes) / Decimal(60)
        category = rng.choice(t.service_categories or [C.EVERYDAY_HELP])
        r = rng.random()
        verification = (
            Verification.BACKFILL
            if r < 0.05
            else Verification.QR
            if r < 0.45
            else Verification.CODE
            if r < 0.65
            else Verification.GEOFENCE
            if r < 0.8 and v.location_consented_at
            else Verification.LEADER
        )
        if verification == Verification.BACKFILL and rng.random() < 0.5:
            hours -= Decimal("0.5")  # travel excluded
        region = v.home_region if t.team_type in (TeamType.VILLAGE,) else t.region
        if t.team_type in (TeamType.GENERAL, TeamType.SPECIALISED, TeamType.SOCIAL):
            region = v.home_region if rng.random() < 0.6 else t.region
        records.append(
            ServiceRecord(
                volunteer=v,
                team=t,
                region=region,
                source_type=ServiceSource.OTHER,
                description=rng.choice(WORK.get(category, WORK[C.EVERYDAY_HELP])),
                started_at=start,
                ended_at=end,
                hours=hours.quantize(Decimal("0.01")),
                verification=verification,
                is_backfill=verification == Verification.BACKFILL,
                created_at=end,  # recorded when the service ended
            )
        )
    records.sort(key=lambda r: r.started_at)
    insert_objects(ServiceRecord, records)
    # A few corrections, as staff make them: a new record that references the original.
    fixes = []
    for rec in rng.sample(records, 40):
        delta = -min(rec.hours, Decimal("0.5"))
        fixes.append(
            ServiceRecord(
                volunteer=rec.volunteer,
                team=rec.team,
                region=rec.region,
                source_type=rec.source_type,
                description="核实后更正：签退时间有误",
                started_at=rec.started_at,
                ended_at=rec.ended_at - timedelta(minutes=30),
                hours=delta,
                verification=rec.verification,
                is_backfill=rec.is_backfill,
                corrects=rec,
                created_at=rec.ended_at - timedelta(minutes=30) + timedelta(days=2),
            )
        )
    insert_objects(ServiceRecord, fixes)
    return records + fixes


def _ledger(rng, ctx, volunteers, records, now) -> None:
    """Points earned per record (and the corrections), some redemptions at the love
    supermarkets; caches set to exactly what the records and ledger say."""
    hours: dict[int, Decimal] = {}
    balance: dict[int, int] = {}
    entries = []
    credited: dict[int, int] = {}
    for rec in records:  # originals (by time), then corrections
        vid = rec.volunteer.pk
        hours[vid] = hours.get(vid, Decimal("0")) + rec.hours
        if rec.corrects is None:
            pts = points_for_hours(rec.hours)
            kind = PointsKind.EARN
        else:
            root = rec.corrects
            pts = points_for_hours(root.hours + rec.hours) - credited[root.pk]
            kind = PointsKind.CORRECTION
            if balance.get(vid, 0) + pts < 0:
                pts = -balance.get(vid, 0)
        key = rec.corrects.pk if rec.corrects is not None else rec.pk
        credited[key] = credited.get(key, 0) + pts
        if pts == 0:
            continue
        balance[vid] = balance.get(vid, 0) + pts
        entries.append(
            PointsEntry(
                volunteer=rec.volunteer,
                kind=kind,
                delta=pts,
                balance_after=balance[vid],
                service_record=rec,
                reason=rec.description,
                created_at=rec.created_at,  # credited with the record
            )
        )
    insert_objects(PointsEntry, entries)

    # Love supermarkets at the center, the township institutes and some complexes.
    stations = [s for s in ctx.data["stations"].values() if s.is_complex]
    sites = [ctx.data["center"], *ctx.data["institutes"].values(), *rng.sample(stations, 12)]
    rewards = []
    for site in sites:
        for name, cost in rng.sample(REWARDS, rng.randint(4, 7)):
            rewards.append(
                Reward(site=site, name=name, points_cost=cost, stock=rng.randint(10, 60))
            )
    Reward.objects.bulk_create(rewards)
    by_site: dict[int, list[Reward]] = {}
    for r in rewards:
        by_site.setdefault(r.site_id, []).append(r)
    redemptions, spend = [], []
    for v in volunteers:
        if balance.get(v.pk, 0) < 100 or rng.random() < 0.6:
            continue
        for _ in range(rng.randint(1, 3)):
            site = rng.choice(sites)
            reward = rng.choice(by_site[site.pk])
            if reward.stock < 1 or balance[v.pk] < reward.points_cost:
                continue
            reward.stock -= 1
            balance[v.pk] -= reward.points_cost
            days_ago = rng.randint(1, 300)
            status = RedemptionStatus.DELIVERED if days_ago > 7 else RedemptionStatus.REQUESTED
            red = Redemption(
                volunteer=v,
                reward=reward,
                site=site,
                quantity=1,
                points=reward.points_cost,
                status=status,
                pickup_code=f"{rng.randrange(10**6):06d}",
                closed_at=now - timedelta(days=days_ago - 1)
                if status == RedemptionStatus.DELIVERED
                else None,
            )
            redemptions.append((red, now - timedelta(days=days_ago)))
            spend.append((v, red, balance[v.pk]))
    Redemption.objects.bulk_create([r for r, _at in redemptions])
    for red, at in redemptions:
        red.created_at = at
    _set_many(Redemption, "created_at", [(at, r.pk) for r, at in redemptions])
    _set_many(Reward, "stock", [(r.stock, r.pk) for r in rewards])
    spent = PointsEntry.objects.bulk_create(
        [
            PointsEntry(
                volunteer=v,
                kind=PointsKind.REDEEM,
                delta=-red.points,
                balance_after=after,
                redemption=red,
                reason=f"{red.reward.name} ×1",
            )
            for v, red, after in spend
        ]
    )
    _set_many(
        PointsEntry,
        "created_at",
        [(at, e.pk) for e, (_red, at) in zip(spent, redemptions, strict=True)],
    )

    for v in volunteers:
        v.total_hours = hours.get(v.pk, Decimal("0"))
        v.points_balance = balance.get(v.pk, 0)
    _set_many(Volunteer, "total_hours", [(str(v.total_hours), v.pk) for v in volunteers])
    _set_many(Volunteer, "points_balance", [(v.points_balance, v.pk) for v in volunteers])


def _certificate(ctx, teams, volunteers, records, now) -> None:
    """One certificate for the demo volunteer, issued by their township's institute."""
    users = ctx.data.get("users", {})
    demo = users.get("volunteer")
    if demo is None:
        return
    v = next(x for x in volunteers if x.user_id == demo.pk)
    institute = ctx.data["institutes"].get(v.home_region.parent.code)
    if institute is None:
        return
    path = institute.region.path
    mine = [
        r
        for r in records
        if r.volunteer is v and r.region.path.startswith(path) and r.corrects is None
    ]
    if not mine:
        return
    total = sum(
        (r.hours for r in records if r.volunteer is v and r.region.path.startswith(path)),
        Decimal("0"),
    )
    team_names = sorted({r.team.name for r in mine if r.team})
    year = timezone.localdate().year
    Certificate.objects.create(
        number=f"ZM{year}000001",
        volunteer=v,
        issuer_site=institute,
        region=institute.region,
        issuer_name=institute.name,
        volunteer_name=v.name,
        volunteer_number=v.number,
        period_start=None,
        period_end=timezone.localdate() - timedelta(days=1),
        hours=total,
        record_count=len(mine),
        summary=f"服务类型：其他 {len(mine)} 次。服务队伍：{'、'.join(team_names[:3])}。",
        issued_by=users.get("institute"),
    )
    NumberSequence.objects.update_or_create(key=f"ZM{year}", defaults={"last_value": 1})

"""Demo step ``assessment`` (issue 15): the funding ledger at the report's scale and the
default indicator scheme.

- 2019–2026: the city's operating fund, 2,000,000 yuan a year, 70 % passed to the
  townships and streets in proportion to their villages, half of that on to the villages;
  each place spends part of what it holds on plausible things (materials, lectures,
  equipment, printing, travel for volunteers). 2026 spending stops at today.
- 2020: the special integration fund, 10,000,000 yuan spread over the 60 complexes
  (党群服务+文明实践综合体), passed city → township → village and mostly spent on
  refurbishing the halls.
- The default scheme (100 points) of the city for the current year, published; the
  leader as inspector (visit records for every township and a sample of 12 villages per
  quarter, confirmed by the center) and stored results for each quarter so far.

Every line is posted (approved by the system administrator, recorded by the center) and
written with ``bulk_create`` for speed; the amounts are built so that no place ever spends
more than it holds (``tests/assessment/test_demo.py`` checks the books balance).
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from xinfeng.assessment.choices import EntryStatus, FundSource, NodeKind
from xinfeng.assessment.models import Allocation, Expenditure
from xinfeng.assessment.services.manual import (
    inspector_assign,
    manual_score_confirm,
    manual_score_record,
)
from xinfeng.assessment.services.results import results_compute
from xinfeng.assessment.services.schemes import default_scheme_build
from xinfeng.regions.choices import RegionLevel

from .context import DemoContext

YEARS = range(2019, 2027)
OPERATING_FEN = 2_000_000 * 100
INTEGRATION_FEN = 10_000_000 * 100
PURPOSES = [
    ("宣讲活动物资", "县城文具店"),
    ("云讲堂直播设备租赁", "共青城融媒体中心"),
    ("志愿者交通补贴", "志愿者（汇总发放）"),
    ("宣传册印刷", "共青城印刷厂"),
    ("颐养之家餐费补助", "村老年食堂"),
    ("心连心课堂教材", "新华书店共青城店"),
    ("白衣天使乡村行药品耗材", "市人民医院"),
]
REFURBISH = [("综合体场地改造", "共青城建筑装饰公司"), ("综合体设备购置", "九江办公设备公司")]


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng_for("assessment")
    regions = ctx.data["regions"]
    users = ctx.data["users"]
    clerk, approver = users["center"], users["admin"]
    city = regions["360482000000"]
    townships = sorted(
        (r for r in regions.values() if r.parent_id == city.pk and r.level == RegionLevel.TOWNSHIP),
        key=lambda r: r.code,
    )
    villages = {
        t.pk: sorted(
            (r for r in regions.values() if r.parent_id == t.pk and r.level == RegionLevel.VILLAGE),
            key=lambda r: r.code,
        )
        for t in townships
    }
    stations = ctx.data["stations"]
    today = timezone.localdate()
    stamp = timezone.make_aware(datetime.combine(date(2019, 1, 2), time(9)))
    allocations, expenditures = [], []

    def line(model, rows, **kw):
        rows.append(
            model(
                status=EntryStatus.POSTED,
                created_by=clerk,
                decided_by=approver,
                decided_at=stamp,
                **kw,
            )
        )
        return kw["amount_fen"]

    def spend(region, year, source, holds, share, purposes, site=None):
        """Spend about ``share`` of ``holds`` in 1–4 lines; returns what was spent."""
        budget = int(holds * share)
        n = rng.randint(1, 4)
        spent = 0
        last_day = min(date(year, 12, 28), today - timedelta(days=1))
        if last_day < date(year, 1, 10) or budget < n * 100:
            return 0
        span = (last_day - date(year, 1, 10)).days
        for i in range(n):
            amount = budget // n if i < n - 1 else budget - spent
            purpose, payee = rng.choice(purposes)
            line(
                Expenditure,
                expenditures,
                year=year,
                source=source,
                region=region,
                site=site,
                spent_on=date(year, 1, 10) + timedelta(days=rng.randint(0, span)),
                payee=payee,
                purpose=purpose,
                amount_fen=amount,
            )
            spent += amount
        return spent

    total_villages = sum(len(v) for v in villages.values()) or 1
    for year in YEARS:
        src = FundSource.CITY_OPERATING
        line(
            Allocation,
            allocations,
            year=year,
            source=src,
            region=city,
            amount_fen=OPERATING_FEN,
            note="市财政年度运行经费",
        )
        down = OPERATING_FEN * 7 // 10
        city_holds = OPERATING_FEN - down
        given = 0
        for ti, t in enumerate(townships):
            share = (
                down * len(villages[t.pk]) // total_villages
                if ti < len(townships) - 1
                else down - given
            )
            given += share
            line(
                Allocation,
                allocations,
                year=year,
                source=src,
                from_region=city,
                region=t,
                amount_fen=share,
            )
            t_holds = share
            vs = villages[t.pk]
            if vs:
                per_village = share // 2 // len(vs)
                for v in vs:
                    line(
                        Allocation,
                        allocations,
                        year=year,
                        source=src,
                        from_region=t,
                        region=v,
                        amount_fen=per_village,
                    )
                    t_holds -= per_village
                    st = stations.get(v.code)
                    spend(v, year, src, per_village, rng.uniform(0.6, 0.95), PURPOSES, site=st)
            spend(t, year, src, t_holds, rng.uniform(0.6, 0.9), PURPOSES)
        spend(city, year, src, city_holds, rng.uniform(0.7, 0.95), PURPOSES)

    # 2020: the integration fund over the 60 complexes.
    complexes = [s for s in stations.values() if s.is_complex]
    if complexes:
        src, year = FundSource.SPECIAL_INTEGRATION, 2020
        line(
            Allocation,
            allocations,
            year=year,
            source=src,
            region=city,
            amount_fen=INTEGRATION_FEN,
            note="党群服务+文明实践综合体整合专项",
        )
        each, rest = divmod(INTEGRATION_FEN, len(complexes))
        by_township: dict = {}
        for i, s in enumerate(complexes):
            by_township.setdefault(s.region.parent_id, []).append(
                (s, each + (rest if i == len(complexes) - 1 else 0))
            )
        for t_id, items in by_township.items():
            township = (
                next(t for t in townships if t.pk == t_id)
                if any(t.pk == t_id for t in townships)
                else None
            )
            if township is None:
                continue
            line(
                Allocation,
                allocations,
                year=year,
                source=src,
                from_region=city,
                region=township,
                amount_fen=sum(a for _s, a in items),
            )
            for s, amount in items:
                line(
                    Allocation,
                    allocations,
                    year=year,
                    source=src,
                    from_region=township,
                    region=s.region,
                    site=s,
                    amount_fen=amount,
                )
                spend(s.region, year, src, amount, rng.uniform(0.85, 1.0), REFURBISH, site=s)
    Allocation.objects.bulk_create(allocations, batch_size=500)
    Expenditure.objects.bulk_create(expenditures, batch_size=500)
    scheme = default_scheme_build(actor=clerk, region=city, year=today.year)
    ctx.data["assessment_scheme"] = scheme
    visits = _visits(rng, scheme, city, townships, villages, users)
    quarters = [f"{scheme.year}-Q{q}" for q in range(1, (today.month - 1) // 3 + 2)]
    for key in quarters:
        results_compute(scheme=scheme, period_key=key)
    ctx.say(
        f"assessment: {len(allocations)} allocations, {len(expenditures)} expenditures "
        f"(2019–2026), scheme {scheme.title} v{scheme.version}, {visits} visit records, "
        f"results for {', '.join(quarters)}"
    )


def _visits(rng, scheme, city, townships, villages, users) -> int:
    """The leader inspects (an inspector assignment, no new role): the 一把手负责制 visit of
    every township and the integration grade of a sample of villages, per quarter so far;
    the center confirms them."""
    inspector, confirmer = users["leader"], users["center"]
    inspector_assign(actor=confirmer, scheme=scheme, user=inspector, region=city)
    nodes = {n.code: n for n in scheme.nodes.filter(kind=NodeKind.STANDARD)}
    leadership, integration = nodes.get("5.2.1"), nodes.get("1.1.2")
    sample = [v for vs in villages.values() for v in vs]
    sample = rng.sample(sample, min(12, len(sample)))
    today = timezone.localdate()
    n = 0
    for q in range(1, (today.month - 1) // 3 + 2):
        key = f"{scheme.year}-Q{q}"
        for t in townships:
            if leadership is not None:
                row = manual_score_record(
                    actor=inspector,
                    scheme=scheme,
                    node=leadership,
                    region=t,
                    period=key,
                    done=rng.random() < 0.85,
                    note="查阅任命文件，书记兼任所长",
                )
                manual_score_confirm(actor=confirmer, score=row)
                n += 1
        for v in sample:
            if integration is not None:
                row = manual_score_record(
                    actor=inspector,
                    scheme=scheme,
                    node=integration,
                    region=v,
                    period=key,
                    grade=rng.choice(["A", "A", "B", "B", "C", "C#"]),
                    note="实地查看阵地挂牌与一室多用",
                )
                manual_score_confirm(actor=confirmer, score=row)
                n += 1
    return n

"""Demo step: the 2020 work plans (出台工作方案) of the city, each township and 水口村 with
goals and tasks (most done, some overdue and not yet escalated — the worker escalates
them), an institute admin for each township that had none, and two demonstration sites
per township (12), designated by the center in 2020; 苏家垱乡's 2021 review keeps one and
withdraws the other, so the township lacks one. Written with ``bulk_create``."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment, User
from xinfeng.regions.choices import RegionLevel
from xinfeng.workplans.choices import TaskSource, TaskStatus
from xinfeng.workplans.models import (
    Designation,
    DesignationReview,
    Goal,
    Task,
    WorkPlan,
)

from .context import DemoContext

YEAR = 2020
CITY_CODE = "360482000000"
SUJIADANG = "360482201000"
SHUIKOU = "360482201200"

GOALS = {
    "city": [
        (
            "阵地建设全覆盖",
            [
                "建成市新时代文明实践中心",
                "各乡镇（街道）实践所挂牌运行",
                "60个党群服务+文明实践综合体建成",
            ],
        ),
        ("志愿服务常态化", ["推行点单、派单、接单、评单“四单制”", "组建“1+7+N”志愿服务队伍体系"]),
        ("示范引领", ["每乡镇打造2个示范点", "年终开展示范点评估"]),
    ],
    "township": [
        ("阵地建设", ["实践所场所整合与挂牌", "各村实践站配齐专职宣传员"]),
        ("活动开展", ["每月开展一次“我们的节日”主题活动", "建立点单派单工作台账"]),
        ("示范点打造", ["打造2个示范点并报市中心命名"]),
    ],
    "village": [
        ("阵地运行", ["实践站每周开放不少于5天", "村广播室、农家书屋整合进实践站"]),
        ("志愿服务", ["组建村志愿服务队并开展结对帮扶"]),
    ],
}
CRITERIA = (
    "场所整合到位、制度上墙、专职宣传员在岗，全年开展文明实践活动不少于24场，群众满意度90%以上。"
)


def _at(d: date) -> datetime:
    return timezone.make_aware(datetime(d.year, d.month, d.day, 17, 0))


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng_for("workplans")
    regions = ctx.data["regions"]
    users = ctx.data["users"]
    city = regions[CITY_CODE]
    center = ctx.data["center"]
    institutes = ctx.data["institutes"]  # township code → institute
    stations = ctx.data["stations"]  # village code → station
    townships = sorted(
        (r for r in regions.values() if r.level == RegionLevel.TOWNSHIP), key=lambda r: r.code
    )

    # Each township's institute gets an admin to answer for its plan (苏家垱乡 has the demo
    # account "institute"); no usable password: demo people.
    admins = {SUJIADANG: users["institute"]}
    new_admins = []
    for t in townships:
        if t.code not in admins:
            u = User(
                username=f"inst-{t.code[:9]}",
                display_name=f"{t.name}实践所管理员",
                home_region=t,
                password="!",
            )
            new_admins.append(u)
            admins[t.code] = u
    User.objects.bulk_create(new_admins)
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=admins[t.code], role=Role.INSTITUTE_ADMIN, region=t)
            for t in townships
            if t.code != SUJIADANG
        ]
    )
    for t in townships:
        if t.code != SUJIADANG and t.code in institutes:
            institutes[t.code].operators.add(admins[t.code])

    # The plans: the city, each township, and 水口村 (whose station has the demo operator).
    levels = [("city", city, center, [users["center"], users["leader"]])]
    for t in townships:
        owners = [admins[t.code]] + ([users["station"]] if t.code == SUJIADANG else [])
        levels.append(("township", t, institutes.get(t.code), owners))
    levels.append(("village", regions[SHUIKOU], stations.get(SHUIKOU), [users["station"]]))
    plans = WorkPlan.objects.bulk_create(
        [
            WorkPlan(
                region=r,
                year=YEAR,
                title=f"{r.name}{YEAR}年新时代文明实践中心（所、站）建设工作方案",
                summary="坚持一把手负责制，一杆子插到底，推动新时代文明实践阵地建设和志愿服务常态化。",
                site=site,
                created_by=owners[0],
            )
            for kind, r, site, owners in levels
        ]
    )
    goals = []
    for plan, (kind, _r, _s, _o) in zip(plans, levels, strict=True):
        for i, (title, _tasks) in enumerate(GOALS[kind]):
            goals.append(Goal(plan=plan, title=title, position=i))
    Goal.objects.bulk_create(goals)
    goal_iter = iter(goals)
    tasks = []
    for plan, (kind, _r, _s, owners) in zip(plans, levels, strict=True):
        for _title, titles in GOALS[kind]:
            goal = next(goal_iter)
            for title in titles:
                deadline = date(YEAR, rng.randint(4, 12), rng.randint(1, 28))
                done = rng.random() < 0.7
                owner = rng.choice(owners)
                tasks.append(
                    Task(
                        plan=plan,
                        goal=goal,
                        title=title,
                        owner=owner,
                        deadline=deadline,
                        status=TaskStatus.DONE if done else TaskStatus.OVERDUE,
                        done_at=_at(deadline - timedelta(days=rng.randint(0, 20)))
                        if done
                        else None,
                        source=TaskSource.MANUAL,
                        created_by=plan.created_by,
                    )
                )
    # 苏家垱乡's plan always has one overdue task for its station (the browser test's).
    tasks.append(
        Task(
            plan=plans[1 + [t.code for t in townships].index(SUJIADANG)],
            title="水口村实践站整合村广播室并上墙公示制度",
            owner=users["station"],
            deadline=date(YEAR, 9, 30),
            status=TaskStatus.OVERDUE,
            created_by=users["institute"],
        )
    )
    Task.objects.bulk_create(tasks)

    # Demonstration sites: two stations per township (complexes first), designated by the
    # center in 2020; 苏家垱乡 reviewed in 2021 — 水口村 kept, the other withdrawn.
    designations = []
    by_township: dict[int, list] = {}
    for code, st in stations.items():
        village = regions.get(code)
        if village is None or village.parent_id is None or st.latitude is None:
            continue
        by_township.setdefault(village.parent_id, []).append(st)
    for t in townships:
        cands = sorted(by_township.get(t.pk, []), key=lambda s: (not s.is_complex, s.name))
        chosen = [s for s in cands if s.region.code == SHUIKOU][:1]
        rest = [s for s in cands if s not in chosen]
        chosen += rng.sample(rest, min(2 - len(chosen), len(rest)))
        for s in chosen:
            designations.append(
                Designation(
                    site=s,
                    township=t,
                    year=YEAR,
                    criteria=CRITERIA,
                    designated_by=center.name,
                    designated_by_region=city,
                    created_by=users["center"],
                )
            )
    Designation.objects.bulk_create(designations)
    reviewed = [d for d in designations if d.township.code == SUJIADANG]
    reviews = []
    for d in reviewed:
        kept = d.site.region.code == SHUIKOU
        reviews.append(
            DesignationReview(
                designation=d,
                year=YEAR + 1,
                outcome="kept" if kept else "withdrawn",
                reasons="场所整合到位，活动常态开展，群众评价好。"
                if kept
                else "专职宣传员长期空缺，全年活动不足12场，未达到示范点标准。",
                reviewed_by=users["center"],
            )
        )
        if not kept:
            d.status = "withdrawn"
            d.withdrawn_year = YEAR + 1
    DesignationReview.objects.bulk_create(reviews)
    Designation.objects.bulk_update(reviewed, ["status", "withdrawn_year"])
    ctx.data["workplans"] = plans
    ctx.say(
        f"workplans: {len(plans)} work plans for {YEAR} with {len(tasks)} tasks, "
        f"{len(designations)} demonstration sites ({len(reviews)} reviewed)"
    )

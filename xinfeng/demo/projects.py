"""Demo step "projects": the 141 volunteer service projects designed from the 三问 surveys,
with the report's named programmes (颐养之家, 心连心课堂, 白衣天使乡村行, 每月云讲堂,
红领巾宣讲员, 普法宣传, 大手拉小手) at the city center, and the rest run by institutes and
stations. Most are on the menu; a few are declared, awaiting approval or retired."""

from datetime import timedelta

from django.utils import timezone

from xinfeng.projects.choices import AgeGroup, ProjectStatus
from xinfeng.projects.models import Project
from xinfeng.volunteers.choices import ServiceCategory as C

from .context import DemoContext

TOTAL = 141

# name, category, age group, summary, outcome label, provincial demonstration
NAMED = [
    (
        "颐养之家",
        C.ELDERLY,
        AgeGroup.ELDERLY,
        "为留守、独居老人提供助餐、陪伴、理发和健康照护",
        "服务老人人次",
        True,
    ),
    (
        "心连心课堂",
        C.CHILDREN,
        AgeGroup.CHILDREN,
        "留守儿童课业辅导、心理陪伴和兴趣课堂",
        "受益儿童人次",
        True,
    ),
    (
        "白衣天使乡村行",
        C.HEALTH,
        AgeGroup.ALL,
        "医护志愿者进村义诊、量血压测血糖、健康宣教",
        "义诊人次",
        True,
    ),
    (
        "每月云讲堂",
        C.THEORY,
        AgeGroup.ALL,
        "每月一期线上线下同步的理论与政策宣讲",
        "线上线下受众",
        False,
    ),
    (
        "红领巾宣讲员",
        C.THEORY,
        AgeGroup.CHILDREN,
        "少先队员讲身边的好故事、讲家乡变化",
        "宣讲场次",
        True,
    ),
    ("普法宣传", C.LAW, AgeGroup.ALL, "法律咨询、以案说法、防诈骗宣传进村入户", "咨询人次", False),
    (
        "大手拉小手",
        C.EDUCATION,
        AgeGroup.CHILDREN,
        "家长与孩子结对参与文明实践和志愿服务",
        "参与家庭",
        False,
    ),
]

# Per-category project names for institutes and stations (the place name is prefixed).
TEMPLATES = {
    C.THEORY: ["党史故事会", "政策明白人宣讲", "屋场夜话", "理论微宣讲"],
    C.EDUCATION: ["四点半课堂", "暑期托管班", "家长学校", "成人夜校"],
    C.CULTURE: ["广场舞辅导", "村晚排练", "农家书屋读书会", "送戏下乡"],
    C.SCIENCE: ["科普大篷车", "农技服务站", "智能手机课堂", "防灾减灾科普"],
    C.SPORT: ["全民健身指导", "太极拳晨练", "乡村篮球赛", "老年健身操"],
    C.HEALTH: ["健康小屋", "家庭医生签约服务", "中医理疗进村", "心理健康咨询"],
    C.EVERYDAY_HELP: ["便民理发", "家电义修", "代买代办", "爱心助农直播"],
    C.LAW: ["法律明白人", "矛盾调解室", "反诈宣传进万家"],
    C.ELDERLY: ["老年食堂助餐", "银龄互助", "孤寡老人结对帮扶", "适老化改造"],
    C.CHILDREN: ["儿童之家周末课堂", "留守儿童亲情视频", "护苗安全课"],
    C.ENVIRONMENT: ["美丽庭院评比", "垃圾分类督导", "护河巡河", "植树护绿"],
    C.EMERGENCY: ["防汛应急队", "红帽子疫情防控队", "蓝天救援培训"],
}
AGE = {
    C.ELDERLY: AgeGroup.ELDERLY,
    C.CHILDREN: AgeGroup.CHILDREN,
    C.EDUCATION: AgeGroup.CHILDREN,
    C.SPORT: AgeGroup.ALL,
}
OUTCOME = {
    C.HEALTH: "服务人次",
    C.ELDERLY: "服务老人人次",
    C.CHILDREN: "受益儿童人次",
    C.THEORY: "受众人次",
    C.LAW: "咨询人次",
}


def _status(rng) -> str:
    r = rng.random()
    if r < 0.05:
        return ProjectStatus.DECLARED
    if r < 0.08:
        return ProjectStatus.APPROVED
    if r < 0.11:
        return ProjectStatus.RETIRED
    return ProjectStatus.ACTIVE


def _teams_by_site(ctx) -> dict[int, list]:
    from xinfeng.volunteers.models import Team

    teams = ctx.data.get("teams")
    teams = list(teams.values()) if isinstance(teams, dict) else list(teams or [])
    if not teams:
        teams = list(Team.objects.filter(is_active=True))
    by_site: dict[int, list] = {}
    for t in teams:
        by_site.setdefault(t.home_site_id, []).append(t)
    return by_site


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng_for("projects")
    now = timezone.now()
    center = ctx.data["center"]
    institutes = list(ctx.data["institutes"].values())
    stations = list(ctx.data["stations"].values())
    users = ctx.data.get("users", {})
    declarer = users.get("center")
    teams_by_site = _teams_by_site(ctx)

    rows: list[Project] = []
    for name, cat, age, summary, outcome, demo in NAMED:
        rows.append(
            Project(
                name=name,
                category=cat,
                age_group=age,
                summary=summary,
                description=summary + "。由新时代文明实践中心统筹，各所、站组织实施。",
                site=center,
                region_id=center.region_id,
                status=ProjectStatus.ACTIVE,
                is_provincial_demo=demo,
                outcome_label=outcome,
                review_within=timedelta(hours=12),
                dispatch_within=timedelta(hours=24),
                accept_within=timedelta(hours=8),
                start_within=timedelta(days=3),
                rate_within=timedelta(days=7),
            )
        )
    # The remaining projects: about a third at institutes, the rest at stations.
    hosts = rng.sample(institutes, min(len(institutes), 40)) + rng.sample(
        stations, min(len(stations), TOTAL)
    )
    categories = list(TEMPLATES)
    seen = {r.name for r in rows}
    i = 0
    while len(rows) < TOTAL and i < len(hosts) * 3:
        site = hosts[i % len(hosts)]
        i += 1
        cat = rng.choice(categories)
        base = rng.choice(TEMPLATES[cat])
        place = (site.region.short_name or site.region.name) if site.region_id else ""
        name = f"{place}{base}"
        if name in seen:
            continue
        seen.add(name)
        status = _status(rng)
        rows.append(
            Project(
                name=name,
                category=cat,
                age_group=AGE.get(cat, rng.choice([AgeGroup.ALL, AgeGroup.ALL, AgeGroup.ADULTS])),
                summary=f"{site.name}组织的{base}志愿服务",
                site=site,
                region_id=site.region_id,
                status=status,
                is_risky=cat == C.EMERGENCY,
                outcome_label=OUTCOME.get(cat, "服务人次"),
                review_within=timedelta(hours=rng.choice([12, 24, 24, 48])),
                dispatch_within=timedelta(hours=rng.choice([12, 24, 24])),
                accept_within=timedelta(hours=rng.choice([4, 8, 12])),
                start_within=timedelta(days=rng.choice([2, 3, 5])),
                rate_within=timedelta(days=7),
            )
        )
    for p in rows:
        p.declared_by = declarer
        if p.status != ProjectStatus.DECLARED:
            p.approved_at = now - timedelta(days=rng.randint(400, 900))
        if p.status in (ProjectStatus.ACTIVE, ProjectStatus.RETIRED):
            p.activated_at = p.approved_at + timedelta(days=rng.randint(1, 20))
        if p.status == ProjectStatus.RETIRED:
            p.retired_at = now - timedelta(days=rng.randint(10, 200))
    projects = Project.objects.bulk_create(rows)
    # Teams serving each project: the owning site's own teams (the center's for the named
    # programmes), when the volunteers step has made teams.
    through = Project.teams.through
    links = []
    for p in projects:
        own = teams_by_site.get(p.site_id, [])
        for t in rng.sample(own, min(len(own), 3)):
            links.append(through(project_id=p.pk, team_id=t.pk))
    through.objects.bulk_create(links, ignore_conflicts=True)
    ctx.data["projects"] = projects
    active = sum(1 for p in projects if p.status == ProjectStatus.ACTIVE)
    ctx.say(
        f"projects: {len(projects)} service projects ({active} on the menu, "
        f"{sum(p.is_provincial_demo for p in projects)} provincial demonstration), "
        f"{len(links)} team links"
    )

"""Demo step: the city's 一把手 chain (city, township and village secretaries, the heads of
the units hosting an institute or a station), the staff as the report has them (6
full-time at the center, 60+ village propagandists, one at each institute and unit
station), a leading group per level with a few meetings, one handover, and the six
guiding departments' accounts. Written with ``bulk_create``: well under two seconds."""

from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment, User
from xinfeng.governance.choices import GUIDING_DEPARTMENTS, GroupRole, HandoverKind, StaffKind
from xinfeng.governance.models import (
    Decision,
    GroupMember,
    Handover,
    LeadingGroup,
    Meeting,
    ResponsibleTerm,
    SiteStaff,
)
from xinfeng.governance.policy import forget_department_users
from xinfeng.places.choices import Department, SiteLevel
from xinfeng.places.models import Site

from .accounts import DEMO_PASSWORD
from .context import DemoContext
from .names import person_name

# username, display name, phone, department, note (printed by `manage.py demo_accounts`)
DEPARTMENT_ACCOUNTS = [
    ("dept-org", "组织部", "13800000011", Department.ORGANIZATION, "指导部门（只读）· 市委组织部"),
    ("dept-pub", "宣传部", "13800000012", Department.PUBLICITY, "指导部门（只读）· 市委宣传部"),
    ("dept-fin", "财政局", "13800000013", Department.FINANCE, "指导部门（只读）· 市财政局"),
    ("dept-civil", "民政局", "13800000014", Department.CIVIL_AFFAIRS, "指导部门（只读）· 市民政局"),
    (
        "dept-culture",
        "文广新旅局",
        "13800000015",
        Department.CULTURE_TOURISM,
        "指导部门（只读）· 市文化和旅游局",
    ),
    ("dept-hr", "人社局", "13800000016", Department.HUMAN_RESOURCES, "指导部门（只读）· 市人社局"),
]
CITY_CODE = "360482000000"
CENTER_STAFF = 6
VILLAGE_STATIONS_WITHOUT_STAFF = 5  # 64 of the 69 village stations have a propagandist
STATIONS_WITHOUT_SECRETARY = 2  # their secretary's term ended; the township must appoint
TERM_START = date(2021, 10, 1)  # the village and township committees' current term

MEETINGS = [
    (
        "新时代文明实践工作领导小组第一次会议",
        "传达上级关于新时代文明实践中心建设的部署，研究本级工作方案。",
        ["出台本级新时代文明实践工作方案", "明确各实践站专职宣传员"],
    ),
    (
        "新时代文明实践工作推进会",
        "听取各阵地建设进展汇报，研究志愿服务“四单制”推进中的问题。",
        ["每月开展一次“我们的节日”主题活动", "建立点单、派单、接单、评单工作台账"],
    ),
    (
        "新时代文明实践工作年度总结会",
        "总结全年工作，研究示范点建设和考核工作。",
        ["每个乡镇打造2个示范点", "将新时代文明实践纳入年度考核"],
    ),
]


def _post(site: Site) -> str:
    if site.level == SiteLevel.CENTER:
        return "市委书记（中心主任）"
    if site.host_unit:
        return f"{site.host_unit}党组（党委）书记"
    if site.level == SiteLevel.INSTITUTE:
        return "街道党工委书记" if site.region.name.endswith("街道") else "乡镇党委书记"
    return "社区党委书记" if site.region.name.endswith("社区") else "村党支部书记"


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng_for("governance")
    regions = ctx.data["regions"]
    city = regions[CITY_CODE]
    # The accounts step hashed the demo password already: hashing is the slow part.
    known = ctx.data.get("users", {}).get("resident")
    password = known.password if known is not None else make_password(DEMO_PASSWORD)
    today = timezone.localdate()

    sites = list(
        Site.objects.filter(
            level__in=(SiteLevel.CENTER, SiteLevel.INSTITUTE, SiteLevel.STATION)
        ).select_related("region")
    )
    village_stations = [s for s in sites if s.level == SiteLevel.STATION and not s.host_unit]
    no_secretary = {s.pk for s in rng.sample(village_stations, STATIONS_WITHOUT_SECRETARY)}
    no_staff = {
        s.pk
        for s in rng.sample(
            [s for s in village_stations if s.pk not in no_secretary],
            VILLAGE_STATIONS_WITHOUT_STAFF,
        )
    }

    # The secretaries: one account each (no phone, no usable password: demo people).
    secretaries = [
        User(
            username=f"sec-{s.pk}",
            display_name=person_name(rng),
            home_region=s.region,
            password="!",
        )
        for s in sites
    ]
    User.objects.bulk_create(secretaries, batch_size=500)
    terms, staff = [], []
    for site, user in zip(sites, secretaries, strict=True):
        start = TERM_START if site.level != SiteLevel.CENTER else date(2021, 6, 1)
        ended = site.pk in no_secretary
        terms.append(
            ResponsibleTerm(
                site=site,
                user=user,
                name=user.display_name,
                post=_post(site),
                starts_on=start,
                ends_on=today - timedelta(days=rng.randint(10, 60)) if ended else None,
            )
        )
        if site.level == SiteLevel.CENTER:
            for i in range(CENTER_STAFF):
                staff.append(
                    SiteStaff(
                        site=site,
                        name=person_name(rng),
                        kind=StaffKind.FULL_TIME,
                        post="中心专职工作人员" if i else "中心办公室主任",
                        starts_on=date(2020, 3, 1),
                    )
                )
        elif site.level == SiteLevel.INSTITUTE or site.host_unit:
            staff.append(
                SiteStaff(
                    site=site,
                    name=person_name(rng),
                    kind=StaffKind.FULL_TIME,
                    post="专职工作人员",
                    starts_on=date(2020, 6, 1),
                )
            )
        elif site.pk not in no_staff:
            staff.append(
                SiteStaff(
                    site=site,
                    name=person_name(rng),
                    kind=StaffKind.PROPAGANDIST,
                    post="专职党建宣传员",
                    starts_on=date(2020, 6, 1) + timedelta(days=rng.randint(0, 200)),
                )
            )
    ResponsibleTerm.objects.bulk_create(terms, batch_size=500)
    SiteStaff.objects.bulk_create(staff, batch_size=500)
    # The site pages' own responsible fields follow the terms in office.
    for t in terms:
        t.site.responsible_name = "" if t.ends_on else t.name
        t.site.responsible_title = "" if t.ends_on else t.post
    Site.objects.bulk_update(
        [t.site for t in terms], ["responsible_name", "responsible_title"], batch_size=500
    )

    # A handover at one village station: last spring's secretary handed over.
    station = next(s for s in village_stations if s.pk not in no_secretary)
    term = next(t for t in terms if t.site_id == station.pk)
    Handover.objects.create(
        site=station,
        kind=HandoverKind.RESPONSIBLE,
        predecessor_name=person_name(rng),
        successor=term.user,
        successor_name=term.name,
        handed_over_on=TERM_START,
        note="换届交接：村级台账、志愿服务队名册、场所钥匙已移交。",
        open_items=[],
    )

    # Leading groups: the city, each township, each village with a station.
    by_region = {}
    for t in terms:
        by_region.setdefault(t.site.region_id, t)
    group_regions = [city] + [
        r
        for r in regions.values()
        if r.pk != city.pk and r.pk in by_region and r.depth - city.depth <= 2
    ]
    groups = [
        LeadingGroup(
            region=r,
            name=f"{r.name}新时代文明实践工作领导小组",
            established_on=date(2019, 11, 1) if r.pk == city.pk else date(2020, 3, 1),
            duties="统筹推进本级新时代文明实践中心（所、站）建设，研究解决重大问题。",
        )
        for r in group_regions
    ]
    LeadingGroup.objects.bulk_create(groups, batch_size=500)
    members, meetings = [], []
    departments = list(GUIDING_DEPARTMENTS)
    for g in groups:
        lead = by_region.get(g.region_id)
        members.append(
            GroupMember(
                group=g,
                user=lead.user if lead else None,
                name=lead.name if lead else person_name(rng),
                unit=f"{g.region.name}党委" if g.region_id != city.pk else "中共共青城市委员会",
                post=lead.post if lead else "书记",
                role=GroupRole.LEADER,
                order=0,
            )
        )
        deputies = 2 if g.region_id == city.pk else 1
        for i in range(deputies):
            members.append(
                GroupMember(
                    group=g,
                    name=person_name(rng),
                    unit="市委宣传部" if g.region_id == city.pk else f"{g.region.name}",
                    post="部长" if g.region_id == city.pk and i == 0 else "副书记",
                    role=GroupRole.DEPUTY,
                    department=Department.PUBLICITY if g.region_id == city.pk and i == 0 else "",
                    order=1 + i,
                )
            )
        if g.region_id == city.pk:
            for i, d in enumerate(departments):
                members.append(
                    GroupMember(
                        group=g,
                        name=person_name(rng),
                        unit=str(Department(d).label),
                        post="分管负责人",
                        department=d,
                        order=10 + i,
                    )
                )
        else:
            members.append(
                GroupMember(
                    group=g,
                    name=person_name(rng),
                    unit=f"{g.region.name}",
                    post="宣传委员",
                    order=5,
                )
            )
        n_meetings = 3 if g.region.depth - city.depth <= 1 else 1
        for i in range(n_meetings):
            title, minutes, _decisions = MEETINGS[i]
            meetings.append(
                Meeting(
                    group=g,
                    held_on=date(2020, 3, 15) + timedelta(days=150 * i + rng.randint(0, 20)),
                    title=title,
                    minutes=minutes,
                )
            )
    GroupMember.objects.bulk_create(members, batch_size=1000)
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    titles = {m[0]: m[2] for m in MEETINGS}
    Decision.objects.bulk_create(
        [Decision(meeting=m, text=text) for m in meetings for text in titles[m.title]],
        batch_size=1000,
    )

    # The six guiding departments' accounts, read-only at the city.
    dept_users = []
    for username, name, phone, _dept, _note in DEPARTMENT_ACCOUNTS:
        dept_users.append(
            User(
                username=username,
                display_name=name,
                phone=phone,
                home_region=city,
                password=password,
            )
        )
    User.objects.bulk_create(dept_users)
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=Role.DEPARTMENT, region=city, department=row[3])
            for u, row in zip(dept_users, DEPARTMENT_ACCOUNTS, strict=True)
        ]
    )
    forget_department_users()  # bulk_create sends no signal
    ctx.data["department_users"] = {
        row[0]: u for u, row in zip(dept_users, DEPARTMENT_ACCOUNTS, strict=True)
    }
    ctx.say(
        f"governance: {len(terms)} 一把手 ({len(no_secretary)} posts vacant), {len(staff)} staff, "
        f"{len(groups)} leading groups, {len(meetings)} meetings, "
        f"{len(DEPARTMENT_ACCOUNTS)} department accounts"
    )

"""Demo step "volunteers": the report's 161 teams in the "1+7+N" system and the volunteers
whose service adds up to its 20,000 volunteer person-times.

Teams: 1 general team (总队) at the center; 7 specialised teams, one per field of
practice; 6 mobile teams (流动服务队), one per township institute; 50 department teams on
the unit-hosted institutes; 69 village teams on the village stations; 28 social-organisation
teams (蓝天救援队, 红帽子 and flood squads on 24-hour standby among them).

Volunteers (3,600) have real-looking Chinese names, valid resident ID numbers (encrypted),
phones, skills and political status; a few are minors (under-14s with guardian consent).
Their service records (~20,000 person-times of team service, source "other") are spread
over the last two years with a long tail, so some volunteers reach the star levels. The
activities and orders steps add records of their own.

Writes in bulk; the points ledger, ``total_hours`` and ``points_balance`` are computed
here so they agree exactly with the records, as the services keep them.

Shares ``ctx.data["teams"]`` (list of Team) and ``ctx.data["volunteers"]`` (list of
Volunteer) with later steps.
"""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment
from xinfeng.core.crypto import encrypt
from xinfeng.places.choices import Department, SiteLevel
from xinfeng.places.models import Site
from xinfeng.regions.choices import RegionLevel
from xinfeng.volunteers.choices import (
    SEVEN_FIELDS,
    Gender,
    IdType,
    MembershipRole,
    PoliticalStatus,
    TeamType,
)
from xinfeng.volunteers.choices import MembershipStatus as MS
from xinfeng.volunteers.choices import RegistrationChannel as Channel
from xinfeng.volunteers.choices import ServiceCategory as C
from xinfeng.volunteers.identity import resident_id_check_char
from xinfeng.volunteers.models import (
    NumberSequence,
    Team,
    TeamMembership,
    Volunteer,
)
from xinfeng.volunteers.services.profiles import PRIVACY_NOTICE_VERSION, id_number_hash

from .bulk import insert_objects
from .context import DemoContext
from .names import person_name, phone_number
from .volunteer_hours import DAYS, _certificate, _ledger, _records

N_VOLUNTEERS = 3600
CITY_CODE = "360482000000"
DEMO_VILLAGE = "360482201200"  # 苏家垱乡水口村, where the demo volunteer lives

SPECIALISED = {
    C.THEORY: "共青城市理论宣讲志愿服务队",
    C.EDUCATION: "共青城市教育服务志愿服务队",
    C.CULTURE: "共青城市文化文艺志愿服务队",
    C.SCIENCE: "共青城市科技科普志愿服务队",
    C.SPORT: "共青城市健身体育志愿服务队",
    C.HEALTH: "共青城市“白衣天使乡村行”卫生健康志愿服务队",
    C.EVERYDAY_HELP: "共青城市便民帮扶志愿服务队",
}
# name, categories, 24-hour standby
SOCIAL = [
    ("蓝天救援队共青城分队", [C.EMERGENCY], True),
    ("红帽子志愿服务队", [C.EMERGENCY, C.EVERYDAY_HELP], True),
    ("共青城市防汛应急志愿服务队", [C.EMERGENCY], True),
    ("共青城市红十字志愿服务队", [C.HEALTH, C.EMERGENCY], True),
    ("退役军人志愿服务队", [C.EMERGENCY, C.EVERYDAY_HELP], True),
    ("共青城市青年志愿者协会", [C.EDUCATION, C.ENVIRONMENT], False),
    ("共青城市巾帼志愿服务队", [C.CHILDREN, C.ELDERLY], False),
    ("共青城市义工联合会", [C.EVERYDAY_HELP, C.ELDERLY], False),
    ("红领巾宣讲员志愿服务队", [C.THEORY, C.CHILDREN], False),
    ("大手拉小手志愿服务队", [C.CHILDREN, C.EDUCATION], False),
    ("颐养之家关爱志愿服务队", [C.ELDERLY], False),
    ("心连心课堂志愿服务队", [C.CHILDREN, C.EDUCATION], False),
    ("共青城市律师志愿服务团", [C.LAW], False),
    ("普法宣传志愿服务队", [C.LAW, C.THEORY], False),
    ("共青城市摄影家协会志愿服务队", [C.CULTURE], False),
    ("共青城市书法家协会志愿服务队", [C.CULTURE], False),
    ("广场舞协会志愿服务队", [C.SPORT, C.CULTURE], False),
    ("共青城市老年体协志愿服务队", [C.SPORT, C.ELDERLY], False),
    ("共青城市爱心车队", [C.EVERYDAY_HELP], False),
    ("心理咨询志愿服务队", [C.HEALTH], False),
    ("共青城市环保志愿者协会", [C.ENVIRONMENT], False),
    ("鄱阳湖护鸟志愿服务队", [C.ENVIRONMENT], False),
    ("共青城学院青年志愿者服务队", [C.EDUCATION, C.SCIENCE], False),
    ("共青科技职业学院志愿服务队", [C.SCIENCE, C.EDUCATION], False),
    ("共青城市商会志愿服务队", [C.EVERYDAY_HELP], False),
    ("书香共青读书会志愿服务队", [C.CULTURE, C.EDUCATION], False),
    ("共青城市科普志愿者协会", [C.SCIENCE], False),
    ("网络文明志愿服务队", [C.THEORY], False),
]
DEPARTMENT_CATEGORIES = {
    Department.ORGANIZATION: [C.THEORY, C.EVERYDAY_HELP],
    Department.PUBLICITY: [C.THEORY, C.CULTURE],
    Department.FINANCE: [C.LAW, C.EVERYDAY_HELP],
    Department.CIVIL_AFFAIRS: [C.ELDERLY, C.EVERYDAY_HELP],
    Department.CULTURE_TOURISM: [C.CULTURE],
    Department.HUMAN_RESOURCES: [C.EVERYDAY_HELP, C.EDUCATION],
    Department.EDUCATION: [C.EDUCATION, C.CHILDREN],
    Department.HEALTH: [C.HEALTH],
    Department.YOUTH_LEAGUE: [C.CHILDREN, C.EDUCATION],
    Department.WOMENS_FEDERATION: [C.CHILDREN, C.ELDERLY],
    Department.SCIENCE_ASSOCIATION: [C.SCIENCE],
    Department.JUSTICE: [C.LAW],
}
SKILLS = [
    "急救",
    "摄影",
    "宣讲",
    "书法",
    "文艺表演",
    "心理咨询",
    "法律咨询",
    "驾驶",
    "电工",
    "理发",
    "医护",
    "教学辅导",
    "健身指导",
    "厨艺",
    "家电维修",
    "农业技术",
    "计算机",
    "手语",
]
AVAILABILITY = ["周末", "工作日晚上", "节假日", "随时", "周末及节假日", "工作日白天"]
OTHER_AREAS = ["360402", "360403", "360423", "360425", "360426", "360481", "361025", "420117"]


def anchor(today: date) -> datetime:
    """Today's local midnight: everything is dated from it, so a seed gives the same data
    all day."""
    return timezone.make_aware(datetime.combine(today, time.min))


class _IdMaker:
    """Valid, unique resident ID numbers for the demo (GB 11643 check character)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.seen: set[str] = set()

    def make(self, birth: date, gender: str) -> str:
        area = "360482" if self.rng.random() < 0.8 else self.rng.choice(OTHER_AREAS)
        while True:
            seq = self.rng.randrange(100) * 10 + self.rng.choice(
                [1, 3, 5, 7, 9] if gender == Gender.MALE else [0, 2, 4, 6, 8]
            )
            first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
            number = first17 + resident_id_check_char(first17)
            if number not in self.seen:
                self.seen.add(number)
                return number


def _birth(rng: random.Random, today: date) -> date:
    r = rng.random()
    if r < 0.015:
        age = rng.randint(10, 13)  # children with their guardian's consent
    elif r < 0.05:
        age = rng.randint(14, 17)
    elif r < 0.35:
        age = rng.randint(18, 30)
    elif r < 0.8:
        age = rng.randint(31, 55)
    else:
        age = rng.randint(56, 75)
    return today - timedelta(days=age * 365 + rng.randrange(365))


def _teams(ctx: DemoContext, rng: random.Random) -> list[Team]:
    regions = ctx.data["regions"]
    center: Site = ctx.data["center"]
    institutes: dict = ctx.data["institutes"]
    stations: dict = ctx.data["stations"]

    def team(name, kind, site, categories, parent=None, capacity=3, standby=False, desc=""):
        return Team(
            name=name,
            team_type=kind,
            home_site=site,
            region_id=site.region_id,
            parent=parent,
            service_categories=[str(c) for c in categories],
            capacity=capacity,
            standby_24h=standby,
            description=desc,
            latitude=site.latitude,
            longitude=site.longitude,
        )

    general = team(
        "共青城市新时代文明实践志愿服务总队",
        TeamType.GENERAL,
        center,
        SEVEN_FIELDS,
        capacity=10,
        desc="统筹全市“1+7+N”志愿服务队伍，承接重大活动和跨乡镇服务。",
    )
    general.save()
    planned = []
    for category, name in SPECIALISED.items():
        planned.append(team(name, TeamType.SPECIALISED, center, [category], general, capacity=6))
    for inst in institutes.values():
        planned.append(
            team(
                f"{inst.region.name}文明实践流动服务队",
                TeamType.MOBILE,
                inst,
                [C.CULTURE, C.HEALTH, C.EVERYDAY_HELP],
                general,
                capacity=4,
                desc="送电影、送体检、送政策进村入户。",
            )
        )
    unit_institutes = Site.objects.filter(level=SiteLevel.INSTITUTE).exclude(host_unit="")
    for inst in unit_institutes.order_by("id"):
        dept = (inst.guiding_departments or [Department.ORGANIZATION])[0]
        planned.append(
            team(
                f"{inst.host_unit}志愿服务队",
                TeamType.DEPARTMENT,
                inst,
                DEPARTMENT_CATEGORIES.get(dept, [C.EVERYDAY_HELP]),
                general,
            )
        )
    for code, station in sorted(stations.items()):
        village = regions[code]
        planned.append(
            team(
                f"{village.short_name or village.name}志愿服务队",
                TeamType.VILLAGE,
                station,
                rng.sample([C.EVERYDAY_HELP, C.ELDERLY, C.CHILDREN, C.ENVIRONMENT, C.CULTURE], 2),
                general,
                capacity=2,
            )
        )
    homes = [center, *institutes.values()]
    for name, categories, standby in SOCIAL:
        planned.append(
            team(
                name,
                TeamType.SOCIAL,
                rng.choice(homes),
                categories,
                general,
                capacity=5 if standby else 3,
                standby=standby,
            )
        )
    created = Team.objects.bulk_create(planned)
    assert regions[CITY_CODE].pk == center.region_id
    return [general, *created]


def _volunteers(ctx, rng, today, now, villages, weights) -> list[Volunteer]:
    ids = _IdMaker(rng)
    year = today.year
    users = ctx.data.get("users", {})
    people = []
    for user_key in ("volunteer", "teamleader"):
        user = users.get(user_key)
        if user is not None:
            people.append((user, user.name, user.phone, user.home_region))
    plans = []
    for i in range(N_VOLUNTEERS):
        if i < len(people):
            user, name, phone, home = people[i]
            if home is None or home.level != RegionLevel.VILLAGE:
                home = ctx.data["regions"][DEMO_VILLAGE]
        else:
            user, name, phone = None, person_name(rng), phone_number(rng)
            home = rng.choices(villages, weights)[0]
        plans.append((user, name, phone, home))
    volunteers = []
    for i, (user, name, phone, home) in enumerate(plans):
        gender = rng.choice([Gender.MALE, Gender.FEMALE])
        birth = _birth(rng, today) if user is None else date(1978 + i * 7, 3 + i, 12)
        number = ids.make(birth, gender)
        r = rng.random()
        political = (
            PoliticalStatus.PARTY_MEMBER
            if r < 0.28 or user is not None
            else PoliticalStatus.PROBATIONARY
            if r < 0.30
            else PoliticalStatus.LEAGUE_MEMBER
            if r < 0.52
            else PoliticalStatus.MASSES
        )
        joined = now - timedelta(days=DAYS + rng.randrange(400))
        v = Volunteer(
            user=user,
            number=f"ZY{year}{i + 1:06d}",
            name=name,
            gender=gender,
            birth_date=birth,
            id_type=IdType.RESIDENT_ID,
            id_number_encrypted=encrypt(number),
            id_number_hash=id_number_hash(IdType.RESIDENT_ID, number),
            phone=phone or "",
            home_region=home,
            skills=rng.sample(SKILLS, rng.choice([0, 1, 1, 2, 3])),
            availability=rng.choice(AVAILABILITY),
            political_status=political,
            emergency_contact_name=person_name(rng),
            emergency_contact_phone=phone_number(rng),
            privacy_notice_version=PRIVACY_NOTICE_VERSION,
            privacy_consented_at=joined,
            location_consented_at=joined if rng.random() < 0.7 else None,
            registration_channel=rng.choice(
                [Channel.SELF, Channel.SELF, Channel.STAFF, Channel.IMPORT]
            )
            if user is None
            else Channel.SELF,
        )
        v.created_at = joined
        if v.age_on(today) < 14:
            v.guardian_name = person_name(rng)
            v.guardian_phone = phone_number(rng)
            v.guardian_consented_at = joined
        volunteers.append(v)
    return volunteers


def _memberships(rng, teams, volunteers, joined_at):
    """Who serves in which team: village teams draw on their village, mobile teams on their
    township, the rest on anyone (weighted to skills and party members for leaders)."""
    by_village: dict[int, list[int]] = {}
    by_township: dict[int, list[int]] = {}
    for i, v in enumerate(volunteers):
        by_village.setdefault(v.home_region_id, []).append(i)
        by_township.setdefault(v.home_region.parent_id, []).append(i)
    adults = [i for i, v in enumerate(volunteers) if v.age_on() >= 18]
    members: dict[int, list[int]] = {}
    for t in teams[1:]:
        if t.team_type == TeamType.VILLAGE:
            pool = [i for i in by_village.get(t.region_id, []) if rng.random() < 0.75]
        elif t.team_type == TeamType.MOBILE:
            local = by_township.get(t.region_id, [])
            pool = rng.sample(local, min(len(local), rng.randint(15, 30)))
        elif t.standby_24h:  # emergency work: adults only
            pool = rng.sample(adults, rng.randint(20, 45))
        else:
            pool = rng.sample(range(len(volunteers)), rng.randint(12, 40))
        members[t.pk] = sorted(set(pool))
    rows, leaders = [], {}
    for t in teams[1:]:
        ids = members[t.pk]
        if not ids:
            continue
        adults_here = [i for i in ids if volunteers[i].age_on() >= 18] or ids
        party = [i for i in adults_here if volunteers[i].is_party_member] or adults_here
        leader = rng.choice(party)
        leaders[t.pk] = leader
        for i in ids:
            rows.append(
                TeamMembership(
                    team=t,
                    volunteer=volunteers[i],
                    role=MembershipRole.LEADER if i == leader else MembershipRole.MEMBER,
                    status=MS.ACTIVE,
                    joined_at=joined_at(volunteers[i]),
                )
            )
    # The general team gathers the leaders of all teams.
    general = teams[0]
    members[general.pk] = sorted(set(leaders.values()))
    for i in members[general.pk]:
        rows.append(
            TeamMembership(
                team=general,
                volunteer=volunteers[i],
                status=MS.ACTIVE,
                joined_at=joined_at(volunteers[i]),
            )
        )
    return rows, members, leaders


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng_for("volunteers")
    today = timezone.localdate()
    now = anchor(today)
    regions = ctx.data["regions"]
    villages = [r for r in regions.values() if r.level == RegionLevel.VILLAGE]
    weights = [r.population or 1000 for r in villages]

    # Separate generators per part, so each part is reproducible on its own.
    teams = _teams(ctx, ctx.rng_for("volunteers:teams"))
    volunteers = _volunteers(ctx, ctx.rng_for("volunteers:people"), today, now, villages, weights)
    insert_objects(Volunteer, volunteers)  # keeps each one's created_at (when they joined)
    NumberSequence.objects.update_or_create(
        key=f"ZY{today.year}", defaults={"last_value": len(volunteers)}
    )

    def joined_at(v):
        return v.created_at + timedelta(days=rng.randrange(1, 60))

    rows, members, leaders = _memberships(rng, teams, volunteers, joined_at)
    users = ctx.data.get("users", {})
    general = teams[0]
    leader_user = users.get("teamleader")
    if leader_user is not None:
        v_leader = next(v for v in volunteers if v.user_id == leader_user.pk)
        rows = [m for m in rows if not (m.team is general and m.volunteer is v_leader)]
        rows.append(
            TeamMembership(
                team=general,
                volunteer=v_leader,
                role=MembershipRole.LEADER,
                status=MS.ACTIVE,
                joined_at=now - timedelta(days=DAYS),
            )
        )
        members[general.pk].append(volunteers.index(v_leader))
        RoleAssignment.objects.get_or_create(
            user=leader_user, role=Role.TEAM_LEADER, region=general.region
        )
    demo_user = users.get("volunteer")
    if demo_user is not None:
        v_demo = next(v for v in volunteers if v.user_id == demo_user.pk)
        village_team = next(
            (
                t
                for t in teams
                if t.team_type == TeamType.VILLAGE and t.region_id == v_demo.home_region_id
            ),
            None,
        )
        if village_team is not None and volunteers.index(v_demo) not in members[village_team.pk]:
            rows.append(
                TeamMembership(
                    team=village_team,
                    volunteer=v_demo,
                    status=MS.ACTIVE,
                    joined_at=joined_at(v_demo),
                )
            )
            members[village_team.pk].append(volunteers.index(v_demo))
        # A left team and a pending request, so the history and the approval flow show.
        first_social = next(
            t for t in teams if t.team_type == TeamType.SOCIAL and not t.standby_24h
        )
        rows.append(
            TeamMembership(
                team=first_social,
                volunteer=v_demo,
                status=MS.LEFT,
                joined_at=now - timedelta(days=500),
                left_at=now - timedelta(days=200),
            )
        )
        rows.append(
            TeamMembership(
                team=teams[1], volunteer=v_demo, status=MS.PENDING, message="我想参加理论宣讲。"
            )
        )
    insert_objects(TeamMembership, rows)

    records = _records(rng, teams, volunteers, members, now, users)
    _ledger(rng, ctx, volunteers, records, now)
    _certificate(ctx, teams, volunteers, records, now)

    ctx.data["teams"] = teams
    ctx.data["volunteers"] = volunteers
    by_type = {}
    for t in teams:
        by_type[t.team_type] = by_type.get(t.team_type, 0) + 1
    ctx.say(
        f"volunteers: {len(teams)} teams "
        + ", ".join(f"{TeamType(k).label} {n}" for k, n in by_type.items())
        + f"; {len(volunteers)} volunteers, {len(records)} service records "
        + f"({sum(r.hours for r in records):.0f} hours)"
    )

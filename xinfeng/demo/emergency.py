"""Demo step ``emergency`` (issue 14): the report's emergency pages as data.

- The 2020 flood in 金湖乡 (closed): 蓝天救援队's 24-hour rota, a call-out of the rescue and
  flood teams, 江流村's young people living elsewhere called home (返乡), dyke tasks with
  places, the temporary practice branch station at the flood resettlement point with its
  film, health-check and cleaning services and the volunteers' emergency hours, sitreps and
  a public notice.
- The 2020 epidemic in 泽泉乡 (closed): the 红帽子 squads' door-to-door tasks.
- A flood drill in 金湖乡 (open, shown apart): a live call-out of the standby team.

Written through the emergency services (so every rule holds), then moved back to 2020
with plain updates. Small: about 150 accounts' worth of rows, well under a few seconds.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from xinfeng.accounts.models import User
from xinfeng.activities.choices import ActivityState
from xinfeng.activities.models import Activity
from xinfeng.emergency.choices import EmergencySkill as S
from xinfeng.emergency.choices import RecipientState
from xinfeng.emergency.models import (
    CalloutRecipient,
    EmergencyProfile,
    Incident,
    IncidentEvent,
    Notice,
    Sitrep,
    StationShift,
)
from xinfeng.emergency.services.callouts import callout_create, callout_send
from xinfeng.emergency.services.incidents import incident_close, incident_declare, notice_publish
from xinfeng.emergency.services.needs import need_commit, need_create
from xinfeng.emergency.services.rosters import shift_create, unavailability_add
from xinfeng.emergency.services.sitreps import sitrep_create
from xinfeng.emergency.services.stations import station_open
from xinfeng.places.models import Site
from xinfeng.volunteers.choices import MembershipStatus, ServiceSource, Verification
from xinfeng.volunteers.models import Volunteer
from xinfeng.volunteers.services.ledger import service_record_create

from .context import DemoContext

JINHU, JIANGLIU, SHUICHAN = "360482200000", "360482200202", "360482200500"
ZEQUAN = "360482202000"
RESCUE, RED_HATS, FLOOD_TEAM = "蓝天救援队", "红帽子", "防汛应急"
RESCUE_SKILLS = [S.SWIMMING, S.BOAT, S.FIRST_AID, S.DIVING, S.DRONE, S.DRIVING, S.RADIO]
RED_HAT_SKILLS = [S.MEDICAL, S.FIRST_AID, S.DRIVING, S.PSYCH]
MEMBERS_WITH_ACCOUNTS = 24
RETURNEES = 6
TZ = timezone.get_current_timezone()


def _at(y, m, d, h=8, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=TZ)


def _team(ctx, fragment):
    return next(t for t in ctx.data["teams"] if fragment in t.name)


def _members(team, limit):
    return [
        m.volunteer
        for m in team.memberships.filter(status=MembershipStatus.ACTIVE)
        .select_related("volunteer__home_region")
        .order_by("id")[:limit]
    ]


def _accounts(rng, volunteers) -> None:
    """Give the volunteers who will be called an account (to receive the message and
    answer from the link); the demo's own volunteers keep theirs."""
    taken = set(User.objects.exclude(phone=None).values_list("phone", flat=True))
    password = make_password(None)
    todo = list({v.pk: v for v in volunteers if v.user_id is None}.values())
    users = []
    for v in todo:
        phone = v.phone if v.phone and v.phone not in taken else None
        taken.add(phone)
        users.append(
            User(
                username=f"ev{v.pk}",
                display_name=v.name,
                phone=phone,
                password=password,
                home_region=v.home_region,
            )
        )
    users = User.objects.bulk_create(users)
    for v, u in zip(todo, users, strict=True):
        v.user = u
    Volunteer.objects.bulk_update(todo, ["user"])


def _profiles(rng, volunteers, skills, home_village=None) -> None:
    volunteers = list({v.pk: v for v in volunteers}.values())
    EmergencyProfile.objects.bulk_create(
        [
            EmergencyProfile(
                volunteer=v, skills=sorted(set(rng.sample(skills, 2))), home_village=home_village
            )
            for v in volunteers
        ],
        ignore_conflicts=True,
    )


def _answer(rng, callout, when, arrived_share=0.6) -> None:
    """Historical answers: most came, a few could not, some arrived."""
    rows = list(CalloutRecipient.objects.filter(callout=callout))
    for r in rows:
        roll = rng.random()
        r.state = (
            RecipientState.ARRIVED
            if roll < arrived_share
            else RecipientState.COMING
            if roll < 0.75
            else RecipientState.DECLINED
            if roll < 0.9
            else RecipientState.SENT
        )
        r.sent_at = when
        r.answered_at = (
            when + timedelta(minutes=rng.randrange(2, 40)) if r.state != "sent" else None
        )
        r.arrived_at = when + timedelta(hours=1) if r.state == RecipientState.ARRIVED else None
    CalloutRecipient.objects.bulk_update(rows, ["state", "sent_at", "answered_at", "arrived_at"])


def _backdate(incident, start, end) -> None:
    """Move an incident's timeline into the past (its steps spread from start to end)."""
    Incident.objects.filter(pk=incident.pk).update(
        declared_at=start, closed_at=end if not incident.is_open else None
    )
    events = list(IncidentEvent.objects.filter(incident=incident).order_by("id"))
    step = (end - start) / max(1, len(events) - 1)
    for i, e in enumerate(events):
        IncidentEvent.objects.filter(pk=e.pk).update(created_at=start + step * i)
    incident.callouts.update(created_at=start + timedelta(hours=1), closed_at=end)
    incident.needs.update(created_at=start + timedelta(hours=2), closed_at=end)
    Notice.objects.filter(incident=incident).update(created_at=start + timedelta(hours=1))
    for i, r in enumerate(Sitrep.objects.filter(incident=incident).order_by("number")):
        Sitrep.objects.filter(pk=r.pk).update(created_at=start + timedelta(days=2 * (i + 1)))


def _flood(ctx, rng, center, rescue, flood_team, returnees) -> None:
    regions = ctx.data["regions"]
    jinhu, jiangliu = regions[JINHU], regions[JIANGLIU]
    start, end = _at(2020, 7, 8, 6), _at(2020, 7, 28, 18)
    inc = incident_declare(
        actor=center,
        region=jinhu,
        title="2020年金湖乡洪涝灾害",
        kind="flood",
        level=2,
        affected_regions=[jiangliu, regions[SHUICHAN]],
        description="鄱阳湖水位超警戒，江流村段圩堤出现险情，启动防汛二级应急响应。",
    )
    notice_publish(
        actor=center,
        incident=inc,
        headline="金湖乡江流村沿湖群众转移安置",
        description="江流村段圩堤出现管涌险情，沿湖群众请转移至金湖乡防汛安置点。",
        instruction="携带身份证件和常用药品，听从村干部和志愿者引导。",
    )
    dyke = callout_create(
        actor=center,
        incident=inc,
        title="江流村段圩堤昼夜巡查",
        teams=[rescue, flood_team],
        message="24 小时轮班巡堤，请带救生衣。",
        escalate_after_minutes=20,
    )
    home = callout_create(
        actor=center,
        incident=inc,
        title="江流村在外青年返乡抗洪",
        regions=[jiangliu],
        message="家乡圩堤告急，能返乡的青年请答复。",
        risky=True,
    )
    for c in (dyke, home):
        _answer(rng, c, start + timedelta(hours=1))
    patrol = need_create(
        actor=center,
        incident=inc,
        title="江流村段夜间巡堤",
        region=jiangliu,
        place="江流村段圩堤 3 号段",
        places=24,
        risky=True,
    )
    sandbags = need_create(
        actor=center, incident=inc, title="装填沙袋", region=jiangliu, place="江流村村部", places=40
    )
    need_commit(actor=center, need=patrol, team=rescue, count=12)
    need_commit(actor=center, need=patrol, team=flood_team, count=10)
    need_commit(actor=center, need=sandbags, team=flood_team, count=25)
    for v in returnees[:4]:
        need_commit(actor=v.user, need=sandbags, volunteer=v)
    lat, lng = jinhu.latitude or 29.2963, jinhu.longitude or 115.814
    station = station_open(
        actor=center,
        incident=inc,
        name="金湖乡防汛安置点新时代文明实践分站",
        region=jinhu,
        address="金湖乡中心小学（防汛临时安置点）",
        latitude=lat,
        longitude=lng,
    )
    services = [
        ("露天电影放映", "culture", 120),
        ("白衣天使义诊体检", "health", 86),
        ("安置点环境清扫", "environment", 0),
    ]
    for i, (title, category, audience) in enumerate(services):
        day = _at(2020, 7, 12 + 3 * i, 19 if category == "culture" else 9)
        Activity.objects.create(
            title=title,
            category=category,
            site=station.site,
            region=jinhu,
            address=station.site.address,
            starts_at=day,
            ends_at=day + timedelta(hours=2),
            capacity=150,
            state=ActivityState.FINISHED,
            created_by=center,
            published_at=day,
            finished_at=day + timedelta(hours=2),
            extra_headcount=audience,
        )
    # Volunteers who served at the station: arrival and departure, hours as emergency.
    served = [r.volunteer for r in dyke.recipients.filter(state=RecipientState.ARRIVED)[:10]]
    for i, v in enumerate(served):
        came = _at(2020, 7, 10 + i % 8, 8)
        left = came + timedelta(hours=4 + i % 5)
        record = service_record_create(
            volunteer=v,
            region=jinhu,
            started_at=came,
            ended_at=left,
            source_type=ServiceSource.EMERGENCY,
            source_id=station.pk,
            verification=Verification.QR,
            description=f"应急服务：{station.site.name}",
        )
        StationShift.objects.create(
            station=station,
            volunteer=v,
            method="qr",
            checked_in_at=came,
            checked_out_at=left,
            record=record,
        )
    sitrep_create(actor=center, incident=inc, text="江流村段圩堤险情得到控制，安置点运转正常。")
    sitrep_create(actor=center, incident=inc, text="水位回落，转移群众陆续返家。")
    incident_close(actor=center, incident=inc, note="水位回落至警戒线以下，结束应急响应。")
    station.refresh_from_db()
    type(station).objects.filter(pk=station.pk).update(
        opened_at=start + timedelta(hours=3), closed_at=end
    )
    Site.objects.filter(pk=station.site_id).update(
        active_from=start + timedelta(hours=3), active_until=end
    )
    _backdate(inc, start, end)


def _epidemic(ctx, rng, center, red_hats) -> None:
    regions = ctx.data["regions"]
    zequan = regions[ZEQUAN]
    villages = [r for r in regions.values() if r.parent_id == zequan.pk]
    start, end = _at(2020, 1, 26, 9), _at(2020, 3, 10, 17)
    inc = incident_declare(
        actor=center,
        region=zequan,
        title="2020年泽泉乡新冠肺炎疫情防控",
        kind="epidemic",
        level=1,
        affected_regions=villages,
        description="“红帽子”志愿服务队分组入户宣传、排查登记、代购送药。",
    )
    c = callout_create(
        actor=center, incident=inc, title="红帽子小分队入户排查", teams=[red_hats], risky=False
    )
    _answer(rng, c, start + timedelta(hours=2), arrived_share=0.7)
    for v in villages[:4]:
        need = need_create(
            actor=center, incident=inc, title=f"{v.name}入户宣传排查", region=v, places=6
        )
        need_commit(actor=center, need=need, team=red_hats, count=rng.randrange(3, 7))
    sitrep_create(actor=center, incident=inc, text="泽泉乡各村入户排查全覆盖。")
    incident_close(actor=center, incident=inc, note="疫情防控转入常态化。")
    _backdate(inc, start, end)


def _drill(ctx, rng, center, rescue) -> None:
    regions = ctx.data["regions"]
    inc = incident_declare(
        actor=center,
        region=regions[JINHU],
        title="汛前防汛应急演练",
        kind="flood",
        level=4,
        affected_regions=[regions[JIANGLIU]],
        is_exercise=True,
        description="演练：模拟江流村段圩堤管涌，检验 24 小时备勤召集。",
    )
    notice_publish(
        actor=center,
        incident=inc,
        headline="防汛应急演练通知",
        description="本次为演练，非真实险情。",
    )
    c = callout_create(
        actor=center,
        incident=inc,
        title="演练：备勤人员集合",
        teams=[rescue],
        wave=10,
        escalate_after_minutes=15,
    )
    callout_send(c.pk)
    rows = list(CalloutRecipient.objects.filter(callout=c, state=RecipientState.SENT)[:6])
    for r, state in zip(
        rows, ["coming", "coming", "coming", "declined", "later", "arrived"], strict=False
    ):
        CalloutRecipient.objects.filter(pk=r.pk).update(
            state=state,
            answered_at=timezone.now(),
            arrived_at=timezone.now() if state == "arrived" else None,
        )
    need_create(
        actor=center,
        incident=inc,
        title="演练：管涌点围堰",
        region=regions[JIANGLIU],
        places=8,
        risky=True,
    )


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng_for("emergency")
    center = ctx.data["users"]["center"]
    rescue, red_hats = _team(ctx, RESCUE), _team(ctx, RED_HATS)
    flood_team = _team(ctx, FLOOD_TEAM)
    rescue_people = _members(rescue, MEMBERS_WITH_ACCOUNTS)
    red_people = _members(red_hats, MEMBERS_WITH_ACCOUNTS)
    flood_people = _members(flood_team, MEMBERS_WITH_ACCOUNTS)
    jinhu_path = ctx.data["regions"][JINHU].path
    returnees = [
        v
        for v in ctx.data["volunteers"]
        if not v.home_region.path.startswith(jinhu_path) and v.age_on() and v.age_on() < 35
    ][:RETURNEES]
    _accounts(rng, rescue_people + red_people + flood_people + returnees)
    _profiles(rng, rescue_people + flood_people, RESCUE_SKILLS)
    _profiles(rng, red_people, RED_HAT_SKILLS)
    _profiles(
        rng,
        returnees,
        [S.SWIMMING, S.DRIVING, S.BOAT, S.FIRST_AID],
        home_village=ctx.data["regions"][JIANGLIU],
    )
    # 蓝天救援队's 24-hour standby (24小时紧急备勤): a day and a night shift every day.
    half = len(rescue_people) // 2
    every_day = list(range(7))
    shift_create(
        actor=center,
        team=rescue,
        name="白班",
        weekdays=every_day,
        start_time=time(8),
        end_time=time(20),
        members=rescue_people[:half],
    )
    shift_create(
        actor=center,
        team=rescue,
        name="夜班",
        weekdays=every_day,
        start_time=time(20),
        end_time=time(8),
        members=rescue_people[half:],
    )
    now = timezone.now()
    unavailability_add(
        actor=center,
        volunteer=rescue_people[0],
        starts_at=now,
        ends_at=now + timedelta(days=3),
        reason="外出培训",
    )
    _flood(ctx, rng, center, rescue, flood_team, returnees)
    _epidemic(ctx, rng, center, red_hats)
    _drill(ctx, rng, center, rescue)
    ctx.say(
        f"emergency: 3 incidents (2020 flood in 金湖乡, 2020 epidemic in 泽泉乡, 1 drill), "
        f"{CalloutRecipient.objects.count()} people called, {len(returnees)} returnees"
    )

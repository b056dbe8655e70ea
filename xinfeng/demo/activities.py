"""Demo step: two years of civilization-practice activities across the sites.

5,000+ activities (the report's figure) from two years ago to a month ahead; finished ones
carry their audience: the organiser's headcount offline and, for online activities, one
``OnlineView`` row per viewer, adding up to 200,000+ person-times; the monthly online
lecture (每月云讲堂) at the center; room bookings by activities and by residents' groups
that never overlap; news and announcements, some of them activity reports. The demo
resident and volunteer are signed up for a few upcoming activities in 水口村.

Volunteers (from the volunteers step) who served at 1,500 of the finished activities get
service records with source "activity" and their points, appended to their ledgers.
Counters on ``Activity`` equal the rows behind them (sign-ups, check-ins, viewers), as the
services keep them. Must run after ``places`` and ``accounts`` (and after ``volunteers``
and ``projects`` when those steps exist: it links teams and projects if there are any).
"""

import math
from datetime import datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from xinfeng.activities.choices import (
    ActivityAction,
    ActivityState,
    BookingState,
    Eligibility,
    Mode,
    NewsKind,
    SignupState,
)
from xinfeng.activities.models import (
    Activity,
    ActivityEvent,
    ActivityReport,
    News,
    OnlineView,
    Signup,
    VenueBooking,
)
from xinfeng.demo.bulk import insert_objects
from xinfeng.places.choices import SiteLevel
from xinfeng.places.models import Site, Venue
from xinfeng.volunteers.choices import PointsKind, ServiceCategory, ServiceSource
from xinfeng.volunteers.choices import Verification as V
from xinfeng.volunteers.models import PointsEntry, ServiceRecord, Volunteer
from xinfeng.volunteers.services.ledger import hours_between, points_for_hours

from .context import DemoContext

TARGET_ACTIVITIES = 5200
DAYS_BACK = 730
DAYS_AHEAD = 30
BATCH = 1000


def _names(text: str) -> list[str]:
    return text.split("、")


# fmt: off
TITLES = {
    ServiceCategory.THEORY: _names("党的创新理论宣讲进村组、红色故事会、“百姓名嘴”微宣讲、学习身边榜样座谈会、新时代文明实践大讲堂"),
    ServiceCategory.EDUCATION: _names("四点半课堂、家庭教育公益讲座、心连心课堂、暑期托管辅导、乡村振兴技能培训"),
    ServiceCategory.CULTURE: _names("广场舞展演、送戏下乡、红歌合唱会、书法进乡村、农家书屋读书会、露天电影放映"),
    ServiceCategory.SCIENCE: _names("科普大篷车进村、防诈骗知识讲座、农业实用技术培训、安全用电科普、气象防灾科普"),
    ServiceCategory.SPORT: _names("全民健身健步走、太极拳教学、乡村篮球赛、老年门球友谊赛、亲子趣味运动会"),
    ServiceCategory.HEALTH: _names("白衣天使乡村行义诊、健康知识讲座、免费测血压血糖、中医养生讲座、心理健康疏导"),
    ServiceCategory.EVERYDAY_HELP: _names("便民理发、家电义务维修、爱心助农采摘、代办代缴服务日、磨刀补鞋便民摊"),
    ServiceCategory.LAW: _names("普法宣传进村、民法典讲座、反电诈宣传、法律咨询服务日、禁毒知识宣传"),
    ServiceCategory.ELDERLY: _names("颐养之家陪伴日、重阳敬老活动、老年智能手机课堂、为老人集体过生日、上门探访空巢老人"),
    ServiceCategory.CHILDREN: _names("红领巾宣讲员、大手拉小手、儿童安全教育课、留守儿童关爱活动、绘本共读"),
    ServiceCategory.ENVIRONMENT: _names("河道清洁志愿行动、垃圾分类宣传、植树护绿、鄱阳湖护鸟宣传、美丽庭院评比"),
    ServiceCategory.EMERGENCY: _names("防汛应急演练、消防安全演练、应急救护培训、地质灾害避险演练"),
}
LECTURE_TOPICS = _names("家风家训代代传、乡村振兴政策解读、耀邦精神与共青精神、健康生活方式、反诈防骗面对面、民法典与百姓生活、垦荒精神薪火相传、文明乡风建设、防汛知识进万家、垃圾分类从我做起、老年人权益保障、青少年心理健康")
GROUPS = _names("广场舞队、夕阳红合唱团、书友会、太极拳队、村民议事会、老年门球队、腰鼓队、亲子读书会")
# fmt: on
SLOTS = [(time(9, 0), 120), (time(14, 30), 120), (time(19, 0), 90)]
OUTDOOR_SPOTS = ["文化广场", "村口大樟树下", "党群服务中心门前", "健身广场", "河堤步道"]
STREAM = "https://live.xinfeng.example/lecture/{n}"
REPLAY = "https://media.xinfeng.example/replay/{n}.mp4"
LEVEL_WEIGHT = {
    SiteLevel.CENTER: 60,
    SiteLevel.INSTITUTE: 20,
    SiteLevel.STATION: 22,
    SiteLevel.POINT: 6,
}


def _at(day, t: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, t), timezone.get_current_timezone())


def _jitter(rng, lat, lng, metres):
    r = metres * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    return (
        round(lat + r * math.cos(theta) / 111_000, 6),
        round(lng + r * math.sin(theta) / (111_000 * math.cos(math.radians(lat))), 6),
    )


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain rows fast: COPY on PostgreSQL, many rows per INSERT on SQLite. Values
    must already be adapted for the database."""
    q = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 (names come from the model)
        q(model._meta.db_table), ", ".join(q(c) for c in columns)
    )
    if connection.vendor == "postgresql":
        copy_sql = "COPY {} ({}) FROM STDIN".format(
            q(model._meta.db_table), ", ".join(q(c) for c in columns)
        )
        with connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    chunk = max(1, min(2000, 30000 // len(columns)))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), chunk):
            part = rows[i : i + chunk]
            cursor.execute(head + ", ".join([one] * len(part)), [v for row in part for v in row])


def _code(rng) -> str:
    return f"{rng.randrange(1_000_000):06d}"


class _Rooms:
    """Which (venue, day, slot) are taken, so bookings never overlap."""

    def __init__(self):
        self.taken: set = set()

    def take(self, venue_id, day, slot) -> bool:
        key = (venue_id, day, slot)
        if key in self.taken:
            return False
        self.taken.add(key)
        return True


def _sites(ctx: DemoContext):
    sites = list(Site.objects.select_related("region").order_by("id"))
    venues: dict[int, list[Venue]] = {}
    for v in Venue.objects.filter(is_active=True).order_by("id"):
        venues.setdefault(v.site_id, []).append(v)
    return sites, venues


def _optional(ctx: DemoContext):
    """Teams and projects from the volunteers and projects steps, when they ran."""
    from xinfeng.projects.models import Project
    from xinfeng.volunteers.models import Team

    teams = ctx.data.get("teams")
    teams = list(teams.values()) if isinstance(teams, dict) else list(teams or [])
    if not teams:
        teams = list(Team.objects.filter(is_active=True).order_by("id"))
    projects = ctx.data.get("projects")
    projects = list(projects.values()) if isinstance(projects, dict) else list(projects or [])
    if not projects:
        projects = list(Project.objects.filter(status="active").order_by("id"))
    from xinfeng.regions.models import Region

    paths = dict(
        Region.objects.filter(pk__in={p.region_id for p in projects}).values_list("pk", "path")
    )
    by_category: dict[str, list] = {}
    for p in projects:
        p.region_path = paths.get(p.region_id, "")
        by_category.setdefault(p.category, []).append(p)
    return teams, by_category


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng_for("activities")
    today = timezone.localdate()
    now = timezone.now()
    sites, venues = _sites(ctx)
    center = next(s for s in sites if s.level == SiteLevel.CENTER)
    teams, projects = _optional(ctx)
    users = ctx.data.get("users", {})
    organiser = users.get("center")
    rooms = _Rooms()
    categories = list(TITLES)
    weights = [LEVEL_WEIGHT[s.level] for s in sites]

    activities: list[Activity] = []
    bookings: list[tuple[int, VenueBooking]] = []  # (index of activity or -1, booking)

    def add(site, day, slot, **kw):
        t, minutes = slot
        start = _at(day, t)
        end = start + timedelta(minutes=minutes)
        category = kw.pop("category", rng.choice(categories))
        venue = None
        site_venues = venues.get(site.pk, [])
        outdoor = kw.pop("outdoor", False)
        if not outdoor and site_venues:
            for v in rng.sample(site_venues, len(site_venues)):
                if rooms.take(v.pk, day, slot):
                    venue = v
                    break
        if venue is None and site.latitude is not None:
            outdoor = True
        lat, lng = site.latitude, site.longitude
        address = ""
        if outdoor and lat is not None:
            lat, lng = _jitter(rng, lat, lng, 300)
            address = f"{site.region.display_name}{rng.choice(OUTDOOR_SPOTS)}"
        capacity = kw.pop("capacity", rng.choice([20, 30, 40, 50, 60, 80, 100]))
        if venue is not None:
            capacity = min(capacity, venue.capacity)
        project = None
        if projects.get(category) and rng.random() < 0.35:
            project = rng.choice(projects[category])
            # Only a project covering the site's area (or inside it), as the service requires.
            here, there = site.region.path, project.region_path
            if not (here.startswith(there) or there.startswith(here)):
                project = None
        eligibility, team = Eligibility.EVERYONE, None
        roll = rng.random()
        if roll < 0.08:
            eligibility = Eligibility.VOLUNTEERS
        elif roll < 0.12 and teams:
            eligibility, team = Eligibility.TEAM, rng.choice(teams)
        a = Activity(
            title=kw.pop("title", rng.choice(TITLES[category])),
            description=kw.pop("description", ""),
            category=category,
            project=project,
            site=site,
            region_id=site.region_id,
            venue=venue,
            address=address,
            latitude=lat,
            longitude=lng,
            starts_at=start,
            ends_at=end,
            capacity=capacity,
            eligibility=eligibility,
            team=team,
            checkin_code=_code(rng),
            qr_nonce=f"d{rng.getrandbits(48):012x}",
            created_by=organiser,
            **kw,
        )
        activities.append(a)
        if venue is not None:
            bookings.append((len(activities) - 1, venue))
        return a

    # The monthly online lecture (每月云讲堂) at the center, two years back and next month.
    first_month = (today - timedelta(days=DAYS_BACK)).replace(day=1)
    month, lectures = first_month, 0
    while month <= today + timedelta(days=DAYS_AHEAD):
        day = month.replace(day=min(15, 28))
        if (today - timedelta(days=DAYS_BACK)) <= day <= today + timedelta(days=DAYS_AHEAD):
            lectures += 1
            topic = LECTURE_TOPICS[lectures % len(LECTURE_TOPICS)]
            add(
                center,
                day,
                SLOTS[2],
                category=ServiceCategory.THEORY,
                title=f"每月云讲堂 · {day.year}年{day.month}月：{topic}",
                description=f"本期主题：{topic}。线上直播、线下同步，可回看。",
                mode=Mode.BOTH,
                is_cloud_lecture=True,
                capacity=150,
                stream_url=STREAM.format(n=lectures),
                replay_url=REPLAY.format(n=lectures),
            )
        month = (month + timedelta(days=32)).replace(day=1)

    # Activities across the sites, more at the weekend.
    span = DAYS_BACK + DAYS_AHEAD
    while len(activities) < TARGET_ACTIVITIES:
        day = today - timedelta(days=DAYS_BACK) + timedelta(days=rng.randrange(span))
        if day.weekday() < 5 and rng.random() < 0.35:
            continue
        site = rng.choices(sites, weights=weights)[0]
        mode = Mode.BOTH if rng.random() < 0.07 else Mode.OFFLINE
        extra = {"mode": mode}
        if mode == Mode.BOTH:
            extra["stream_url"] = STREAM.format(n=f"s{len(activities)}")
        add(site, day, rng.choice(SLOTS), outdoor=rng.random() < 0.15, **extra)

    # A few upcoming activities at 水口村 for the demo resident to find and join.
    stations = ctx.data.get("stations", {})
    shuikou = stations.get("360482201200")
    if shuikou is not None:
        for i, cat in enumerate(
            [ServiceCategory.HEALTH, ServiceCategory.LAW, ServiceCategory.CULTURE]
        ):
            add(shuikou, today + timedelta(days=2 + i * 3), SLOTS[i % 2], category=cat, capacity=40)

    # States and audiences.
    for a in activities:
        if a.ends_at <= now:
            if rng.random() < 0.03:
                a.state = ActivityState.CANCELLED
                a.cancel_reason = rng.choice(["天气原因", "场地调整", "疫情防控要求"])
            else:
                a.state = ActivityState.FINISHED
                a.finished_at = a.ends_at
                if a.mode != Mode.ONLINE:
                    a.extra_headcount = min(
                        a.capacity + rng.randrange(20), max(5, int(rng.gauss(a.capacity * 0.7, 8)))
                    )
        else:
            a.state = ActivityState.PUBLISHED if rng.random() < 0.93 else ActivityState.DRAFT
        if a.state != ActivityState.DRAFT:
            a.published_at = a.starts_at - timedelta(days=rng.randint(3, 14))
    insert_objects(Activity, activities)

    # Room bookings: the activities' own, then residents' groups in free slots. Bookings,
    # history and viewers are plain rows inserted with executemany (tens of thousands of
    # model instances would dominate the seed's time).
    adapt = connection.ops.adapt_datetimefield_value
    org_id = organiser.pk if organiser else None
    created = adapt(now)
    booking_rows = []
    # fmt: off
    for index, venue in bookings:
        a = activities[index]
        gone = a.state == ActivityState.CANCELLED
        booking_rows.append((
            venue.pk, a.pk, a.site.name[:100], a.title[:120], adapt(a.starts_at), adapt(a.ends_at),
            BookingState.CANCELLED if gone else BookingState.CONFIRMED, org_id,
            a.cancel_reason if gone else "", created,
        ))
    venue_list = [v for vs in venues.values() for v in vs]
    for _ in range(3000):
        v = rng.choice(venue_list)
        day = today - timedelta(days=DAYS_BACK) + timedelta(days=rng.randrange(span))
        slot = rng.choice(SLOTS)
        if not rooms.take(v.pk, day, slot):
            continue
        start, group = _at(day, slot[0]), rng.choice(GROUPS)
        end = start + timedelta(minutes=slot[1])
        booking_rows.append((
            v.pk, None, group, f"{group}活动", adapt(start), adapt(end), BookingState.CONFIRMED,
            org_id, "", created,
        ))
    columns = "venue_id activity_id organisation title starts_at ends_at state booked_by_id"
    _insert(VenueBooking, [*columns.split(), "cancel_reason", "created_at"], booking_rows)
    # fmt: on

    # State history: created, published, finished or cancelled.
    S, A = ActivityState, ActivityAction
    events = []
    # fmt: off
    for a in activities:
        at = adapt(a.published_at or a.starts_at)
        events.append((a.pk, A.CREATE, "", S.DRAFT, org_id, "", at))
        if a.published_at:
            events.append((a.pk, A.PUBLISH, S.DRAFT, S.PUBLISHED, org_id, "", at))
        if a.state == S.FINISHED:
            events.append((a.pk, A.FINISH, S.PUBLISHED, S.FINISHED, None, "", adapt(a.ends_at)))
        elif a.state == S.CANCELLED:
            before = adapt(a.starts_at - timedelta(days=1))
            events.append((a.pk, A.CANCEL, S.PUBLISHED, S.CANCELLED, org_id, a.cancel_reason, before))
    # fmt: on
    columns = "activity_id action from_state to_state actor_id reason at"
    _insert(ActivityEvent, columns.split(), events)

    # Online viewers: one row per viewer (anonymous viewer keys), counters to match. Raw
    # executemany: ~80,000 rows through model instances would take most of a minute.
    online = 0
    for a in activities:
        if a.mode == Mode.OFFLINE or a.state != ActivityState.FINISHED:
            continue
        count = rng.randint(1800, 3200) if a.is_cloud_lecture else rng.randint(20, 160)
        a.online_viewers = count
        online += count
        at = adapt(a.starts_at)
        _insert(
            OnlineView,
            ["activity_id", "viewer_key", "kind", "created_at"],
            [
                (a.pk, f"ademo{a.pk:x}v{i:05d}", "replay" if i % 3 == 0 else "live", at)
                for i in range(count)
            ],
        )
    Activity.objects.bulk_update(
        [a for a in activities if a.online_viewers], ["online_viewers"], batch_size=BATCH
    )

    # The demo resident and volunteer are signed up for the 水口村 activities.
    signups = []
    upcoming = [a for a in activities[-3:] if a.state == ActivityState.PUBLISHED]
    for a in upcoming:
        for key in ("resident", "volunteer"):
            if users.get(key) is not None:
                signups.append(Signup(activity=a, user=users[key], state=SignupState.CONFIRMED))
                a.signup_count += 1
    Signup.objects.bulk_create(signups)
    Activity.objects.bulk_update(upcoming, ["signup_count"])

    # News: reports of some finished activities, plus announcements.
    finished = [a for a in activities if a.state == ActivityState.FINISHED]
    news, reports = [], []
    for a in rng.sample(finished, min(240, len(finished))):
        online_note = f"，线上 {a.online_viewers} 人观看" if a.online_viewers else ""
        body = (
            f"{timezone.localtime(a.starts_at):%Y年%m月%d日}，{a.site.name}开展“{a.title}”活动，"
            f"现场约 {a.offline_audience} 人参加{online_note}。"
            "志愿者热情服务，群众纷纷点赞。"
        )
        n = News(
            site=a.site,
            region_id=a.region_id,
            kind=NewsKind.NEWS,
            title=a.title,
            summary=body[:120],
            body=body,
            activity=a,
            author=organiser,
            published_at=a.ends_at + timedelta(hours=rng.randint(2, 48)),
        )
        news.append(n)
        reports.append(
            ActivityReport(activity=a, summary=body[:120], body=body, author=organiser, news=n)
        )
    for _ in range(60):
        site = rng.choices(sites, weights=weights)[0]
        day = today - timedelta(days=rng.randrange(DAYS_BACK))
        news.append(
            News(
                site=site,
                region_id=site.region_id,
                kind=NewsKind.ANNOUNCEMENT,
                title=rng.choice(
                    ["开放时间调整公告", "志愿者招募公告", "场地维修通知", "节假日活动安排"]
                ),
                body=f"{site.name}：请相互转告。",
                author=organiser,
                published_at=_at(day, time(8, 30)),
            )
        )
    News.objects.bulk_create(news, batch_size=BATCH)
    ActivityReport.objects.bulk_create(reports, batch_size=BATCH)

    served = _volunteer_service(rng, ctx, activities)
    offline = sum(a.offline_audience for a in activities)
    ctx.data["activities"] = activities
    ctx.say(
        f"activities: {len(activities)} activities ({lectures} monthly online lectures), "
        f"{offline} offline + {online} online = {offline + online} person-times, "
        f"{len(booking_rows)} room bookings, {len(news)} news items, "
        f"{served} volunteer service records at activities"
    )


def _volunteer_service(rng, ctx: DemoContext, activities: list[Activity]) -> int:
    """Volunteers who served at finished activities: service records (source "activity")
    with their points, appended to each volunteer's ledger so the caches stay exact."""
    volunteers = ctx.data.get("volunteers") or list(Volunteer.objects.filter(is_active=True))
    if not volunteers:
        return 0
    by_region: dict[int, list] = {}
    for v in volunteers:
        by_region.setdefault(v.home_region_id, []).append(v)
    finished = [a for a in activities if a.state == ActivityState.FINISHED and a.is_offline]
    records = []
    for a in rng.sample(finished, min(1500, len(finished))):
        pool = by_region.get(a.region_id) or volunteers
        for v in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
            method = rng.choice([V.QR, V.QR, V.CODE, V.AUTO_CLOSED, V.LEADER])
            if v.location_consented_at and rng.random() < 0.3:
                method = V.GEOFENCE
            start = a.starts_at - timedelta(minutes=rng.choice([0, 10, 20, 30]))
            records.append(
                ServiceRecord(
                    volunteer=v,
                    team=a.team,
                    region_id=a.region_id,
                    description=a.title,
                    source_type=ServiceSource.ACTIVITY,
                    source_id=a.pk,
                    started_at=start,
                    ended_at=a.ends_at,
                    hours=hours_between(start, a.ends_at),
                    verification=method,
                    verified_by=None,
                    created_at=a.ends_at,  # recorded when the activity ended
                )
            )
    records.sort(key=lambda r: r.started_at)
    insert_objects(ServiceRecord, records)
    fresh = {v.pk: v for v in Volunteer.objects.filter(pk__in={r.volunteer_id for r in records})}
    entries = []
    for r in records:
        v = fresh[r.volunteer_id]
        points = points_for_hours(r.hours)
        v.total_hours += r.hours
        v.points_balance += points
        entries.append(
            PointsEntry(
                volunteer=v,
                kind=PointsKind.EARN,
                delta=points,
                balance_after=v.points_balance,
                service_record=r,
                reason=r.description[:200],
                created_at=r.ended_at,
            )
        )
    insert_objects(PointsEntry, entries)
    Volunteer.objects.bulk_update(list(fresh.values()), ["total_hours", "points_balance"])
    return len(records)

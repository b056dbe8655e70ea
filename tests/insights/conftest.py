"""A demo-like city in miniature: sites of every level (one closed), teams, volunteers,
verified service across months, projects, activities with audiences, and orders in every
state with on-time and late steps, human and automatic ratings and follow-ups."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.factories import RegionFactory, SiteFactory, UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.activities.choices import ActivityState, Mode
from xinfeng.activities.models import Activity
from xinfeng.orders.choices import FollowUpStatus, OrderState
from xinfeng.orders.models import FollowUp, Order
from xinfeng.places.choices import SiteLevel
from xinfeng.places.models import PopulationPoint
from xinfeng.projects.choices import ProjectStatus
from xinfeng.projects.models import Project
from xinfeng.regions.choices import RegionLevel
from xinfeng.volunteers.choices import ServiceSource, TeamType, Verification
from xinfeng.volunteers.models import ServiceRecord, Team, Volunteer


def _volunteer(n, region, *, active=True, joined=None):
    v = Volunteer.objects.create(
        number=f"V{n:06d}", name=f"志愿者{n}", home_region=region, is_active=active
    )
    if joined is not None:
        Volunteer.objects.filter(pk=v.pk).update(created_at=joined)
    return v


def _service(volunteer, region, start, hours, team=None):
    return ServiceRecord.objects.create(
        volunteer=volunteer,
        team=team,
        region=region,
        source_type=ServiceSource.OTHER,
        started_at=start,
        ended_at=start + timedelta(hours=float(hours)),
        hours=Decimal(str(hours)),
        verification=Verification.LEADER,
    )


def _activity(site, start, state, *, checkin=0, extra=0, online=0, mode=Mode.OFFLINE):
    return Activity.objects.create(
        title=f"活动{site.pk}-{start:%m%d%H}",
        category="theory",
        site=site,
        region=site.region,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=50,
        state=state,
        mode=mode,
        checkin_count=checkin,
        extra_headcount=extra,
        online_viewers=online,
        cancel_reason="天气" if state == ActivityState.CANCELLED else "",
    )


def _order(site, region, state, *, ago_days=3, steps=(), late=(), rating=None, auto=False):
    """An order submitted ``ago_days`` ago that went through ``steps`` (each done one hour
    after the previous); steps in ``late`` were done after their deadline."""
    now = timezone.now()
    t = now - timedelta(days=ago_days)
    fields = {"submitted_at": t}
    done_names = {
        "review": "reviewed_at",
        "dispatch": "dispatched_at",
        "accept": "accepted_at",
        "start": "started_at",
        "complete": "completed_at",
        "rate": "rated_at",
    }
    dues = {
        "review": "review_due_at",
        "dispatch": "dispatch_due_at",
        "accept": "accept_due_at",
        "start": "start_due_at",
        "rate": "rate_due_at",
    }
    for step in ("review", "dispatch", "accept", "start", "complete", "rate"):
        if step in dues:
            # Each deadline is 2 h after the previous step; late steps take 3 h.
            fields[dues[step]] = t + timedelta(hours=2)
        if step not in steps:
            break
        t = t + timedelta(hours=3 if step in late else 1)
        fields[done_names[step]] = t
    if rating is not None:
        fields["rating_level"] = rating
        fields["rating_is_auto"] = auto
    return Order.objects.create(title="帮忙", region=region, site=site, state=state, **fields)


@pytest.fixture
def city(tree):
    """The ``tree`` (共青城市 → 苏家垱乡/水口村, 江益镇/江益村) filled with activity."""
    now = timezone.now()
    t = tree
    t.v3 = RegionFactory(
        name="江益居委会",
        short_name="江益社区",
        code="360482101202",
        level=RegionLevel.VILLAGE,
        parent=t.t2,
    )
    t.st3 = SiteFactory(
        name="江益社区实践站", level=SiteLevel.STATION, region=t.v3, parent=t.inst2, is_complex=True
    )
    t.pt1 = SiteFactory(name="王氏宗祠实践点", level=SiteLevel.POINT, region=t.v1, parent=t.st1)
    t.closed = SiteFactory(
        name="临时安置点",
        level=SiteLevel.POINT,
        region=t.v2,
        parent=t.st2,
        active_from=now - timedelta(days=30),
        active_until=now - timedelta(days=1),
    )
    t.st1.is_complex = True
    t.st1.save()
    teams = [
        Team.objects.create(
            name="总队", team_type=TeamType.GENERAL, home_site=t.center, region=t.city
        ),
        Team.objects.create(
            name="水口村服务队", team_type=TeamType.VILLAGE, home_site=t.st1, region=t.v1
        ),
        Team.objects.create(
            name="江益镇流动队", team_type=TeamType.MOBILE, home_site=t.inst2, region=t.t2
        ),
        Team.objects.create(
            name="停用队", team_type=TeamType.SOCIAL, home_site=t.st2, region=t.v2, is_active=False
        ),
    ]
    vols = [
        _volunteer(1, t.v1, joined=now - timedelta(days=40)),
        _volunteer(2, t.v1),
        _volunteer(3, t.v2, joined=now - timedelta(days=100)),
        _volunteer(4, t.v3),
        _volunteer(5, t.t1),
        _volunteer(6, t.v2, active=False),
    ]
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    this_month = max(month_start + timedelta(hours=10), now - timedelta(hours=30))
    if this_month > now:
        this_month = month_start
    records = [
        (vols[0], t.v1, this_month, "2.5", teams[1]),
        (vols[0], t.v2, this_month, "1.0", None),  # served outside home village
        (vols[2], t.v2, now - timedelta(days=62), "3.0", teams[2]),
        (vols[3], t.v3, now - timedelta(days=95), "4.25", None),
        (vols[1], t.v1, now - timedelta(days=420), "6.0", None),  # outside the 12-month window
        (vols[4], t.t1, now - timedelta(days=33), "1.5", None),
    ]
    for v, region, start, hours, team in records:
        _service(v, region, start, hours, team)
    Project.objects.create(
        name="颐养之家",
        category="elderly",
        site=t.st1,
        status=ProjectStatus.ACTIVE,
        is_provincial_demo=True,
    )
    Project.objects.create(
        name="白衣天使乡村行", category="health", site=t.inst2, status=ProjectStatus.ACTIVE
    )
    Project.objects.create(
        name="心连心课堂", category="children", site=t.st3, status=ProjectStatus.DECLARED
    )
    Project.objects.create(name="旧项目", category="law", site=t.st2, status=ProjectStatus.RETIRED)
    _activity(t.st1, now - timedelta(days=10), ActivityState.FINISHED, checkin=30, extra=5)
    _activity(
        t.st2,
        now - timedelta(days=70),
        ActivityState.FINISHED,
        checkin=12,
        online=80,
        mode=Mode.BOTH,
    )
    _activity(
        t.center, now - timedelta(days=40), ActivityState.FINISHED, online=300, mode=Mode.ONLINE
    )
    _activity(t.st3, now + timedelta(days=3), ActivityState.PUBLISHED)
    _activity(t.st2, now - timedelta(days=5), ActivityState.CANCELLED, checkin=0)
    _activity(t.st1, now + timedelta(days=5), ActivityState.DRAFT)
    S = OrderState
    orders = [
        _order(t.st1, t.v1, S.SUBMITTED, ago_days=0),  # review not yet due
        _order(t.st1, t.v1, S.SUBMITTED, ago_days=2),  # waiting past its review deadline
        _order(t.st2, t.v2, S.PENDING_DISPATCH, steps=("review",), late=("review",)),
        _order(t.st2, t.v2, S.DISPATCHED, steps=("review", "dispatch")),
        _order(
            t.st3,
            t.v3,
            S.IN_SERVICE,
            steps=("review", "dispatch", "accept", "start"),
            late=("accept",),
        ),
        _order(
            t.st1,
            t.v1,
            S.COMPLETED,
            ago_days=40,
            steps=("review", "dispatch", "accept", "start", "complete"),
        ),
        _order(
            t.st1,
            t.v1,
            S.RATED,
            ago_days=20,
            steps=("review", "dispatch", "accept", "start", "complete", "rate"),
            rating=5,
        ),
        _order(
            t.st2,
            t.v2,
            S.RATED,
            ago_days=9,
            steps=("review", "dispatch", "accept", "start", "complete", "rate"),
            late=("start",),
            rating=2,
        ),
        _order(
            t.st3,
            t.v3,
            S.RATED,
            ago_days=8,
            steps=("review", "dispatch", "accept", "start", "complete", "rate"),
            rating=4,
            auto=True,
        ),
        _order(t.st2, t.v2, S.REJECTED, steps=("review",)),
        _order(t.st1, t.v1, S.CANCELLED),
    ]
    FollowUp.objects.create(
        order=orders[7], site=t.st2, region=t.v2, opened_at=now, status=FollowUpStatus.OPEN
    )
    FollowUp.objects.create(
        order=orders[6], site=t.st1, region=t.v1, opened_at=now, status=FollowUpStatus.DONE
    )
    for region, weight in ((t.v1, 500), (t.v2, 800), (t.v3, 300)):
        PopulationPoint.objects.create(
            region=region, latitude=29.25, longitude=115.8, weight=weight
        )
    PopulationPoint.objects.create(region=t.v1, latitude=29.35, longitude=115.9, weight=200)
    t.teams, t.volunteers, t.orders = teams, vols, orders
    return t


@pytest.fixture
def leader(city):
    return grant(UserFactory(username="leader"), Role.LEADER, city.city)


@pytest.fixture
def township_leader(city):
    """A leader of 苏家垱乡 only."""
    return grant(UserFactory(username="t1leader"), Role.LEADER, city.t1)


@pytest.fixture
def plain_resident(city):
    return grant(UserFactory(username="resident"), Role.RESIDENT, city.v1)


def ns(**kw):
    return SimpleNamespace(**kw)

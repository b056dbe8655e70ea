"""Factories and helpers for volunteer tests."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from tests.factories import RegionFactory, SiteFactory
from xinfeng.volunteers.choices import MembershipRole, MembershipStatus, ServiceSource, TeamType
from xinfeng.volunteers.identity import resident_id_check_char
from xinfeng.volunteers.models import Reward, Team, TeamMembership, Volunteer
from xinfeng.volunteers.services.ledger import service_record_create
from xinfeng.volunteers.services.profiles import PRIVACY_NOTICE_VERSION


def make_id(birth: date = date(1990, 5, 17), seq: int = 123, area: str = "360482") -> str:
    """A resident ID number with a correct GB 11643 check character."""
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    try:
        d = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        d = today.replace(year=today.year - years, day=28)
    return d - timedelta(days=days)


def registration_data(region, **overrides) -> dict:
    data = {
        "name": "李志强",
        "id_type": "resident_id",
        "id_number": make_id(),
        "phone": "13912345678",
        "home_region": region,
        "privacy_notice_version": PRIVACY_NOTICE_VERSION,
    }
    data.update(overrides)
    return data


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    number = factory.Sequence(lambda n: f"ZY2099{n:06d}")
    name = factory.Sequence(lambda n: f"志愿者{n}")
    birth_date = date(1985, 3, 1)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    home_region = factory.SubFactory(RegionFactory)
    privacy_notice_version = PRIVACY_NOTICE_VERSION


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"志愿服务队{n}")
    team_type = TeamType.VILLAGE
    home_site = factory.SubFactory(SiteFactory)
    region = factory.LazyAttribute(lambda o: o.home_site.region)


class RewardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reward

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"洗衣液{n}")
    points_cost = 50
    stock = 10


def member(team, volunteer, role=MembershipRole.MEMBER) -> TeamMembership:
    return TeamMembership.objects.create(
        team=team,
        volunteer=volunteer,
        role=role,
        status=MembershipStatus.ACTIVE,
        joined_at=timezone.now(),
    )


def credit(volunteer, region, hours: float = 2, days_ago: int = 3, **kw):
    """Credit ``hours`` of verified service ending ``days_ago`` days ago."""
    end = timezone.now() - timedelta(days=days_ago)
    start = end - timedelta(hours=hours)
    kw.setdefault("source_type", ServiceSource.OTHER)
    return service_record_create(
        volunteer=volunteer, region=region, started_at=start, ended_at=end, **kw
    )

"""Helpers for volunteer tests (model factories are in tests/factories.py, re-exported here
for the tests that import them from this module)."""

from datetime import date, timedelta

from django.utils import timezone

from tests.factories import RewardFactory, TeamFactory, VolunteerFactory, join
from xinfeng.volunteers.choices import MembershipRole, ServiceSource
from xinfeng.volunteers.identity import resident_id_check_char
from xinfeng.volunteers.models import TeamMembership
from xinfeng.volunteers.services.ledger import service_record_create
from xinfeng.volunteers.services.profiles import PRIVACY_NOTICE_VERSION

__all__ = [
    "RewardFactory",
    "TeamFactory",
    "VolunteerFactory",
    "credit",
    "make_id",
    "member",
    "registration_data",
    "years_ago",
]


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


def member(team, volunteer, role=MembershipRole.MEMBER) -> TeamMembership:
    """``join`` (tests/factories.py) with the role spelled out."""
    return join(team, volunteer, leader=role == MembershipRole.LEADER)


def credit(volunteer, region, hours: float = 2, days_ago: int = 3, **kw):
    """Credit ``hours`` of verified service ending ``days_ago`` days ago."""
    end = timezone.now() - timedelta(days=days_ago)
    start = end - timedelta(hours=hours)
    kw.setdefault("source_type", ServiceSource.OTHER)
    return service_record_create(
        volunteer=volunteer, region=region, started_at=start, ended_at=end, **kw
    )

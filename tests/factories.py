"""One factory per model, for every test: the foundation (regions, sites, rooms, users and
roles), volunteers, teams and memberships, projects, rewards. Helpers that build several
rows for one app's tests (an order in a given state, a credited service record, a valid ID
number) live in tests/<app>/factories.py and use these."""

from datetime import date

import factory
from django.utils import timezone

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment, User
from xinfeng.places.choices import SiteLevel
from xinfeng.places.models import Site, Venue
from xinfeng.projects.choices import ProjectStatus
from xinfeng.projects.models import Project
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import MembershipRole, MembershipStatus, TeamType
from xinfeng.volunteers.models import Reward, Team, TeamMembership, Volunteer
from xinfeng.volunteers.services.profiles import PRIVACY_NOTICE_VERSION


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"区划{n}")
    level = RegionLevel.VILLAGE
    latitude = 29.25
    longitude = 115.8


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"实践站{n}")
    level = SiteLevel.STATION
    region = factory.SubFactory(RegionFactory)
    latitude = 29.25
    longitude = 115.8


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"活动室{n}")
    capacity = 40
    uses = ["study"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-12345")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


def grant(user: User, role: Role | str, region: Region) -> User:
    RoleAssignment.objects.create(user=user, role=role, region=region)
    user.__dict__.pop("_xf_roles", None)
    return user


class VolunteerFactory(factory.django.DjangoModelFactory):
    """A registered adult volunteer with a phone and a home village, without a login
    (``with_user=True`` gives them one; or pass ``user=``)."""

    class Meta:
        model = Volunteer

    class Params:
        with_user = factory.Trait(user=factory.SubFactory(UserFactory))

    number = factory.Sequence(lambda n: f"ZY2099{n:06d}")
    name = factory.Sequence(lambda n: f"志愿者{n}")
    birth_date = date(1985, 3, 1)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    home_region = factory.SubFactory(RegionFactory)
    privacy_notice_version = PRIVACY_NOTICE_VERSION


class TeamFactory(factory.django.DjangoModelFactory):
    """A village team based at a site, its area that site's region unless given."""

    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"志愿服务队{n}")
    team_type = TeamType.VILLAGE
    home_site = factory.SubFactory(SiteFactory)
    region = factory.LazyAttribute(lambda o: o.home_site.region)


def join(team: Team, volunteer: Volunteer, *, leader: bool = False) -> TeamMembership:
    """An active membership of ``volunteer`` in ``team`` (as its leader with ``leader``)."""
    return TeamMembership.objects.create(
        team=team,
        volunteer=volunteer,
        role=MembershipRole.LEADER if leader else MembershipRole.MEMBER,
        status=MembershipStatus.ACTIVE,
        joined_at=timezone.now(),
    )


class ProjectFactory(factory.django.DjangoModelFactory):
    """An active health service project (pass ``site`` and ``region``)."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"服务项目{n}")
    category = "health"
    status = ProjectStatus.ACTIVE


class RewardFactory(factory.django.DjangoModelFactory):
    """A reward of a site's points exchange (爱心超市), 50 points, 10 in stock."""

    class Meta:
        model = Reward

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"洗衣液{n}")
    points_cost = 50
    stock = 10

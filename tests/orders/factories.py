"""Factories for volunteers, teams, projects and orders used by the order tests."""

from datetime import date

import factory
from django.utils import timezone

from xinfeng.orders.models import Order
from xinfeng.projects.choices import ProjectStatus
from xinfeng.projects.models import Project
from xinfeng.volunteers.choices import MembershipRole, MembershipStatus, TeamType
from xinfeng.volunteers.models import Team, TeamMembership, Volunteer

from ..factories import UserFactory


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    number = factory.Sequence(lambda n: f"V{n:08d}")
    name = factory.Sequence(lambda n: f"志愿者{n}")
    birth_date = date(1990, 5, 1)
    user = factory.SubFactory(UserFactory)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"服务队{n}")
    team_type = TeamType.VILLAGE
    capacity = 3


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"服务项目{n}")
    category = "health"
    status = ProjectStatus.ACTIVE


def join(team: Team, volunteer: Volunteer, *, leader: bool = False) -> TeamMembership:
    return TeamMembership.objects.create(
        team=team,
        volunteer=volunteer,
        role=MembershipRole.LEADER if leader else MembershipRole.MEMBER,
        status=MembershipStatus.ACTIVE,
        joined_at=timezone.now(),
    )


def make_order(**kw) -> Order:
    now = timezone.now()
    kw.setdefault("title", "帮忙体检")
    kw.setdefault("submitted_at", now)
    return Order.objects.create(**kw)

"""A small world for the order workflow: a station and its operator, a resident, an
active project, three teams (A and B can serve 水口村, C is across the city) with leaders
and members (one of them a minor)."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.utils import timezone

from xinfeng.accounts.choices import Role
from xinfeng.orders.choices import AssignmentStatus, OrderState
from xinfeng.orders.models import OrderAssignment, OrderRating

from ..factories import ProjectFactory, TeamFactory, UserFactory, VolunteerFactory, grant, join
from .factories import make_order


@pytest.fixture
def world(tree, resident, owner, outsider, sysadmin):
    operator = grant(UserFactory(username="operator"), Role.STATION_OPERATOR, tree.v1)
    tree.st1.operators.add(operator)
    upper = grant(UserFactory(username="upper"), Role.INSTITUTE_ADMIN, tree.t1)
    stranger = grant(UserFactory(username="stranger"), Role.RESIDENT, tree.v1)
    project = ProjectFactory(name="白衣天使乡村行", site=tree.st1, region=tree.v1)
    team_a = TeamFactory(
        name="水口村卫生服务队", home_site=tree.st1, region=tree.v1, service_categories=["health"]
    )
    team_b = TeamFactory(
        name="苏家垱乡志愿服务队", home_site=tree.inst1, region=tree.t1, service_categories=[]
    )
    team_c = TeamFactory(
        name="江益镇志愿服务队", home_site=tree.inst2, region=tree.t2, service_categories=[]
    )
    v1 = tree.v1
    leader_a = VolunteerFactory(
        name="陈队长", home_region=v1, user=UserFactory(username="leader_a")
    )
    member_a = VolunteerFactory(
        name="李队员", home_region=v1, user=UserFactory(username="member_a")
    )
    minor_a = VolunteerFactory(
        name="小明",
        home_region=v1,
        birth_date=date(timezone.localdate().year - 12, 1, 1),
        user=UserFactory(username="minor_a"),
    )
    leader_b = VolunteerFactory(
        name="王队长", home_region=v1, user=UserFactory(username="leader_b")
    )
    leader_c = VolunteerFactory(
        name="赵队长", home_region=tree.v2, user=UserFactory(username="leader_c")
    )
    join(team_a, leader_a, leader=True)
    join(team_a, member_a)
    join(team_a, minor_a)
    join(team_b, leader_b, leader=True)
    join(team_c, leader_c, leader=True)
    return SimpleNamespace(
        tree=tree,
        resident=resident,
        stranger=stranger,
        operator=operator,
        owner=owner,
        upper=upper,
        outsider=outsider,
        sysadmin=sysadmin,
        project=project,
        team_a=team_a,
        team_b=team_b,
        team_c=team_c,
        leader_a=leader_a,
        member_a=member_a,
        minor_a=minor_a,
        leader_b=leader_b,
        leader_c=leader_c,
    )


TEAM_STATES = (
    OrderState.DISPATCHED,
    OrderState.ACCEPTED,
    OrderState.IN_SERVICE,
    OrderState.COMPLETED,
    OrderState.RATED,
)


@pytest.fixture
def build(world):
    """``build(state, is_open=False)`` → an order of the resident's in that state, with the
    fields and rows that state implies (team A, a confirmed member, a rating)."""

    def _build(state, *, is_open=False, **extra):
        now = timezone.now()
        fields = {
            "project": world.project,
            "category": "health",
            "requester": world.resident,
            "created_by": world.resident,
            "region": world.tree.v1,
            "site": world.tree.st1,
            "state": state,
            "is_open": is_open,
            "contact_name": "王秀兰",
            "contact_phone": "13800000001",
        }
        if state in TEAM_STATES:
            fields.update(team=world.team_a, dispatched_at=now)
        if state in TEAM_STATES[1:]:
            fields.update(accepted_at=now)
        if state in (OrderState.IN_SERVICE, OrderState.COMPLETED, OrderState.RATED):
            fields.update(started_at=now)
        if state in (OrderState.COMPLETED, OrderState.RATED):
            fields.update(completed_at=now, report="已完成")
        fields.update(extra)
        order = make_order(**fields)
        if state in TEAM_STATES[1:]:
            OrderAssignment.objects.create(
                order=order,
                volunteer=world.member_a,
                status=AssignmentStatus.CONFIRMED,
                invited_at=now,
                answered_at=now,
                checked_in_at=now if state != OrderState.ACCEPTED else None,
            )
        if state == OrderState.RATED:
            OrderRating.objects.create(order=order, level=5, rater=world.resident, created_at=now)
            order.rated_at = now
            order.rating_level = 5
            order.save(update_fields=["rated_at", "rating_level"])
        return order

    return _build

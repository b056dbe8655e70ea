"""A flood world: 苏家垱乡 (t1) with 水口村 (v1), its institute admin (owner), a station
operator at 水口村, a city center admin, an outsider institute admin of 江益镇 (t2), a
24-hour rescue team at the city center with adult members, a minor, and a volunteer living
in 江益村 (v2) whose home village is 水口村 (a returnee)."""

from datetime import date
from types import SimpleNamespace

import pytest

from xinfeng.accounts.choices import Role
from xinfeng.emergency.models import EmergencyProfile
from xinfeng.emergency.services.incidents import incident_declare

from ..factories import TeamFactory, UserFactory, VolunteerFactory, grant, join


def volunteer(region, name, **kw):
    user = UserFactory(username=f"v_{name}", phone=kw.pop("phone", None))
    return VolunteerFactory(home_region=region, user=user, name=name, **kw)


@pytest.fixture
def ew(tree, owner, outsider):
    center_admin = grant(UserFactory(username="center"), Role.CENTER_ADMIN, tree.city)
    operator = grant(UserFactory(username="operator"), Role.STATION_OPERATOR, tree.v1)
    rescue = TeamFactory(
        name="蓝天救援队", home_site=tree.center, region=tree.city, standby_24h=True
    )
    village_team = TeamFactory(name="水口村防汛队", home_site=tree.st1, region=tree.v1)
    a = volunteer(tree.v1, "张三", phone="13900000001")
    b = volunteer(tree.v1, "李四", phone="13900000002")
    c = volunteer(tree.v1, "王五", phone="13900000003")
    minor = volunteer(tree.v1, "小明", birth_date=date.today().replace(year=date.today().year - 15))
    returnee = volunteer(tree.v2, "赵六", phone="13900000006")
    far = volunteer(tree.v2, "钱七")  # lives in 江益村, home village elsewhere: not called
    EmergencyProfile.objects.create(volunteer=a, skills=["boat", "swimming"])
    EmergencyProfile.objects.create(volunteer=b, skills=["first_aid"])
    EmergencyProfile.objects.create(volunteer=returnee, skills=["swimming"], home_village=tree.v1)
    for v in (a, b, minor):
        join(rescue, v)
    join(village_team, c)
    leader = volunteer(tree.v1, "队长")
    join(rescue, leader, leader=True)
    return SimpleNamespace(
        tree=tree,
        owner=owner,
        outsider=outsider,
        center_admin=center_admin,
        operator=operator,
        rescue=rescue,
        village_team=village_team,
        a=a,
        b=b,
        c=c,
        minor=minor,
        returnee=returnee,
        far=far,
        leader=leader,
    )


@pytest.fixture
def flood(ew):
    return incident_declare(
        actor=ew.owner,
        region=ew.tree.t1,
        title="苏家垱乡洪涝",
        kind="flood",
        level=3,
        affected_regions=[ew.tree.v1],
    )

"""The audit log and rollup admins are scoped for non-superuser staff (issue 10, defect 6):
a station operator sees the events of people working inside their area, never city-wide
actors or their addresses; region figures only of their subtree; rollup runs not at all."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.core.models import AuditEvent
from xinfeng.insights.rollup import run_rollup


def staff_user(username, role, region, *perms):
    user = grant(UserFactory(username=username, is_staff=True), role, region)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def events(tree):
    village_volunteer = grant(UserFactory(username="vv"), Role.VOLUNTEER, tree.v1)
    station = grant(UserFactory(username="st1op"), Role.STATION_OPERATOR, tree.v1)
    city_admin = grant(UserFactory(username="cityadm"), Role.CENTER_ADMIN, tree.city)
    other_village = grant(UserFactory(username="v2op"), Role.STATION_OPERATOR, tree.v2)
    both = grant(
        grant(UserFactory(username="both"), Role.STATION_OPERATOR, tree.v1), Role.LEADER, tree.city
    )
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    rows = {}
    for name, actor, ip in [
        ("volunteer", village_volunteer, "198.51.100.1"),
        ("station", station, "198.51.100.2"),
        ("city", city_admin, "203.0.113.99"),
        ("elsewhere", other_village, "198.51.100.3"),
        ("both", both, "198.51.100.4"),
        ("root", root, "198.51.100.5"),
        ("anonymous", None, "192.0.2.77"),
    ]:
        rows[name] = AuditEvent.objects.create(
            action=f"test_{name}", actor=actor, object_type="x", object_id="1", ip=ip
        )
    return rows


def test_station_operator_sees_only_events_of_people_inside_their_area(tree, events):
    op = staff_user("adminop", Role.STATION_OPERATOR, tree.v1, "view_auditevent")
    c = Client()
    c.force_login(op)
    page = c.get("/admin/core/auditevent/")
    assert page.status_code == 200
    html = page.content.decode()
    for shown in ("test_volunteer", "test_station"):
        assert shown in html
    for hidden in ("test_city", "test_elsewhere", "test_both", "test_root", "test_anonymous"):
        assert hidden not in html
    assert "203.0.113.99" not in html and "192.0.2.77" not in html
    # A hidden event's own page is not reachable either.
    r = c.get(f"/admin/core/auditevent/{events['city'].pk}/change/")
    assert r.status_code in (302, 404) and "203.0.113.99" not in r.content.decode()


def test_township_admin_sees_their_villages_too(tree, events):
    inst = staff_user("t1adm", Role.INSTITUTE_ADMIN, tree.t1, "view_auditevent")
    c = Client()
    c.force_login(inst)
    html = c.get("/admin/core/auditevent/").content.decode()
    assert "test_station" in html and "test_city" not in html and "test_elsewhere" not in html


def test_system_administrators_see_everything(tree, events):
    c = Client()
    c.force_login(UserFactory(username="su", is_staff=True, is_superuser=True))
    html = c.get("/admin/core/auditevent/").content.decode()
    assert all(f"test_{name}" in html for name in events)


def test_staff_without_a_staff_role_see_nothing(tree, events):
    nobody = UserFactory(username="bare", is_staff=True)
    nobody.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    c = Client()
    c.force_login(nobody)
    html = c.get("/admin/core/auditevent/").content.decode()
    assert not any(f"test_{name}" in html for name in events)


def test_region_figures_scoped_and_rollup_runs_for_system_administrators_only(tree):
    run_rollup()
    op = staff_user("statop", Role.STATION_OPERATOR, tree.v1, "view_regionstat", "view_rolluprun")
    c = Client()
    c.force_login(op)
    html = c.get("/admin/insights/regionstat/").content.decode()
    assert "水口村" in html
    assert "江益村" not in html and "共青城市" not in html and "江益镇" not in html
    assert c.get("/admin/insights/rolluprun/").status_code == 403
    sysadm = staff_user("sys", Role.SYSTEM_ADMIN, tree.city, "view_regionstat")
    c.force_login(sysadm)
    assert c.get("/admin/insights/rolluprun/").status_code == 200
    assert "江益村" in c.get("/admin/insights/regionstat/").content.decode()

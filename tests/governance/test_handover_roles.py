"""A handover gives the successor the predecessor's staff role at the site (#19): the open
orders and activities listed on the handover link to pages that only staff of the site's
region open. The predecessor's role ends with the post, unless they keep another post in
that region; a predecessor without a role there hands none over."""

import json
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import SiteFactory, UserFactory, grant
from tests.orders.factories import make_order
from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment
from xinfeng.core.models import AuditEvent
from xinfeng.governance.choices import StaffKind
from xinfeng.governance.models import Handover, SiteStaff
from xinfeng.places.choices import SiteLevel

from .factories import term

pytestmark = pytest.mark.django_db


@pytest.fixture
def township_admin(tree):
    return grant(UserFactory(username="t1-admin"), Role.INSTITUTE_ADMIN, tree.t1)


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _hand_over(township_admin, site, successor, **extra):
    r = _as(township_admin).post(
        f"/api/v1/governance/sites/{site.pk}/handovers",
        json.dumps({"successor_id": successor.pk, "on": timezone.localdate().isoformat(), **extra}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    return Handover.objects.get(pk=r.json()["id"])


def _roles(user, region) -> set[str]:
    return set(
        RoleAssignment.objects.filter(user=user, region=region).values_list("role", flat=True)
    )


def test_the_successor_takes_the_role_and_the_predecessor_loses_it(tree, township_admin):
    old = grant(UserFactory(display_name="老站长"), Role.STATION_OPERATOR, tree.v1)
    tree.st1.operators.add(old)
    term(tree.st1, old, post="站长", starts_on=date(2021, 10, 1))
    order = make_order(region=tree.v1, site=tree.st1, title="帮老人修水管", state="submitted")
    successor = UserFactory(display_name="新站长")
    page = f"/orders/{order.pk}/"
    assert _as(old).get(page).status_code == 200
    assert _as(successor).get(page).status_code == 404  # before: no role, like missing

    h = _hand_over(township_admin, tree.st1, successor)

    assert {i["id"] for i in h.open_items if i["kind"] == "order"} == {order.pk}
    assert _roles(successor, tree.v1) == {Role.STATION_OPERATOR}
    assert _roles(old, tree.v1) == set()
    assert set(tree.st1.operators.all()) == {successor}
    # The listed order's page opens for the successor and no longer for the predecessor.
    assert _as(successor).get(page).status_code == 200
    assert _as(old).get(page).status_code == 404
    # The successor still reads the handover; the predecessor too (it names them).
    assert _as(successor).get(f"/governance/handovers/{h.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="governance_handover_roles")
    assert (event.actor_id, event.object_id) == (township_admin.pk, str(h.pk))
    assert event.detail["roles"] == [Role.STATION_OPERATOR]
    assert (event.detail["successor"], event.detail["predecessor"]) == (successor.pk, old.pk)
    assert event.detail["predecessor_keeps_roles"] is False


def test_a_predecessor_with_another_post_in_the_region_keeps_the_role(tree, township_admin):
    old = grant(UserFactory(), Role.STATION_OPERATOR, tree.v1)
    other = SiteFactory(name="水口村第二站", level=SiteLevel.STATION, region=tree.v1)
    SiteStaff.objects.create(
        site=other, user=old, name="老站长", kind=StaffKind.FULL_TIME, starts_on=date(2022, 1, 1)
    )
    term(tree.st1, old, starts_on=date(2021, 10, 1))
    order = make_order(region=tree.v1, site=tree.st1, state="submitted")
    successor = UserFactory()

    _hand_over(township_admin, tree.st1, successor)

    assert _roles(successor, tree.v1) == {Role.STATION_OPERATOR}
    assert _roles(old, tree.v1) == {Role.STATION_OPERATOR}
    assert _as(old).get(f"/orders/{order.pk}/").status_code == 200
    assert AuditEvent.objects.get(action="governance_handover_roles").detail[
        "predecessor_keeps_roles"
    ]


def test_only_the_site_roles_at_the_site_region_are_handed_over(tree, township_admin):
    """A role elsewhere, or a system administrator's, stays with its holder; a staff-post
    handover hands over the role of the staff member's account."""
    old = grant(UserFactory(), Role.STATION_OPERATOR, tree.v1)
    grant(old, Role.INSTITUTE_ADMIN, tree.t2)
    grant(old, Role.SYSTEM_ADMIN, tree.v1)
    post = SiteStaff.objects.create(
        site=tree.st1,
        user=old,
        name="宣传员",
        kind=StaffKind.PROPAGANDIST,
        starts_on=date(2022, 1, 1),
    )
    successor = UserFactory()

    _hand_over(township_admin, tree.st1, successor, kind="staff", staff_id=post.pk)

    assert _roles(successor, tree.v1) == {Role.STATION_OPERATOR}
    assert RoleAssignment.objects.filter(user=successor).count() == 1
    assert _roles(old, tree.v1) == {Role.SYSTEM_ADMIN}
    assert _roles(old, tree.t2) == {Role.INSTITUTE_ADMIN}


def test_a_predecessor_without_a_role_hands_none_over(tree, township_admin):
    old = UserFactory()
    term(tree.st1, old, starts_on=date(2021, 10, 1))
    successor = UserFactory()

    _hand_over(township_admin, tree.st1, successor)

    assert not RoleAssignment.objects.filter(user=successor).exists()
    assert not AuditEvent.objects.filter(action="governance_handover_roles").exists()


def test_a_handover_dated_ahead_moves_the_roles_on_its_date(tree, township_admin):
    """Recorded a week ahead, the predecessor keeps the role until the handover's date; on
    that date the worker's job moves it, once, however often the job runs."""
    from datetime import timedelta

    from xinfeng.governance.services.responsibility import handover_roles_due

    old = grant(UserFactory(), Role.STATION_OPERATOR, tree.v1)
    tree.st1.operators.add(old)
    term(tree.st1, old, starts_on=date(2021, 10, 1))
    order = make_order(region=tree.v1, site=tree.st1, state="submitted")
    successor = UserFactory()
    on = timezone.localdate() + timedelta(days=7)

    h = _hand_over(township_admin, tree.st1, successor, on=on.isoformat())

    assert h.roles_moved_at is None
    assert _roles(old, tree.v1) == {Role.STATION_OPERATOR}
    assert _roles(successor, tree.v1) == set()
    assert _as(old).get(f"/orders/{order.pk}/").status_code == 200
    page = _as(township_admin).get(f"/governance/handovers/{h.pk}/")
    assert "将于" in page.content.decode() and on.isoformat() in page.content.decode()
    assert handover_roles_due(today=on - timedelta(days=1)) == 0
    assert _roles(successor, tree.v1) == set()

    assert handover_roles_due(today=on) == 1
    assert handover_roles_due(today=on) == 0

    h.refresh_from_db()
    assert h.roles_moved_at is not None
    assert _roles(successor, tree.v1) == {Role.STATION_OPERATOR}
    assert _roles(old, tree.v1) == set()
    assert set(tree.st1.operators.all()) == {successor}
    assert _as(successor).get(f"/orders/{order.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="governance_handover_roles")
    assert (event.actor_id, event.object_id) == (township_admin.pk, str(h.pk))


def test_a_handover_dated_today_stamps_when_the_roles_moved(tree, township_admin):
    old = grant(UserFactory(), Role.STATION_OPERATOR, tree.v1)
    term(tree.st1, old, starts_on=date(2021, 10, 1))
    h = _hand_over(township_admin, tree.st1, UserFactory())
    assert h.roles_moved_at is not None
    from xinfeng.governance.services.responsibility import handover_roles_due

    assert handover_roles_due() == 0

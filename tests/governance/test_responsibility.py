"""一把手 terms, staff and handovers: the rules (dates, one responsible person at a time,
appointed by the level above), the open items a successor gets, scope from three sides,
the public site page and the gaps flagged to the level above."""

import json
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory, grant
from tests.orders.factories import make_order
from xinfeng.accounts.choices import Role
from xinfeng.activities.models import Activity
from xinfeng.governance.models import Handover, ResponsibleTerm, SiteGapNotice
from xinfeng.governance.services.responsibility import gap_notices_refresh
from xinfeng.notifications.models import Notification

from .factories import staff, term

pytestmark = pytest.mark.django_db


@pytest.fixture
def township_admin(tree):
    return grant(UserFactory(username="t1-admin"), Role.INSTITUTE_ADMIN, tree.t1)


def post(client, url, body):
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


def test_a_term_that_ends_before_it_starts_is_a_400_in_chinese(api_as, tree, township_admin):
    secretary = UserFactory()
    r = post(
        api_as(township_admin),
        f"/api/v1/governance/sites/{tree.st1.pk}/terms",
        {
            "user_id": secretary.pk,
            "post": "村党支部书记",
            "starts_on": "2024-05-01",
            "ends_on": "2024-04-01",
        },
    )
    assert r.status_code == 400
    assert "任期结束日期不能早于开始日期" in r.json()["detail"]
    assert not ResponsibleTerm.objects.exists()


def test_two_current_responsible_persons_at_one_site_is_a_409(api_as, tree, township_admin):
    client = api_as(township_admin)
    url = f"/api/v1/governance/sites/{tree.st1.pk}/terms"
    first = post(
        client, url, {"user_id": UserFactory().pk, "post": "书记", "starts_on": "2024-01-01"}
    )
    assert first.status_code == 201
    second = post(
        client, url, {"user_id": UserFactory().pk, "post": "书记", "starts_on": "2024-06-01"}
    )
    assert second.status_code == 409
    assert "已有一把手" in second.json()["detail"]
    assert ResponsibleTerm.objects.filter(site=tree.st1).count() == 1


def test_the_database_refuses_two_open_terms_and_a_reversed_term(tree):
    term(tree.st1)
    with pytest.raises(IntegrityError), transaction.atomic():
        term(tree.st1)
    with pytest.raises(IntegrityError), transaction.atomic():
        term(tree.st2, starts_on=date(2024, 5, 1), ends_on=date(2024, 4, 1))


def test_the_level_above_appoints_not_the_station_itself(api_as, tree):
    operator = grant(UserFactory(), Role.STATION_OPERATOR, tree.v1)
    r = post(
        api_as(operator),
        f"/api/v1/governance/sites/{tree.st1.pk}/terms",
        {"user_id": UserFactory().pk, "post": "书记", "starts_on": "2024-01-01"},
    )
    assert r.status_code == 403


def test_handover_keeps_the_open_items_for_the_successor(
    api_as, tree, township_admin, django_capture_on_commit_callbacks
):
    old = UserFactory(display_name="老书记")
    term(tree.st1, old, starts_on=date(2021, 10, 1))
    order = make_order(region=tree.v1, site=tree.st1, title="帮老人修水管", state="submitted")
    make_order(region=tree.v1, site=tree.st1, title="已评价的单", state="rated")
    now = timezone.now()
    activity = Activity.objects.create(
        title="重阳节敬老",
        category="theory",
        site=tree.st1,
        region=tree.v1,
        state="published",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
        capacity=30,
    )
    successor = UserFactory(display_name="新书记")
    with django_capture_on_commit_callbacks(execute=True):
        r = post(
            api_as(township_admin),
            f"/api/v1/governance/sites/{tree.st1.pk}/handovers",
            {"successor_id": successor.pk, "on": timezone.localdate().isoformat(), "note": "换届"},
        )
    assert r.status_code == 201, r.content
    h = Handover.objects.get()
    assert (h.predecessor_id, h.successor_id) == (old.pk, successor.pk)
    titles = {(i["kind"], i["title"]) for i in h.open_items}
    assert titles == {("order", "帮老人修水管"), ("activity", "重阳节敬老")}
    assert ResponsibleTerm.objects.get(
        site=tree.st1, user=old
    ).ends_on == timezone.localdate() - timedelta(days=1)
    current = ResponsibleTerm.objects.get(site=tree.st1, ends_on__isnull=True)
    assert (current.user_id, current.post) == (successor.pk, "村党支部书记")
    tree.st1.refresh_from_db()
    assert (tree.st1.responsible_user_id, tree.st1.responsible_name) == (successor.pk, "新书记")
    # The successor — with no staff role — reads the handover and its items; is notified.
    seen = api_as(successor).get(f"/api/v1/governance/handovers/{h.pk}").json()
    assert {i["title"] for i in seen["open_items"]} == {"帮老人修水管", "重阳节敬老"}
    assert f"/orders/{order.pk}/" in {i["url"] for i in seen["open_items"]}
    assert f"/activities/{activity.pk}/manage/" in {i["url"] for i in seen["open_items"]}
    assert Notification.objects.filter(recipient=successor, kind="governance_handover").exists()


def test_handover_on_a_day_before_the_predecessor_started_is_a_400(api_as, tree, township_admin):
    term(tree.st1, starts_on=timezone.localdate() - timedelta(days=5))
    r = post(
        api_as(township_admin),
        f"/api/v1/governance/sites/{tree.st1.pk}/handovers",
        {
            "successor_id": UserFactory().pk,
            "on": (timezone.localdate() - timedelta(days=30)).isoformat(),
        },
    )
    assert r.status_code == 400
    assert "交接日期" in r.json()["detail"]
    assert not Handover.objects.exists()


def test_bad_input_answers_4xx_never_500(api_as, tree, township_admin):
    client = api_as(township_admin)
    url = f"/api/v1/governance/sites/{tree.st1.pk}/handovers"
    assert post(client, url, {"successor_id": 999_999, "on": "2024-01-01"}).status_code == 400
    assert post(
        client, url, {"successor_id": UserFactory().pk, "on": "1990-01-01"}
    ).status_code in (400, 422)
    assert (
        post(
            client, url, {"successor_id": UserFactory().pk, "on": "2024-01-01", "kind": "x"}
        ).status_code
        == 400
    )
    assert post(client, url, {"on": "2024-01-01"}).status_code == 422
    bad_kind = post(
        client,
        f"/api/v1/governance/sites/{tree.st1.pk}/staff",
        {"name": "甲", "kind": "boss", "starts_on": "2024-01-01"},
    )
    assert bad_kind.status_code == 400


def test_scope_from_three_sides(api_as, tree, township_admin):
    h = Handover.objects.create(
        site=tree.st2, kind="responsible", successor_name="乙", handed_over_on=date(2024, 1, 1)
    )
    client = api_as(township_admin)
    # Another township's site and handover: 404, like missing ones.
    assert client.get(f"/api/v1/governance/sites/{tree.st2.pk}").status_code == 404
    assert client.get(f"/api/v1/governance/handovers/{h.pk}").status_code == 404
    r = post(
        client,
        f"/api/v1/governance/sites/{tree.st2.pk}/terms",
        {"user_id": UserFactory().pk, "post": "书记", "starts_on": "2024-01-01"},
    )
    assert r.status_code == 404
    assert tree.st2.pk not in {
        s["id"] for s in client.get("/api/v1/governance/sites").json()["items"]
    }
    # A reader without the right to appoint (a leader of the township): 403 on the write.
    leader = grant(UserFactory(), Role.LEADER, tree.t1)
    r = post(
        api_as(leader),
        f"/api/v1/governance/sites/{tree.st1.pk}/terms",
        {"user_id": UserFactory().pk, "post": "书记", "starts_on": "2024-01-01"},
    )
    assert r.status_code == 403
    # Anonymous: 401 on the API, the sign-in page for pages.
    assert Client().get("/api/v1/governance/sites").status_code == 401
    assert Client().get(f"/governance/sites/{tree.st1.pk}/").status_code == 302
    # Pages: the other township's site is a 404 too.
    page = Client()
    page.force_login(township_admin)
    assert page.get(f"/governance/sites/{tree.st2.pk}/").status_code == 404
    assert page.get(f"/governance/sites/{tree.st1.pk}/").status_code == 200


def test_the_public_site_page_shows_the_post_and_the_site_phone_never_a_private_one(client, tree):
    secretary = UserFactory(display_name="张书记", phone="13912345678")
    term(tree.st1, secretary, post="村党支部书记")
    type(tree.st1).objects.filter(pk=tree.st1.pk).update(phone="0792-4361234")
    html = client.get(f"/places/sites/{tree.st1.pk}/").content.decode()
    assert 'data-testid="responsible-post">村党支部书记<' in html
    assert "0792-4361234" in html
    assert "13912345678" not in html


def test_page_lists_search_and_show_empty_states(client, tree, township_admin):
    term(tree.st1)
    client.force_login(township_admin)
    html = client.get("/governance/").content.decode()
    assert "水口村实践站" in html and "苏家垱乡实践所" in html and "江益村实践站" not in html
    assert "没有符合条件的阵地" in client.get("/governance/?q=不存在的名字").content.decode()
    assert "暂无交接记录" in client.get("/governance/handovers/").content.decode()


def test_a_site_without_a_responsible_person_or_staff_is_flagged_to_the_level_above_once(
    tree, django_capture_on_commit_callbacks
):
    township_staff = grant(UserFactory(), Role.INSTITUTE_ADMIN, tree.t1)
    term(tree.center), staff(tree.center)
    term(tree.inst1), staff(tree.inst1)
    term(tree.inst2), staff(tree.inst2)
    term(tree.st2), staff(tree.st2)
    staff(tree.st1)  # 水口村: staff, but no responsible person
    with django_capture_on_commit_callbacks(execute=True):
        assert gap_notices_refresh() == {"new": 1, "closed": 0}
    assert set(SiteGapNotice.objects.values_list("site_id", "gap")) == {
        (tree.st1.pk, "no_responsible")
    }
    assert gap_notices_refresh() == {"new": 0, "closed": 0}
    term(tree.st1)
    assert gap_notices_refresh() == {"new": 0, "closed": 1}
    # The institute's staff (the level above 水口村) were told, once.
    assert Notification.objects.filter(recipient=township_staff, kind="governance_gap").count() == 1


def test_the_gaps_page_lists_what_the_level_above_must_fill(client, tree, township_admin):
    term(tree.inst1), staff(tree.inst1)
    staff(tree.st1)
    client.force_login(township_admin)
    html = client.get("/governance/gaps/").content.decode()
    assert "水口村实践站" in html and "无在任一把手" in html
    assert "苏家垱乡实践所" not in html


def test_the_dashboard_counts_sites_without_a_responsible_person_or_staff(tree):
    from xinfeng.insights.models import RegionStat
    from xinfeng.insights.rollup import run_rollup

    term(tree.center), staff(tree.center)
    term(tree.inst1)  # no staff
    staff(tree.st1)  # no responsible person
    run_rollup()
    city = RegionStat.objects.get(region=tree.city).figures
    t1 = RegionStat.objects.get(region=tree.t1).figures
    # 苏家垱乡: the institute lacks staff, 水口村 its secretary; 江益镇 lacks both twice.
    assert (t1["sites_without_responsible"], t1["sites_without_staff"]) == (1, 1)
    assert (city["sites_without_responsible"], city["sites_without_staff"]) == (3, 3)

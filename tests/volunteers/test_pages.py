"""Pages render for the people they are for, and bad input on forms gets a 4xx with the
service's message (never a 500)."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory
from tests.volunteers.factories import RewardFactory, TeamFactory, VolunteerFactory, credit, member
from xinfeng.volunteers.models import ServiceRecord
from xinfeng.volunteers.services.certificates import certificate_issue
from xinfeng.volunteers.services.exchange import reward_redeem


@pytest.fixture
def setup(tree, owner):
    v = VolunteerFactory(home_region=tree.v1, name="页面人", user=UserFactory())
    team = TeamFactory(home_site=tree.st1, name="页面队")
    member(team, v)
    rec = credit(v, tree.v1, hours=12, team=team, description="敬老院打扫")
    reward = RewardFactory(site=tree.st1, name="香皂", points_cost=10)
    reward_redeem(actor=v.user, reward=reward)
    certificate_issue(actor=owner, volunteer=v, issuer_site=tree.inst1)
    return v, team, rec


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize(
    "url,text",
    [
        ("/volunteers/", "页面人"),
        ("/volunteers/me/hours/", "敬老院打扫"),
        ("/volunteers/me/points/", "香皂"),
        ("/volunteers/me/certificates/", "ZM"),
        ("/volunteers/me/teams/", "页面队"),
        ("/volunteers/me/edit/", "新手机号"),
        ("/volunteers/exchange/", "香皂"),
        ("/volunteers/privacy/", "个人信息保护法"),
    ],
)
def test_volunteer_pages(setup, url, text):
    v, *_ = setup
    r = client_for(v.user).get(url)
    assert r.status_code == 200
    assert text in r.content.decode()


@pytest.mark.parametrize(
    "url,text",
    [
        ("/volunteers/manage/", "页面人"),
        ("/volunteers/manage/records/", "敬老院打扫"),
        ("/volunteers/manage/imports/", "下载导入模板"),
        ("/volunteers/manage/exchange/", "香皂"),
        ("/volunteers/teams/new/", "建立志愿服务队"),
    ],
)
def test_staff_pages(setup, owner, url, text):
    r = client_for(owner).get(url)
    assert r.status_code == 200
    assert text in r.content.decode()


def test_staff_detail_backfill_and_correct_forms(setup, owner, tree):
    v, _team, rec = setup
    c = client_for(owner)
    html = c.get(f"/volunteers/manage/{v.pk}/").content.decode()
    assert "页面人" in html and "139****" in html and v.phone not in html
    assert c.get(f"/volunteers/manage/{v.pk}/backfill/").status_code == 200
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    bad = {
        "region": tree.v1.pk,
        "started_at": (now - timedelta(hours=1)).strftime(fmt),
        "ended_at": (now - timedelta(hours=3)).strftime(fmt),
        "description": "补录",
    }
    r = c.post(f"/volunteers/manage/{v.pk}/backfill/", bad)
    assert r.status_code == 400 and "结束时间必须晚于开始时间" in r.content.decode()
    good = dict(bad, ended_at=(now - timedelta(minutes=30)).strftime(fmt), hours="0.5")
    assert c.post(f"/volunteers/manage/{v.pk}/backfill/", good).status_code == 302
    assert ServiceRecord.objects.filter(volunteer=v, is_backfill=True).count() == 1

    r = c.post(f"/volunteers/manage/records/{rec.pk}/correct/", {"hours": "-2", "reason": "x"})
    assert r.status_code == 400 and "大于 0" in r.content.decode()
    r = c.post(f"/volunteers/manage/records/{rec.pk}/correct/", {"hours": "10", "reason": "核对"})
    assert r.status_code == 302
    v.refresh_from_db()
    assert v.total_hours == 10 + 0.5


def test_reveal_on_page_needs_need_to_know(setup, outsider, owner):
    v, *_ = setup
    url = f"/volunteers/reveal/{v.pk}/phone/"
    assert client_for(outsider).post(url).status_code == 404
    r = client_for(owner).post(url)
    assert r.status_code == 200 and v.phone in r.content.decode()
    assert client_for(owner).post(f"/volunteers/reveal/{v.pk}/password/").status_code == 400


def test_staff_registration_page_refuses_bad_id(tree, owner):
    c = client_for(owner)
    data = {
        "name": "张三",
        "id_type": "resident_id",
        "id_number": "110105194912310021",
        "phone": "13900001111",
        "home_region": tree.v1.pk,
        "political_status": "masses",
        "privacy": "on",
    }
    r = c.post("/volunteers/manage/new/", data)
    assert r.status_code == 400 and "校验位不正确" in r.content.decode()
    data["id_number"] = "11010519491231002X"
    r = c.post("/volunteers/manage/new/", data)
    assert r.status_code == 302


def test_api_hours_bad_input_is_4xx(setup, owner, api_as, tree):
    v, *_ = setup
    now = timezone.now()

    def post(payload):
        return api_as(owner).post(
            "/api/v1/volunteers/records",
            json.dumps(payload, default=str),
            content_type="application/json",
        )

    base = {
        "volunteer_id": v.pk,
        "region_id": tree.v1.pk,
        "started_at": (now - timedelta(hours=3)).isoformat(),
        "ended_at": (now - timedelta(hours=1)).isoformat(),
        "description": "补录",
    }
    r = post(dict(base, hours="-1"))
    assert r.status_code == 400 and r.json()["code"] == "invalid_hours"
    r = post(dict(base, ended_at=(now - timedelta(hours=4)).isoformat()))
    assert r.status_code == 400 and r.json()["code"] == "end_before_start"
    r = post(dict(base, started_at="not a date"))
    assert r.status_code == 422
    r = post(dict(base, hours="1.5"))
    assert r.status_code == 201 and r.json()["is_backfill"] is True and r.json()["hours"] == "1.50"

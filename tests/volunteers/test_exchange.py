"""The love supermarket: redemption takes points and stock together; 409 when short."""

import json

import pytest

from tests.factories import UserFactory
from tests.volunteers.factories import RewardFactory, VolunteerFactory, credit
from xinfeng.volunteers.models import PointsEntry, Redemption, Reward


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def rich(tree):
    v = VolunteerFactory(home_region=tree.v1, user=UserFactory())
    credit(v, tree.v1, hours=10)  # 100 points
    v.refresh_from_db()
    return v


def test_redeem_takes_points_and_stock(tree, rich, api_as):
    reward = RewardFactory(site=tree.st1, points_cost=30, stock=2)
    r = post(api_as(rich.user), f"/api/v1/volunteers/rewards/{reward.pk}/redeem", {"quantity": 2})
    assert r.status_code == 201, r.content
    assert r.json()["points"] == 60 and len(r.json()["pickup_code"]) == 6
    rich.refresh_from_db()
    reward.refresh_from_db()
    assert rich.points_balance == 40 and reward.stock == 0
    entry = PointsEntry.objects.filter(volunteer=rich).order_by("-id").first()
    assert entry.kind == "redeem" and entry.delta == -60 and entry.redemption_id == r.json()["id"]


def test_out_of_stock_is_409_and_changes_nothing(tree, rich, api_as):
    reward = RewardFactory(site=tree.st1, points_cost=30, stock=0)
    r = post(api_as(rich.user), f"/api/v1/volunteers/rewards/{reward.pk}/redeem")
    assert r.status_code == 409 and r.json()["code"] == "out_of_stock"
    rich.refresh_from_db()
    assert rich.points_balance == 100


def test_insufficient_points_is_409(tree, rich, api_as):
    reward = RewardFactory(site=tree.st1, points_cost=500, stock=3)
    r = post(api_as(rich.user), f"/api/v1/volunteers/rewards/{reward.pk}/redeem")
    assert r.status_code == 409 and r.json()["code"] == "insufficient_points"
    assert "积分不足" in r.json()["detail"]
    assert Reward.objects.get(pk=reward.pk).stock == 3


def test_bad_quantity_is_422(tree, rich, api_as):
    reward = RewardFactory(site=tree.st1)
    r = post(api_as(rich.user), f"/api/v1/volunteers/rewards/{reward.pk}/redeem", {"quantity": 0})
    assert r.status_code == 422


def test_cancel_returns_points_and_stock(tree, rich, api_as):
    reward = RewardFactory(site=tree.st1, points_cost=30, stock=1)
    rid = post(api_as(rich.user), f"/api/v1/volunteers/rewards/{reward.pk}/redeem").json()["id"]
    r = post(
        api_as(rich.user), f"/api/v1/volunteers/redemptions/{rid}/cancel", {"reason": "不要了"}
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    rich.refresh_from_db()
    assert rich.points_balance == 100 and Reward.objects.get(pk=reward.pk).stock == 1
    again = post(api_as(rich.user), f"/api/v1/volunteers/redemptions/{rid}/cancel")
    assert again.status_code == 409


def test_staff_hands_over_with_pickup_code(tree, rich, owner, outsider, api_as):
    reward = RewardFactory(site=tree.st1, points_cost=30, stock=1)
    red = post(api_as(rich.user), f"/api/v1/volunteers/rewards/{reward.pk}/redeem").json()
    url = f"/api/v1/volunteers/redemptions/{red['id']}/deliver"
    assert post(api_as(outsider), url, {"pickup_code": red["pickup_code"]}).status_code == 404
    wrong = "000000" if red["pickup_code"] != "000000" else "111111"
    assert post(api_as(owner), url, {"pickup_code": wrong}).status_code == 400
    r = post(api_as(owner), url, {"pickup_code": red["pickup_code"]})
    assert r.status_code == 200 and r.json()["status"] == "delivered"
    assert Redemption.objects.get().closed_by == owner


def test_reward_stock_and_restock_need_site_staff(tree, owner, outsider, api_as):
    data = {"site_id": tree.st1.pk, "name": "大米 5kg", "points_cost": 200, "stock": 5}
    assert post(api_as(outsider), "/api/v1/volunteers/rewards", data).status_code == 403
    r = post(api_as(owner), "/api/v1/volunteers/rewards", data)
    assert r.status_code == 201
    rid = r.json()["id"]
    assert (
        post(api_as(owner), f"/api/v1/volunteers/rewards/{rid}/restock", {"delta": -9}).status_code
        == 409
    )
    r = post(api_as(owner), f"/api/v1/volunteers/rewards/{rid}/restock", {"delta": 3})
    assert r.json()["stock"] == 8
    listed = api_as(owner).get(f"/api/v1/volunteers/rewards?site_id={tree.st1.pk}").json()
    assert [i["name"] for i in listed["items"]] == ["大米 5kg"]

"""Privacy rules of an order live once, in ``orders.presenters``: who may know who rated
(staff of the site and the requester, never the team) and when the contact is masked.
Tested on the presenter, then through the order page and the API, which must show what
the presenter says — no more, no less."""

import pytest

from xinfeng.core.masking import mask_phone
from xinfeng.orders.choices import OrderState
from xinfeng.orders.presenters import may_see_rater, present_events, present_order
from xinfeng.orders.selectors import order_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(world, build, api_as):
    """A completed order the resident rated through the API (a real rate event)."""
    order = build(OrderState.COMPLETED)
    resp = api_as(world.resident).post(
        f"/api/v1/orders/{order.pk}/rate", {"level": 4}, content_type="application/json"
    )
    assert resp.status_code == 200
    order.refresh_from_db()
    return order


def _viewers(world):
    return {
        "operator": world.operator,
        "requester": world.resident,
        "leader": world.leader_a.user,
        "member": world.member_a.user,
    }


def test_the_presenter_hides_the_rater_from_the_team(world, rated):
    rater = world.resident.name
    expected = {"operator": True, "requester": True, "leader": False, "member": False}
    for who, user in _viewers(world).items():
        assert may_see_rater(user, rated) is expected[who], who
        view = present_order(user, rated)
        assert (view["rating"]["rater_name"] == rater) is expected[who], who
        rows = present_events(user, rated, order_events(order=rated))
        rate = next(r for r in rows if r["action"] == "rate")
        assert (rate["actor_name"] == rater) is expected[who], who
        assert rate["actor_name"] in (rater, None)


def test_the_presenter_masks_the_contact_for_the_team_once_the_service_is_over(world, build):
    serving = build(OrderState.IN_SERVICE)
    done = build(OrderState.RATED)
    leader = world.leader_a.user
    assert present_order(leader, serving)["contact_phone"] == "13800000001"
    assert present_order(leader, done)["contact_phone"] == mask_phone("13800000001")
    assert present_order(world.operator, done)["contact_phone"] == "13800000001"
    assert present_order(world.resident, done)["contact_phone"] == "13800000001"


def test_page_and_api_show_exactly_what_the_presenter_says(client, api_as, world, rated):
    rater = world.resident.name
    for who, user in _viewers(world).items():
        view = present_order(user, rated)
        rows = present_events(user, rated, order_events(order=rated))
        # The API: the same rating, contact and timeline actors.
        api = api_as(user)
        data = api.get(f"/api/v1/orders/{rated.pk}").json()
        assert data["rating"]["rater_name"] == view["rating"]["rater_name"], who
        assert (data["contact_name"], data["contact_phone"]) == (
            view["contact_name"],
            view["contact_phone"],
        ), who
        events = api.get(f"/api/v1/orders/{rated.pk}/events").json()["items"]
        assert [e["actor_name"] for e in events] == [r["actor_name"] for r in rows], who
        # The page: the rater's name appears exactly when the presenter shows it; the
        # phone as the presenter gives it, the full number never when masked.
        client.force_login(user)
        html = client.get(f"/orders/{rated.pk}/").content.decode()
        assert (rater in html) is may_see_rater(user, rated), who
        assert view["contact_phone"] in html, who
        if view["contact_phone"] != "13800000001":
            assert "13800000001" not in html, who

"""Rating (评单): five levels, dimensions, the rater hidden from the team, a low rating
opens a follow-up (回访) that the site operator closes."""

import pytest

from xinfeng.notifications.models import Notification
from xinfeng.orders.choices import FollowUpStatus, OrderState
from xinfeng.orders.models import FollowUp, Order

pytestmark = pytest.mark.django_db


def _rate(client, order, body):
    return client.post(f"/api/v1/orders/{order.pk}/rate", body, content_type="application/json")


def test_good_rating_closes_the_order(world, build, api_as):
    order = build(OrderState.COMPLETED)
    resp = _rate(
        api_as(world.resident),
        order,
        {"level": 5, "dimensions": {"attitude": 5, "quality": 4}, "comment": "很好"},
    )
    assert resp.status_code == 200
    data = resp.json()
    assert data["state"] == "rated" and data["rating"]["level_label"] == "非常满意"
    assert data["rating"]["dimensions"] == {"attitude": 5, "quality": 4}
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"level": 6},
        {"level": 0},
        {"level": 5, "dimensions": {"smell": 3}},
        {"level": 5, "dimensions": {"attitude": 9}},
    ],
)
def test_bad_ratings_are_refused(world, build, api_as, body):
    order = build(OrderState.COMPLETED)
    resp = _rate(api_as(world.resident), order, body)
    assert resp.status_code in (400, 422) and resp.json()["detail"]
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED


def test_team_never_sees_who_rated(world, build, api_as):
    order = build(OrderState.COMPLETED)
    _rate(api_as(world.resident), order, {"level": 4})
    for user in (world.leader_a.user, world.member_a.user):
        data = api_as(user).get(f"/api/v1/orders/{order.pk}").json()
        assert data["rating"]["level"] == 4 and data["rating"]["rater_name"] is None
        events = api_as(user).get(f"/api/v1/orders/{order.pk}/events").json()["items"]
        rate_event = next(e for e in events if e["action"] == "rate")
        assert rate_event["actor_name"] is None
    staff = api_as(world.operator).get(f"/api/v1/orders/{order.pk}").json()
    assert staff["rating"]["rater_name"] == world.resident.name


def test_low_rating_opens_a_follow_up_the_operator_closes(world, build, api_as):
    order = build(OrderState.COMPLETED)
    resp = _rate(api_as(world.resident), order, {"level": 1, "comment": "没有按时来"})
    assert resp.status_code == 200
    fu = FollowUp.objects.get(order=order)
    assert fu.status == FollowUpStatus.OPEN and fu.site == world.tree.st1
    listed = api_as(world.operator).get("/api/v1/orders/follow-ups?status=open").json()["items"]
    assert [f["id"] for f in listed] == [fu.pk]
    # Not for staff elsewhere, nor for the team.
    assert api_as(world.outsider).get("/api/v1/orders/follow-ups").json()["items"] == []
    url = f"/api/v1/orders/follow-ups/{fu.pk}/close"
    body = {"outcome": "已电话回访，队伍道歉并补充服务", "resolved": True}
    assert (
        api_as(world.outsider).post(url, body, content_type="application/json").status_code == 404
    )
    resp = api_as(world.operator).post(url, body, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["status"] == "done"
    again = api_as(world.operator).post(url, body, content_type="application/json")
    assert again.status_code == 409
    events = api_as(world.resident).get(f"/api/v1/orders/{order.pk}/events").json()["items"]
    assert events[-1]["action"] == "follow_up"


def test_low_rating_notifies_the_site_after_commit(
    world, build, api_as, django_capture_on_commit_callbacks
):
    order = build(OrderState.COMPLETED)
    with django_capture_on_commit_callbacks(execute=True):
        _rate(api_as(world.resident), order, {"level": 2})
    assert Notification.objects.filter(recipient=world.operator, kind="follow_up_opened").exists()
    team_note = Notification.objects.get(recipient=world.leader_a.user, kind="order_rated")
    assert world.resident.name not in team_note.title + team_note.body


def test_team_pages_never_show_who_rated(client, world, build):
    order = build(OrderState.COMPLETED)
    client.force_login(world.resident)
    resp = client.post(f"/orders/{order.pk}/rate/", {"level": 4, "comment": "挺好"}, follow=True)
    assert resp.status_code == 200 and "感谢您的评价" in resp.content.decode()
    rater = world.resident.name
    for user in (world.leader_a.user, world.member_a.user):
        client.force_login(user)
        for url in (f"/orders/{order.pk}/", "/orders/team/"):
            html = client.get(url).content.decode()
            assert rater not in html, (user, url)
            assert "王秀兰" not in html and "13800000001" not in html, (user, url)
        detail = client.get(f"/orders/{order.pk}/").content.decode()
        assert "满意" in detail and "挺好" in detail  # the rating itself is shown
    client.force_login(world.operator)
    assert rater in client.get(f"/orders/{order.pk}/").content.decode()


def test_a_rating_staff_record_for_a_resident_hides_them_from_the_team_too(world, build, api_as):
    order = build(OrderState.COMPLETED)
    resp = _rate(api_as(world.operator), order, {"level": 5, "comment": "电话回访代录"})
    assert resp.status_code == 200
    leader = api_as(world.leader_a.user)
    assert leader.get(f"/api/v1/orders/{order.pk}").json()["rating"]["rater_name"] is None
    events = leader.get(f"/api/v1/orders/{order.pk}/events").json()["items"]
    assert next(e for e in events if e["action"] == "rate")["actor_name"] is None
    # The requester still sees their own order's timeline, with the staff member who rated.
    events = api_as(world.resident).get(f"/api/v1/orders/{order.pk}/events").json()["items"]
    assert next(e for e in events if e["action"] == "rate")["actor_name"] == world.operator.name


def test_the_rating_page_takes_five_levels_dimensions_and_a_comment(client, world, build):
    order = build(OrderState.COMPLETED)
    client.force_login(world.resident)
    page = client.get(f"/orders/{order.pk}/rate/").content.decode()
    for label in ("非常满意", "满意", "一般", "不满意", "非常不满意", "服务态度", "响应及时"):
        assert label in page
    resp = client.post(f"/orders/{order.pk}/rate/", {"level": 9})
    assert resp.status_code == 400 and Order.objects.get(pk=order.pk).state == "completed"
    resp = client.post(
        f"/orders/{order.pk}/rate/",
        {"level": 3, "dim_attitude": 5, "dim_timeliness": 2, "comment": "来得有点晚"},
        follow=True,
    )
    assert resp.status_code == 200
    rating = Order.objects.get(pk=order.pk).rating
    assert rating.level == 3 and rating.comment == "来得有点晚"
    assert rating.dimensions == {"attitude": 5, "timeliness": 2}
    assert not FollowUp.objects.filter(order=order).exists()  # 一般 is not a low rating

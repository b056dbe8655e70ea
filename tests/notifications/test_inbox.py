"""Every user's inbox: page and API, own messages only, mark read."""

import pytest

from xinfeng.notifications.models import Notification

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_users():
    a, b = UserFactory(username="alice"), UserFactory(username="bob")
    Notification.objects.create(recipient=a, title="新派单：帮老人理发", link="/orders/1/")
    Notification.objects.create(recipient=a, title="您的点单已受理")
    Notification.objects.create(recipient=b, title="别人的消息")
    return a, b


def test_inbox_page_shows_my_messages_in_chinese(client, two_users):
    a, _b = two_users
    client.force_login(a)
    resp = client.get("/notifications/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "消息" in html and "新派单：帮老人理发" in html and "2 条未读" in html
    assert "别人的消息" not in html


def test_inbox_needs_login(client):
    resp = client.get("/notifications/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_opening_a_message_marks_it_read_and_follows_its_link(client, two_users):
    a, _b = two_users
    n = Notification.objects.get(title__startswith="新派单")
    client.force_login(a)
    resp = client.post("/notifications/read/", {"id": n.pk, "next": n.link})
    assert resp.status_code == 302 and resp["Location"] == "/orders/1/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert Notification.objects.filter(recipient=a, read_at__isnull=True).count() == 1


def test_api_lists_and_marks_only_my_own(api_as, two_users):
    a, b = two_users
    client = api_as(a)
    data = client.get("/api/v1/notifications/").json()
    assert data["unread"] == 2 and len(data["items"]) == 2
    theirs = Notification.objects.get(recipient=b).pk
    resp = client.post(
        "/api/v1/notifications/read", {"ids": [theirs]}, content_type="application/json"
    )
    assert resp.json() == {"marked": 0, "unread": 2}
    resp = client.post("/api/v1/notifications/read", {}, content_type="application/json")
    assert resp.json() == {"marked": 2, "unread": 0}
    assert Notification.objects.get(recipient=b).read_at is None


def test_api_needs_a_user(client):
    assert client.get("/api/v1/notifications/").status_code == 401

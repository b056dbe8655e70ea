"""Which HTTP methods each kind of path answers (``core.middleware.HttpMethodsMiddleware``):
pages take GET, HEAD and POST and refuse anything else with 405 before a view runs; every
API and Open311 resource served by GET is served by HEAD too — same status and headers, no
body."""

import pytest
from django.test import Client

from xinfeng.activities.models import Activity
from xinfeng.api import api
from xinfeng.orders.models import Order

from ..factories import UserFactory, grant

OTHER_METHODS = ["PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "FOO"]
PAGES = [
    "/",
    "/activities/",
    "/places/sites/",
    "/accounts/login/",
    "/places/pick/sites/?q=实践",
    "/healthz",
    "/orders/mine/",
    "/does-not-exist/",
]
# Headers that differ between any two answers, whatever the method.
_PER_ANSWER = {"Content-Security-Policy", "Content-Length", "Set-Cookie"}


def _headers(response) -> dict:
    return {k: v for k, v in response.items() if k not in _PER_ANSWER}


def _same_as_get(client: Client, url: str) -> None:
    get = client.get(url)
    head = client.head(url)
    assert head.status_code == get.status_code, url
    assert head.content == b"", url
    assert _headers(head) == _headers(get), url
    if not get.streaming and get.has_header("Content-Length"):
        # A body made anew each time (a spreadsheet carries its own timestamps) may differ
        # in length between two GETs as well: compare with the GET answered just before.
        again = client.get(url)
        if again.content == get.content:
            assert head["Content-Length"] == get["Content-Length"], url
        else:
            assert abs(int(head["Content-Length"]) - len(again.content)) < 64, url


@pytest.mark.parametrize("method", OTHER_METHODS)
@pytest.mark.parametrize("url", PAGES)
def test_a_page_refuses_a_method_it_does_not_implement(db, tree, url, method):
    response = Client().generic(method, url)
    assert response.status_code == 405, (url, method)
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "POST"}
    assert "不支持" in response.content.decode()


def test_the_refusal_speaks_the_visitors_language(db):
    response = Client().generic("DELETE", "/activities/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405
    assert "DELETE" in response.content.decode()
    assert "不支持" not in response.content.decode()


def test_a_delete_of_a_page_changes_nothing_even_for_its_owner(tree, build, sysadmin):
    order = build("submitted")
    state = order.state
    client = Client()
    client.force_login(sysadmin)
    for method in ("DELETE", "PUT", "PATCH"):
        response = client.generic(method, f"/orders/{order.pk}/", "state=cancelled")
        assert response.status_code == 405
    order.refresh_from_db()
    assert order.state == state
    assert Order.objects.filter(pk=order.pk).exists()


@pytest.mark.parametrize("url", [*PAGES, "/places/pick/regions/?q=水口"])
def test_every_page_answers_head_like_get(db, tree, url):
    _same_as_get(Client(), url)


def _api_get_paths() -> list[str]:
    schema = api.get_openapi_schema()
    return sorted(
        path
        for path, operations in schema["paths"].items()
        if "get" in operations and "{" not in path
    )


def test_every_api_read_without_a_parameter_answers_head_like_get(
    tree, build, make_activity, sysadmin
):
    build("submitted")
    make_activity()
    paths = _api_get_paths()
    assert len(paths) > 40  # the schema was read
    signed_in = Client()
    signed_in.force_login(sysadmin)
    for path in paths:
        _same_as_get(Client(), path)
        _same_as_get(signed_in, path)


def test_api_reads_of_one_object_answer_head_like_get(tree, build, make_activity, sysadmin):
    order = build("submitted")
    activity: Activity = make_activity()
    client = Client()
    client.force_login(sysadmin)
    for path in (
        f"/api/v1/orders/{order.pk}",
        f"/api/v1/activities/{activity.pk}",
        "/api/v1/orders/999999999",
    ):
        _same_as_get(client, path)


def test_api_405_names_head_where_it_names_get(db):
    response = Client().delete("/api/v1/activities/")
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "POST"}
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "url",
    [
        "/open311/v2/discovery.json",
        "/open311/v2/services.json",
        "/open311/v2/services.xml",
        "/open311/v2/requests.json",
        "/open311/v2/services/no-such-service.json",
    ],
)
def test_open311_reads_answer_head_like_get(db, tree, url):
    _same_as_get(Client(), url)


def test_open311_still_refuses_what_it_does_not_take(db):
    response = Client().delete("/open311/v2/requests.json")
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "POST"}


def test_a_user_without_rights_gets_the_same_refusal(db, tree):
    user = grant(UserFactory(username="plain"), "resident", tree.v1)
    client = Client()
    client.force_login(user)
    assert client.generic("OPTIONS", "/orders/mine/").status_code == 405

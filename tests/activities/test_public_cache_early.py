"""The public read cache's early path (``publiccache.EarlyPublicReadMiddleware``): a warm
anonymous hit answered before the session/locale/CSRF/auth middleware sends exactly what the
full chain (``PublicReadCacheMiddleware``, last) sends for the same hit — status, body and
headers — and anything personal or uncached still goes down the full chain."""

import re
import time

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils.http import parse_http_date

from xinfeng.accounts.models import ApiToken

EARLY = "xinfeng.core.publiccache.EarlyPublicReadMiddleware"
LATE_ONLY = [m for m in settings.MIDDLEWARE if m != EARLY]
_TOKEN = re.compile(rb'((?:name="csrfmiddlewaretoken" value=|"X-CSRFToken": )")[A-Za-z0-9]+"')
_NONCE = re.compile(r"'nonce-[^']+'")

URLS = [
    "/",
    "/activities/",
    "/places/sites/",
    "/open311/v2/services.json",
    "/api/v1/activities/?limit=20",
    "/api/v1/places/sites?limit=50",
]


def _early(response) -> bool:
    """The answer came from the early path: the session middleware never ran."""
    return not hasattr(response.wsgi_request, "session")


def _headers(response) -> dict:
    """Headers to compare: the CSP nonce is new on every request (and unused by pages)."""
    out = {k: v for k, v in response.items() if k != "Content-Security-Policy"}
    out["Content-Security-Policy"] = _NONCE.sub("'nonce-*'", response["Content-Security-Policy"])
    return out


def _cookies(response) -> dict:
    """Cookies set, with their attributes; the CSRF secret's value differs per visitor, and
    ``expires`` is now + max-age, so two answers a second apart differ in it: it is checked
    to be within a few seconds of that instead of compared."""
    out = {}
    for name, morsel in response.cookies.items():
        attrs = {k: v for k, v in morsel.items() if v}
        if "expires" in attrs:
            expires = parse_http_date(attrs.pop("expires"))
            assert abs(expires - (time.time() + int(attrs["max-age"]))) < 5, attrs
        out[name] = attrs | {"set": bool(morsel.value)}
    return out


def _same(early, late) -> None:
    assert early.status_code == late.status_code
    assert _TOKEN.sub(rb"\1*", early.content) == _TOKEN.sub(rb"\1*", late.content)
    assert _headers(early) == _headers(late)
    assert _cookies(early) == _cookies(late)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Accept-Language": "en"}, {"If-None-Match": "*"}, {"HX-Request": "true"}],
    ids=["plain", "english", "conditional", "htmx"],
)
def test_early_hit_sends_what_the_full_chain_sends(make_activity, url, headers):
    make_activity(title="早到的讲座")
    Client().get(url, headers=headers)  # stored by the full chain
    early = Client().get(url, headers=headers)
    with override_settings(MIDDLEWARE=LATE_ONLY):
        late = Client().get(url, headers=headers)
    assert _early(early) and not _early(late)
    _same(early, late)
    if headers.get("Accept-Language") == "en":
        assert early["Content-Language"] == "en"


def test_visitor_keeps_their_csrf_cookie_and_token_works(make_activity):
    make_activity()
    Client().get("/activities/")  # stored
    early_visitor = Client(enforce_csrf_checks=True)
    late_visitor = Client(enforce_csrf_checks=True)
    early_visitor.get("/places/sites/")  # both already hold a CSRF cookie
    late_visitor.get("/places/sites/")
    early = early_visitor.get("/activities/")
    with override_settings(MIDDLEWARE=LATE_ONLY):
        late = late_visitor.get("/activities/")
    assert _early(early)
    _same(early, late)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', early.content)[1]
    posted = early_visitor.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token.decode()}
    )
    assert posted.status_code == 302


def test_personal_and_uncached_requests_take_the_full_chain(make_activity, resident):
    make_activity()
    for url in URLS:
        Client().get(url)  # every entry warm
    signed_in = Client()
    signed_in.force_login(resident)
    page = signed_in.get("/activities/")
    assert not _early(page) and resident.name in page.content.decode()
    _, raw = ApiToken.issue(user=resident, name="t")
    api = Client().get("/api/v1/activities/?limit=20", headers={"Authorization": f"Bearer {raw}"})
    assert not _early(api) and api.status_code == 200
    kiosk = Client()
    kiosk.cookies["xf_kiosk"] = "kiosk_x"
    assert not _early(kiosk.get("/activities/"))
    assert not _early(Client().get("/activities/", headers={"X-Kiosk-Token": "kiosk_x"}))
    messages = Client()
    messages.cookies["messages"] = "x"
    assert not _early(messages.get("/activities/"))
    assert not _early(Client().get("/open311/v2/services.json?api_key=x"))
    # not a @public_read view, or a method the API operation does not take
    assert not _early(Client().get("/healthz"))
    assert not _early(Client().delete("/api/v1/activities/?limit=20"))
    # a HEAD of an API read is its GET without the body (core.middleware.HttpMethodsMiddleware):
    # early too, with what the full chain sends
    head = Client().head("/api/v1/activities/?limit=20")
    with override_settings(MIDDLEWARE=LATE_ONLY):
        late_head = Client().head("/api/v1/activities/?limit=20")
    assert _early(head) and not _early(late_head)
    assert head.status_code == late_head.status_code == 200
    assert head.content == late_head.content == b""
    assert head["Content-Length"] == late_head["Content-Length"] != "0"
    # a miss goes down the chain, which stores it; the next visitor gets it early
    fresh = Client().get("/activities/?category=health")
    assert not _early(fresh)
    assert _early(Client().get("/activities/?category=health"))


def test_write_is_seen_by_the_next_early_read(make_activity):
    from xinfeng.activities.models import Activity

    activity = make_activity(title="改之前")
    client = Client()
    client.get("/activities/")
    assert _early(client.get("/activities/"))
    Activity.objects.filter(pk=activity.pk).update(title="改之后")
    after = client.get("/activities/")
    assert not _early(after)  # the version moved: a miss, rendered anew
    assert "改之后" in after.content.decode()

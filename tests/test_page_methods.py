"""A read-only page refuses a POST (405, ``Allow: GET, HEAD``) instead of rendering itself
as if it were a GET. Two nets: a crawl of the demo city as a visitor and as the demo
accounts posts an empty form to every page it reaches, and fails on a page whose view never
reads a submission (no ``POST``, ``FILES`` or ``request.method`` in its source) that
answers the POST with its own GET page; and every page view of the URL conf must declare
its methods or read a submission itself (a known list excepted)."""

import inspect
import re
from collections import deque
from urllib.parse import urlsplit

from django.test import Client
from django.urls import URLResolver, get_resolver, resolve

from xinfeng.accounts.models import User

from .test_page_crawl import START, Forms, page_links, pattern

ACCOUNTS = [None, "resident", "volunteer", "teamleader", "station", "center", "leader"]
PAGES_PER_ACCOUNT = 120
_PER_ANSWER = re.compile(rb'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"|nonce-[\w+/=-]+')
_READS_SUBMISSIONS = re.compile(r"POST|FILES|request\.method")


def _view_source(url: str) -> tuple[str, str]:
    _declared, func = _declares_methods(resolve(urlsplit(url).path).func)
    return f"{func.__module__}.{func.__qualname__}", inspect.getsource(func)


def _pages(client: Client):
    """Each page shape the account reaches by links (its first URL)."""
    queue, seen, shapes = deque(START), set(), set()
    while queue and len(seen) < PAGES_PER_ACCOUNT:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        if pattern(url) in shapes:
            continue
        shapes.add(pattern(url))
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Forms()
        parser.feed(response.content.decode())
        queue.extend(page_links(url, parser))
        yield url


def test_read_only_pages_refuse_a_post(demo_city):
    rendered_for_post: dict[str, str] = {}
    refused: set[str] = set()
    for username in ACCOUNTS:
        client = Client(raise_request_exception=False)
        if username:
            client.force_login(User.objects.get(username=username))
        for url in list(_pages(client)):
            view, source = _view_source(url)
            answer = client.post(url, {})
            if answer.status_code == 405:
                assert answer["Allow"] == "GET, HEAD", url
                assert "不支持 POST" in answer.content.decode(), url
                refused.add(view)
                continue
            if _READS_SUBMISSIONS.search(source):
                continue
            if answer.status_code == 200 and _PER_ANSWER.sub(b"", answer.content) == (
                _PER_ANSWER.sub(b"", client.get(url).content)
            ):
                rendered_for_post.setdefault(view, f"{url} as {username or 'visitor'}")
    assert not rendered_for_post, "read-only pages that render for a POST:\n" + "\n".join(
        f"{view}: {where}" for view, where in sorted(rendered_for_post.items())
    )
    # The crawl reached the read-only pages: the public ones and the personal ones.
    for view in (
        "xinfeng.views.home",
        "xinfeng.activities.views.public.activity_list",
        "xinfeng.places.views.site_directory",
        "xinfeng.orders.views.lists.my_orders",
        "xinfeng.volunteers.views.profiles.me",
    ):
        assert view in refused, (view, sorted(refused))
    assert len(refused) >= 25, sorted(refused)


# ── Every page view in the URL conf ──────────────────────────────────────────────────────
# A page view either declares its methods (``django.views.decorators.http``: require_safe,
# require_POST, require_http_methods) or reads a submission itself (its source names POST,
# FILES or request.method). These do neither in their own source: form flows whose steps
# read the submission in a shared helper (the phone code steps, the kiosk steps, a new
# order for a resident, publishing, closing or answering a survey, an activity's manage
# page, a scheme's page, a group's page), the funding page (its helper reads POST) and the
# news feed (a Feed object). Known and listed; a new view may not join them.
UNDECLARED = {
    "xinfeng.accounts.views_phone.signup_view",
    "xinfeng.accounts.views_phone.signup_verify_view",
    "xinfeng.accounts.views_phone.login_code_view",
    "xinfeng.accounts.views_phone.login_code_verify_view",
    "xinfeng.accounts.views_phone.password_reset_view",
    "xinfeng.accounts.views_phone.password_reset_verify_view",
    "xinfeng.accounts.views_phone.phone_change_view",
    "xinfeng.accounts.views_phone.phone_change_verify_view",
    "xinfeng.orders.views.create.order_new_staff",
    "xinfeng.activities.views.manage.manage_detail",
    "xinfeng.assessment.views.schemes.scheme_detail",
    "xinfeng.governance.views.groups.group_detail",
    "xinfeng.activities.views.news.NewsFeed",
    "xinfeng.surveys.views.staff.survey_publish",
    "xinfeng.surveys.views.staff.survey_close",
    "xinfeng.surveys.views.answer.answer_by_id",
    "xinfeng.surveys.views.answer.answer_by_token",
    "xinfeng.assessment.views.funding.funding",
    "xinfeng.kiosk.views._kiosk_view.<locals>.wrapper",
}
_METHOD_DECORATORS = "django/views/decorators/http.py"
_NOT_PAGES = ("api/", "admin/", "open311/", "static/", "media/")


def _url_views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _url_views(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry.callback


def _declares_methods(view) -> tuple[bool, object]:
    """Whether a layer of ``view`` is one of Django's method decorators; the innermost
    function."""
    declared = False
    while True:
        code = getattr(view, "__code__", None)
        if code is not None and code.co_filename.endswith(_METHOD_DECORATORS):
            declared = True
        if not hasattr(view, "__wrapped__"):
            return declared, view
        view = view.__wrapped__


def test_every_page_view_declares_its_methods_or_reads_a_submission():
    undeclared, checked = set(), 0
    for route, callback in _url_views(get_resolver().url_patterns):
        if route.startswith(_NOT_PAGES) or not (callback.__module__ or "").startswith("xinfeng"):
            continue
        checked += 1
        declared, inner = _declares_methods(callback)
        if declared:
            continue
        name = f"{inner.__module__}.{getattr(inner, '__qualname__', type(inner).__name__)}"
        if name in UNDECLARED or _READS_SUBMISSIONS.search(inspect.getsource(inner)):
            continue
        undeclared.add(f"{route} → {name}")
    assert checked > 150, checked  # the URL conf was walked
    assert not undeclared, (
        "page views that neither declare their methods nor read a submission (a read-only "
        "page wants @require_safe):\n" + "\n".join(sorted(undeclared))
    )

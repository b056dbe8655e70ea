"""A read-only page refuses a POST (405, ``Allow: GET, HEAD``) instead of rendering itself
as if it were a GET: a crawl of the demo city as a visitor and as the demo accounts posts an
empty form to every page it reaches. A page whose view never reads a submission (no
``POST``, ``FILES`` or ``request.method`` in its source) and that answers the POST with its
own GET page fails the test; form pages are left to their own tests."""

import inspect
import re
from collections import deque
from urllib.parse import urlsplit

from django.test import Client
from django.urls import resolve

from xinfeng.accounts.models import User

from .test_page_crawl import START, Forms, page_links, pattern

ACCOUNTS = [None, "resident", "volunteer", "teamleader", "station", "center", "leader"]
PAGES_PER_ACCOUNT = 120
_PER_ANSWER = re.compile(rb'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"|nonce-[\w+/=-]+')
_READS_SUBMISSIONS = re.compile(r"POST|FILES|request\.method")


def _view_source(url: str) -> tuple[str, str]:
    func = resolve(urlsplit(url).path).func
    while hasattr(func, "__wrapped__"):
        func = func.__wrapped__
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

"""A crawl of the demo city as every demo account and as a visitor: every page reachable by
links answers without a server error, and so does every form on those pages posted as a
browser would post it untouched (its current values). A net under the per-page tests: a
page or a form nobody wrote a test for still may not crash."""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client

from xinfeng.accounts.models import User
from xinfeng.demo.accounts import DEMO_ACCOUNTS

START = [
    "/",
    "/accounts/me/",
    "/places/sites/",
    "/places/manage/",
    "/volunteers/",
    "/projects/",
    "/orders/",
    "/activities/",
    "/insights/",
    "/notifications/",
]
# Not pages: downloads, feeds, the API, the admin (Django's own), media, language switch.
SKIP = re.compile(
    r"^/(static|media|api|admin|i18n|open311)/|^/accounts/logout|\.(ics|xlsx|pdf|xml|atom|png)$"
    r"|/(export|feed|calendar\.ics|download)"
)
PAGES_PER_ACCOUNT = 90
PER_PATTERN = 2  # pages of one shape (…/orders/<id>/) visited per account


def pattern(url: str) -> str:
    parts = urlsplit(url)
    keys = ",".join(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    return re.sub(r"\d+", "N", parts.path) + "?" + keys


class Forms(HTMLParser):
    """Links, and POST forms with the values a browser would send untouched."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "data": {}, "files": False}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a.get("name")
            if kind == "file":
                self._form["files"] = True
            if not name or kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["data"].setdefault(
                name, a.get("value") or ("on" if kind == "checkbox" else "")
            )
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["data"][self._textarea] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["data"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            s = self._select
            value = s["chosen"] if s["chosen"] is not None else s["first"]
            if self._form is not None and value is not None:
                self._form["data"].setdefault(s["name"], value)
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_links(url: str, parser: Forms) -> list[str]:
    """Where the links of the page at ``url`` lead, of what a crawl visits (not SKIP)."""
    targets = []
    for href in parser.links:
        target = urljoin(url, href.split("#")[0])
        if target.startswith("/") and not SKIP.search(target):
            targets.append(target)
    return targets


def crawl(client: Client) -> tuple[int, int, list[str]]:
    """Visit pages breadth-first from START, then post each page's forms once. Returns (pages,
    forms posted, failures): server errors, and links to a page that answers 403 (the menu
    and the pages offer a person only what they may use, issue 12)."""
    queue = deque(START)
    seen_urls: set[str] = set()
    per_pattern: dict[str, int] = {}
    posted: set[str] = set()
    failures: list[str] = []
    linked_from: dict[str, str] = {}
    to_post: list[tuple[str, str, dict]] = []
    pages = forms = 0
    while queue and pages < PAGES_PER_ACCOUNT:
        url = queue.popleft()
        if url in seen_urls:
            continue
        seen_urls.add(url)
        shape = pattern(url)
        if per_pattern.get(shape, 0) >= PER_PATTERN:
            continue
        per_pattern[shape] = per_pattern.get(shape, 0) + 1
        resp = client.get(url)
        pages += 1
        if resp.status_code >= 500:
            failures.append(f"GET {url} → {resp.status_code}")
            continue
        if resp.status_code == 403 and url not in START:
            failures.append(f"GET {url} → 403 (linked from {linked_from.get(url, '?')})")
            continue
        if resp.status_code != 200 or "text/html" not in resp.get("Content-Type", ""):
            continue
        parser = Forms()
        parser.feed(resp.content.decode())
        for target in page_links(url, parser):
            linked_from.setdefault(target, url)
            queue.append(target)
        for form in parser.forms:
            action = urljoin(url, form["action"] or url)
            key = pattern(action) + "|" + ",".join(sorted(form["data"]))
            if key in posted or SKIP.search(action) or not action.startswith("/"):
                continue
            posted.add(key)
            to_post.append((action, url, form["data"]))
    # Forms are posted after every page was read: a form posted untouched may take away the
    # very role the following pages need (removing a site operator), which is no 403 a
    # person meets by following links.
    for action, url, data in to_post:
        forms += 1
        answer = client.post(action, data)
        if answer.status_code >= 500:
            failures.append(f"POST {action} (from {url}) {data} → {answer.status_code}")
    return pages, forms, failures


def test_every_linked_page_and_untouched_form_answers_without_a_server_error(demo_city):
    failures: list[str] = []
    totals = []
    for username in [None, *[a[0] for a in DEMO_ACCOUNTS]]:
        client = Client(raise_request_exception=False)
        if username:
            client.force_login(User.objects.get(username=username))
        pages, forms, failed = crawl(client)
        totals.append((username or "visitor", pages, forms))
        failures += [f"[{username or 'visitor'}] {f}" for f in failed]
    assert not failures, "\n".join(failures)
    # The crawl really went somewhere: each account reached many pages; staff posted forms.
    assert all(pages >= 15 for _u, pages, _f in totals), totals
    assert sum(forms for _u, _p, forms in totals) >= 20, totals

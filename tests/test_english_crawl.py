"""An English crawl of the demo city (issue 11): as a visitor and as every demo account, with
English chosen, the interface text of every linked page — labels, buttons, table headers,
legends, navigation, summaries, placeholders, accessible names and titles — carries no CJK
character. User content (titles, names, descriptions people typed) and place names are not
interface text and are not checked: they live in headings, paragraphs, cells and links to
objects. The language switcher names Chinese in Chinese (中文) on purpose."""

import re
from collections import deque
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

from django.test import Client

from xinfeng.accounts.models import User
from xinfeng.demo.accounts import DEMO_ACCOUNTS

from .test_page_crawl import SKIP, START, pattern

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
ROOT = Path(__file__).resolve().parents[1] / "xinfeng"


@cache
def interface_msgids() -> frozenset[str]:
    """Every Chinese string the interface marks for translation (the msgids of all our
    catalogs, at least two characters). Finding one of them on an English page means it was
    rendered without translation — stored as text, translated at import time, or missing
    from its catalog. Names and places people typed are not msgids, so they are not flagged."""
    ids = set()
    for po in ROOT.rglob("locale/en/LC_MESSAGES/django.po"):
        for m in re.finditer(r'^msgid "(.+)"$', po.read_text(), re.M):
            text = m.group(1)
            if len(CJK.findall(text)) >= 2 and "%" not in text and "{" not in text:
                ids.add(text)
    return frozenset(ids)


INTERFACE_TAGS = {"label", "button", "th", "legend", "summary", "nav", "caption"}
INTERFACE_ATTRS = ("placeholder", "aria-label", "title", "alt")
NATIVE = {"中文", "简体中文"}  # a language named in its own language
PAGES_PER_ACCOUNT = 45
PER_PATTERN = 1


class Interface(HTMLParser):
    """Links, and the interface strings of a page (text inside interface elements, and
    interface attributes), skipping elements marked ``data-user-content``."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.strings: list[tuple[str, str]] = []
        self._stack: list[str] = []
        self._user = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        # Void elements (and options, which list places and projects) are not pushed.
        if tag not in ("input", "img", "br", "meta", "link", "hr", "source", "option"):
            self._stack.append(tag)
            if "data-user-content" in a:
                self._user += 1
        if tag == "option":
            return
        for attr in INTERFACE_ATTRS:
            if a.get(attr):
                self.strings.append((f"{tag}@{attr}", a[attr]))

    def handle_endtag(self, tag):
        while self._stack:
            top = self._stack.pop()
            if top == tag:
                break

    def handle_data(self, data):
        text = data.strip()
        if not text or self._user or not INTERFACE_TAGS.intersection(self._stack):
            return
        if {"script", "style", "a"} & set(self._stack[-1:]):
            return
        self.strings.append((self._stack[-1] if self._stack else "?", text))


def english_crawl(client: Client) -> tuple[int, list[str]]:
    queue = deque(START)
    seen: set[str] = set()
    per_pattern: dict[str, int] = {}
    found: list[str] = []
    pages = 0
    while queue and pages < PAGES_PER_ACCOUNT:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        shape = pattern(url)
        if per_pattern.get(shape, 0) >= PER_PATTERN:
            continue
        per_pattern[shape] = per_pattern.get(shape, 0) + 1
        resp = client.get(url)
        if resp.status_code != 200 or "text/html" not in resp.get("Content-Type", ""):
            continue
        pages += 1
        parser = Interface()
        parser.feed(resp.content.decode())
        for where, text in parser.strings:
            if not CJK.search(text) or text in NATIVE:
                continue
            if text in interface_msgids():
                found.append(f"{shape} <{where}> {text[:60]!r}")
        for href in parser.links:
            target = urljoin(url, href.split("#")[0])
            if target.startswith("/") and not SKIP.search(target):
                queue.append(target)
    return pages, found


def test_english_interface_text_has_no_chinese(demo_city):
    found: set[str] = set()
    totals = []
    for username in [None, *[a[0] for a in DEMO_ACCOUNTS]]:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.cookies["django_language"] = "en"
        if username:
            client.force_login(User.objects.get(username=username))
        pages, strings = english_crawl(client)
        totals.append((username or "visitor", pages))
        found.update(strings)
    assert all(p >= 10 for _u, p in totals), totals
    assert not found, f"{len(found)} untranslated interface strings:\n" + "\n".join(sorted(found))


def test_the_crawl_sees_untranslated_interface_text(demo_city):
    """The same crawl in Chinese finds the interface strings, so the English test can fail."""
    assert len(interface_msgids()) > 500
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=DEMO_ACCOUNTS[0][0]))
    pages, strings = english_crawl(client)
    assert pages >= 10 and len(strings) >= 20, (pages, strings[:5])

"""The API's URL patterns nested by first segment (``xinfeng.api.by_first_segment``) resolve
every path exactly as ninja's flat list did: same view, arguments and name; reversing a
name gives the same path; a path ninja did not know is still not found."""

import re

import pytest
from django.urls import Resolver404, path
from django.urls.resolvers import RoutePattern, URLResolver
from ninja import NinjaAPI

from xinfeng.api import api, by_first_segment

SAMPLES = {
    "int": "7",
    "str": "abc",
    "slug": "a-b",
    "path": "x/y",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}


def _resolver(patterns) -> URLResolver:
    return URLResolver(RoutePattern(""), patterns)


def _example(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "abc"), route)


def test_every_api_path_resolves_as_in_the_flat_list():
    flat = NinjaAPI._get_urls(api)
    grouped = by_first_segment(flat)
    assert len(grouped) < len(flat) / 5  # nested, not flat
    old, new = _resolver(flat), _resolver(grouped)
    paths = {_example(p.pattern._route) for p in flat}
    paths |= {"orders", "orders/7/nope", "nope/", "ordersx/", "orders//"}
    for url in sorted(paths):
        try:
            want = old.resolve(url)
        except Resolver404:
            with pytest.raises(Resolver404):
                new.resolve(url)
            continue
        got = new.resolve(url)
        assert (got.func, got.args, got.kwargs, got.url_name) == (
            want.func,
            want.args,
            want.kwargs,
            want.url_name,
        ), url
        if want.url_name:
            kwargs = want.kwargs
            assert new.reverse(want.url_name, **kwargs) == old.reverse(want.url_name, **kwargs)


def test_a_first_segment_with_a_converter_leaves_the_list_flat():
    flat = NinjaAPI._get_urls(api)
    with_converter = [path("<int:pk>/x", lambda r: None), *flat[:3]]
    assert by_first_segment(with_converter) == with_converter

"""The staff site form picks its region and parent site with search-as-you-type pickers
(a province has ~100,000 of each): the page lists a few candidates, never every row; the
search endpoints answer in the user's scope; the form still validates server-side."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import RegionFactory, SiteFactory
from xinfeng.places.choices import SiteLevel
from xinfeng.places.models import Site
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.pickers import LIMIT


@pytest.fixture
def session(owner):
    """An institute admin of 苏家垱乡 (t1)."""
    client = Client()
    client.force_login(owner)
    return client


def radios(html: str, name: str) -> dict[str, str]:
    """value → label of the radio buttons named ``name``."""
    found = re.findall(
        rf'<input type="radio" name="{name}" value="(\d*)"(?: checked)?> ([^<]+)</label>', html
    )
    return {value: label.strip() for value, label in found}


def checked(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="radio" name="{name}" value="(\d*)" checked>', html)


def many_stations(tree, n):
    return [
        SiteFactory(
            name=f"水口村第{i}站", level=SiteLevel.STATION, region=tree.v1, parent=tree.inst1
        )
        for i in range(n)
    ]


def test_form_has_search_pickers_not_selects_of_every_site(session, tree):
    many_stations(tree, 60)
    html = session.get("/places/manage/sites/new/").content.decode()
    assert '<select name="parent"' not in html and '<select name="region"' not in html
    assert 'hx-get="/places/pick/sites/"' in html and 'hx-get="/places/pick/regions/"' in html
    parents = radios(html, "parent")
    assert len(parents) <= LIMIT + 1  # at most LIMIT candidates and "none"
    assert parents[""] == "（不选）"
    assert str(tree.st2.pk) not in parents  # 江益村 is outside the admin's scope
    assert "只显示前 20 项" in html


def test_edit_form_shows_the_current_parent_checked(session, tree):
    many_stations(tree, 30)
    html = session.get(f"/places/manage/sites/{tree.st1.pk}/").content.decode()
    assert checked(html, "parent") == [str(tree.inst1.pk)]
    assert radios(html, "parent")[str(tree.inst1.pk)] == "苏家垱乡实践所（苏家垱乡）"
    assert str(tree.st1.pk) not in radios(html, "parent")  # not its own parent
    assert checked(html, "region") == [str(tree.v1.pk)]


def test_site_search_is_scoped_and_keeps_the_current_choice(session, tree):
    many_stations(tree, 5)
    response = session.get(
        "/places/pick/sites/",
        {"field": "parent", "q": "实践", "parent": str(tree.inst1.pk), "exclude": tree.st1.pk},
    )
    assert response.status_code == 200
    html = response.content.decode()
    got = radios(html, "parent")
    assert checked(html, "parent") == [str(tree.inst1.pk)]  # the choice survives a search
    assert str(tree.center.pk) in got  # the city's center, above the admin's township
    assert str(tree.st2.pk) not in got and str(tree.inst2.pk) not in got  # other township
    assert str(tree.st1.pk) not in got  # excluded: the site being edited
    one = radios(
        session.get("/places/pick/sites/", {"field": "parent", "q": "第3站"}).content.decode(),
        "parent",
    )
    assert [label for value, label in one.items() if value] == ["水口村第3站（水口村）"]
    nothing = session.get(
        "/places/pick/sites/", {"field": "parent", "q": "江益村"}
    ).content.decode()
    assert "没有匹配的结果" in nothing


def test_site_search_runs_a_fixed_number_of_queries(session, tree):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = session.get(
                "/places/pick/sites/", {"field": "parent", "q": "站", "parent": tree.inst1.pk}
            )
        assert response.status_code == 200
        return len(ctx.captured_queries)

    count()  # the session's user and roles are read once, then kept by the process
    before = count()
    many_stations(tree, 50)
    count()
    assert count() == before
    assert (
        len(
            radios(
                session.get("/places/pick/sites/", {"field": "parent", "q": "站"}).content.decode(),
                "parent",
            )
        )
        == LIMIT + 1
    )


def test_region_search_in_staff_scope_and_public_villages(client, session, tree):
    staff = radios(
        session.get(
            "/places/pick/regions/", {"field": "region", "q": "村", "required": "1"}
        ).content.decode(),
        "region",
    )
    assert set(staff) == {str(tree.v1.pk)}  # 江益村 is another township's
    assert "" not in staff  # a required field offers no "none"
    by_code = radios(
        session.get(
            "/places/pick/regions/", {"field": "region", "q": "3604822012", "required": "1"}
        ).content.decode(),
        "region",
    )
    assert set(by_code) == {str(tree.v1.pk)}
    RegionFactory(name="水口自然村", level=RegionLevel.NATURAL_VILLAGE, parent=tree.v1)
    public = client.get(
        "/places/pick/regions/",
        {
            "field": "home_region",
            "scope": "public",
            "levels": "village,natural_village",
            "q": "水口",
        },
    )
    assert public.status_code == 200
    labels = set(radios(public.content.decode(), "home_region").values()) - {"（不选）"}
    assert labels == {"苏家垱乡 · 水口村", "水口村 · 水口自然村"}
    everyone = radios(
        client.get(
            "/places/pick/regions/",
            {"field": "home_region", "scope": "public", "levels": "village", "required": "1"},
        ).content.decode(),
        "home_region",
    )
    assert set(everyone) == {str(tree.v1.pk), str(tree.v2.pk)}


@pytest.mark.parametrize(
    "url, params, status",
    [
        ("/places/pick/sites/", {"field": "parent"}, 401),
        ("/places/pick/regions/", {"field": "region"}, 401),  # staff scope needs a user
        ("/places/pick/regions/", {"field": "region", "scope": "everything"}, 400),
        ("/places/pick/regions/", {"field": "<script>", "scope": "public"}, 400),
        ("/places/pick/regions/", {"scope": "public"}, 400),
    ],
)
def test_bad_or_anonymous_requests_are_refused(client, tree, url, params, status):
    assert client.get(url, params).status_code == status


def test_odd_input_is_harmless(session, tree):
    for params in (
        {"field": "parent", "q": "站" * 500},
        {"field": "parent", "parent": "99999999999999999999999"},
        {"field": "parent", "parent": "abc", "exclude": "-1"},
        {"field": "parent", "q": "%_\\"},
    ):
        assert session.get("/places/pick/sites/", params).status_code == 200, params


def test_the_form_still_validates_the_parent_on_the_server(session, tree):
    form = {
        "name": "新站",
        "level": "station",
        "point_kind": "general",
        "region": tree.v1.id,
        "parent": tree.inst2.id,  # another township's institute: not offered, refused
    }
    response = session.post("/places/manage/sites/new/", form)
    assert response.status_code == 400
    assert not Site.objects.filter(name="新站").exists()
    assert "parent" in response.context["form"].errors
    form["parent"] = tree.inst1.id
    assert session.post("/places/manage/sites/new/", form).status_code == 302
    assert Site.objects.get(name="新站").parent == tree.inst1

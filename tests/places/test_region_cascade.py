"""The cascading region filter (places.cascade) on the public site directory: one select per
level from the root to the chosen region, each with one parent's children only, bounded
queries, and junk or stale values that never answer an error."""

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from tests.factories import RegionFactory, SiteFactory
from xinfeng.places.cascade import chosen_region, region_cascade
from xinfeng.places.choices import SiteLevel
from xinfeng.regions.choices import RegionLevel


@pytest.fixture
def province(db):
    """省 → 2 counties; county A → townships A1 (3 villages), A2 (1 village); county B → B1."""
    p = RegionFactory(name="江西省", level=RegionLevel.PROVINCE)
    a = RegionFactory(name="甲县", level=RegionLevel.COUNTY, parent=p)
    b = RegionFactory(name="乙县", level=RegionLevel.COUNTY, parent=p)
    a1 = RegionFactory(name="甲一镇", level=RegionLevel.TOWNSHIP, parent=a)
    a2 = RegionFactory(name="甲二乡", level=RegionLevel.TOWNSHIP, parent=a)
    b1 = RegionFactory(name="乙一镇", level=RegionLevel.TOWNSHIP, parent=b)
    v = [RegionFactory(name=f"甲一{i}村", parent=a1) for i in range(3)]
    w = RegionFactory(name="甲二村", parent=a2)
    x = RegionFactory(name="乙一村", parent=b1)
    SiteFactory(name="甲一0村站", level=SiteLevel.STATION, region=v[0])
    SiteFactory(name="甲一1村站", level=SiteLevel.STATION, region=v[1])
    SiteFactory(name="甲二村站", level=SiteLevel.STATION, region=w)
    SiteFactory(name="乙一村站", level=SiteLevel.STATION, region=x)
    return SimpleNamespace(p=p, a=a, b=b, a1=a1, a2=a2, b1=b1, v=v, w=w, x=x)


def selects(html: str) -> list[dict]:
    """Each cascade select: its label, selected value and the (value, text) options."""
    out = []
    for sel_id, body in re.findall(
        r'<select id="(f-region[-\d]*)" name="region".*?>(.*?)</select>', html, re.S
    ):
        label = re.search(rf'<label for="{sel_id}">([^<]*)</label>', html).group(1)
        options = re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', body)
        out.append(
            {
                "label": label,
                "selected": next((v for v, s, _ in options if s), None),
                "options": [(v, t) for v, _, t in options],
            }
        )
    return out


def titles(html: str) -> list[str]:
    return re.findall(r'<span class="list-title">([^<]+)</span>', html)


def test_selected_village_shows_the_chain_and_its_siblings_only(client, province):
    t = province
    html = client.get("/places/sites/", {"region": t.v[0].pk}).content.decode()
    levels = selects(html)
    # The lone province is skipped: county, township, village (a village has no children).
    assert [lv["selected"] for lv in levels] == [str(t.a.pk), str(t.a1.pk), str(t.v[0].pk)]
    assert [lv["label"] for lv in levels] == ["县级市/区/县", "乡镇/街道", "村/社区"]
    names = [[text for _, text in lv["options"]] for lv in levels]
    assert names[0] == ["全部", "甲县", "乙县"]
    assert names[1] == ["全部", "甲一镇", "甲二乡"]  # county A's townships, not B's
    assert names[2] == ["全部", "甲一0村", "甲一1村", "甲一2村"]  # siblings of the village
    assert "甲二村<" not in html and "乙一村<" not in html and "乙一镇" not in html
    # "全部" of a deeper level posts the level above: the last value is the choice.
    assert [lv["options"][0][0] for lv in levels] == ["", str(t.a.pk), str(t.a1.pk)]
    assert titles(html) == ["甲一0村站"]


def test_selected_township_adds_a_select_of_its_villages(client, province):
    t = province
    html = client.get("/places/sites/", {"region": t.a1.pk}).content.decode()
    levels = selects(html)
    assert [lv["selected"] for lv in levels] == [str(t.a.pk), str(t.a1.pk), None]
    assert levels[2]["options"][0] == (str(t.a1.pk), "全部")
    assert set(titles(html)) == {"甲一0村站", "甲一1村站"}  # the subtree, as before


def test_no_selection_lists_the_top_level_under_a_lone_root(client, province):
    levels = selects(client.get("/places/sites/").content.decode())
    assert len(levels) == 1
    assert levels[0]["options"] == [
        ("", "全部"),
        (str(province.a.pk), "甲县"),
        (str(province.b.pk), "乙县"),
    ]


def test_posted_form_takes_the_deepest_consistent_value(client, province):
    t = province
    # What the form posts untouched: the chain, then "全部" of the children (= the township).
    q = [t.a.pk, t.a1.pk, t.a1.pk]
    assert set(titles(client.get("/places/sites/", {"region": q}).content.decode())) == {
        "甲一0村站",
        "甲一1村站",
    }
    # Without JavaScript the user changed the county; the stale township is not taken.
    html = client.get("/places/sites/", {"region": [t.b.pk, t.a1.pk, t.v[0].pk]}).content.decode()
    assert titles(html) == ["乙一村站"]
    assert [lv["selected"] for lv in selects(html)] == [str(t.b.pk), None]
    # "全部" chosen at the township level: the county.
    html = client.get("/places/sites/", {"region": [t.a.pk, "", t.v[0].pk]}).content.decode()
    assert set(titles(html)) == {"甲一0村站", "甲一1村站", "甲二村站"}


@pytest.mark.parametrize(
    "value",
    ["abc", "-1", "99999999", "99999999999999999999999", "²", "１２", "1e3", " ", "0", "%00"],
)
def test_junk_region_values_reset_the_filter_without_error(client, province, value):
    response = client.get("/places/sites/", {"region": [value, province.a.pk]})
    assert response.status_code == 200
    assert len(titles(response.content.decode())) == 4


def test_out_of_scope_region_is_ignored(province):
    t = province
    query = QueryDict(f"region={t.x.pk}")
    cascade = region_cascade(query, roots=[t.a.path])
    assert cascade.selected is None and cascade.ignored
    assert chosen_region(QueryDict(f"region={t.v[1].pk}"), roots=[t.a.path]) == t.v[1]
    assert chosen_region(QueryDict(f"region={t.v[1].pk}"), roots=[]) is None


def test_staff_scope_lists_start_at_the_scope_roots(province):
    t = province
    # Two roots: the first select lists them; one root: its children.
    cascade = region_cascade(QueryDict(f"region={t.v[0].pk}"), roots=[t.a1.path, t.b1.path])
    names = [[r.name for r in lv.options] for lv in cascade.levels]
    assert names == [["甲一镇", "乙一镇"], ["甲一0村", "甲一1村", "甲一2村"]]
    cascade = region_cascade(QueryDict(""), roots=[t.a.path])
    assert [[r.name for r in lv.options] for lv in cascade.levels] == [["甲一镇", "甲二乡"]]


def test_query_count_is_bounded_and_does_not_grow_with_the_tree(client, province):
    t = province
    query = QueryDict(f"region={t.a.pk}&region={t.a1.pk}&region={t.v[0].pk}")
    with CaptureQueriesContext(connection) as ctx:
        cascade = region_cascade(query)
        assert len(ctx.captured_queries) == 1  # the posted ids
        levels = cascade.levels
        # The parentless regions, then every level's siblings in one parent_id IN (…).
        assert len(ctx.captured_queries) == 3
    assert len(levels) == 3

    def page_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/places/sites/", {"region": t.v[0].pk}).status_code == 200
        return len(ctx.captured_queries)

    before = page_queries()
    for _ in range(20):
        township = RegionFactory(level=RegionLevel.TOWNSHIP, parent=t.b)
        RegionFactory(parent=township)
        RegionFactory(parent=t.a1)
    assert page_queries() == before


def test_english_labels(client, province):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/places/sites/", {"region": province.a1.pk}).content.decode()
    levels = selects(html)
    assert [lv["label"] for lv in levels] == [
        "County-level city / district / county",
        "Township / street",
        "Village / community",
    ]
    assert all(lv["options"][0][1] == "All" for lv in levels)
    assert "<legend" in html and ">Area</legend>" in html

"""The activity list and the practice calendar filter by region with the places cascade:
the chain to the chosen region and one parent's children per select; junk ids are ignored."""

import re

import pytest


def cascade(html: str, prefix: str) -> list[list[str]]:
    bodies = re.findall(rf'<select id="{prefix}[-\d]*" name="region".*?>(.*?)</select>', html, re.S)
    return [re.findall(r"<option [^>]*>([^<]*)</option>", b) for b in bodies]


@pytest.mark.parametrize(
    "url,prefix", [("/activities/", "f-region"), ("/activities/calendar/", "c-region")]
)
def test_village_selection_shows_the_chain_and_siblings_only(
    client, tree, make_activity, outsider, url, prefix
):
    make_activity(title="水口村的活动")
    make_activity(title="江益镇的活动", site=tree.inst2, actor=outsider)
    html = client.get(url, {"region": tree.v1.pk}).content.decode()
    assert cascade(html, prefix) == [["全部", "苏家垱乡", "江益镇"], ["全部", "水口村"]]
    assert "水口村的活动" in html and "江益镇的活动" not in html


@pytest.mark.parametrize("url", ["/activities/", "/activities/calendar/"])
@pytest.mark.parametrize("value", ["abc", "99999999", "123456789012345678901234"])
def test_junk_region_is_ignored(client, tree, make_activity, url, value):
    make_activity(title="水口村的活动")
    response = client.get(url, {"region": value})
    assert response.status_code == 200 and "水口村的活动" in response.content.decode()


def test_calendar_cascade_in_english(client, tree):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/activities/calendar/", {"region": tree.t1.pk}).content.decode()
    assert '<label for="c-region">Township / street</label>' in html
    assert cascade(html, "c-region") == [["All", "苏家垱乡", "江益镇"], ["All", "水口村"]]

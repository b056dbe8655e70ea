"""The public site directory page and the site page."""

import re

from tests.factories import SiteFactory, VenueFactory
from xinfeng.places.choices import SiteLevel


def names(html: str) -> list[str]:
    return re.findall(r'<span class="list-title">([^<]+)</span>', html)


def test_directory_lists_center_institutes_stations_then_points(client, tree):
    SiteFactory(name="阿水口祠堂点", level=SiteLevel.POINT, region=tree.v1, parent=tree.st1)
    listed = names(client.get("/places/sites/").content.decode())
    # Within a level the order is by name (in the database's collation).
    assert listed[0] == "实践中心"
    assert set(listed[1:3]) == {"江益镇实践所", "苏家垱乡实践所"}
    assert set(listed[3:5]) == {"江益村实践站", "水口村实践站"}
    assert listed[5] == "阿水口祠堂点"


def test_directory_filters_by_region_subtree_level_and_text(client, tree):
    assert names(client.get("/places/sites/", {"region": tree.t1.id}).content.decode()) == [
        "苏家垱乡实践所",
        "水口村实践站",
    ]
    html = client.get("/places/sites/", {"level": "station"}).content.decode()
    assert set(names(html)) == {"江益村实践站", "水口村实践站"}
    assert names(client.get("/places/sites/", {"q": "水口"}).content.decode()) == ["水口村实践站"]


def test_htmx_request_gets_only_the_rows(client, tree):
    html = client.get("/places/sites/", {"q": "水口"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html
    assert names(html) == ["水口村实践站"]


def test_nonsense_filters_are_ignored_not_errors(client, tree):
    for params in ({"region": "abc"}, {"region": "99999999"}, {"level": "nope"}, {"page": "x"}):
        response = client.get("/places/sites/", params)
        assert response.status_code == 200
        assert len(names(response.content.decode())) == 5


def test_empty_search_says_so(client, tree):
    html = client.get("/places/sites/", {"q": "没有这个地方"}).content.decode()
    assert "没有符合条件的阵地" in html


def test_site_page_shows_address_hours_venues_and_title(client, tree):
    tree.st1.address = "苏家垱乡水口村党群服务中心"
    tree.st1.opening_hours = "周一至周五 08:30-17:30"
    tree.st1.responsible_title = "村党支部书记"
    tree.st1.facilities = ["womens_home", "broadcast_room"]
    tree.st1.save()
    VenueFactory(site=tree.st1, name="多功能厅", capacity=120, uses=["study", "film"])
    VenueFactory(site=tree.st1, name="旧仓库", is_active=False)
    html = client.get(f"/places/sites/{tree.st1.id}/").content.decode()
    for text in (
        "苏家垱乡水口村党群服务中心",
        "周一至周五 08:30-17:30",
        "村党支部书记",
        "妇女之家、村广播室",
    ):
        assert text in html
    assert "可容纳 120 人 · 理论学习、放映" in html
    assert "旧仓库" not in html
    assert f'href="/places/sites/{tree.inst1.id}/"' in html  # the parent site


def test_missing_site_page_is_404(client, tree):
    response = client.get("/places/sites/987654/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()

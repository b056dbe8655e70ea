"""Bad input to the places API and pages gets a 4xx with a clear message, never a 500."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import SiteFactory
from xinfeng.places.choices import SiteLevel
from xinfeng.places.models import Site


def post_site(client, body, raw: bool = False):
    data = body if raw else json.dumps(body)
    return client.post("/api/v1/places/sites", data, content_type="application/json")


@pytest.fixture
def staff(api_as, owner):
    return api_as(owner)


def point(tree, **extra):
    return {"name": "水口村祠堂实践点", "level": "point", "region_id": tree.v1.id, **extra}


# Region codes -------------------------------------------------------------------------------


def test_unknown_region_code_lookup_is_404_with_message(client, tree):
    response = client.get("/api/v1/places/regions/by-code/360482999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "没有代码为 360482999999 的区划。", "code": "not_found"}


@pytest.mark.parametrize(
    "code", ["3604", "36048220120a", "3604822012000", "３６０４８２２０１２００"]
)
def test_malformed_region_code_lookup_is_400(client, tree, code):
    response = client.get(f"/api/v1/places/regions/by-code/{code}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_region_code"
    assert "12 位数字" in response.json()["detail"]


def test_site_create_accepts_region_code(staff, tree):
    body = point(tree)
    del body["region_id"]
    response = post_site(staff, {**body, "region_code": "360482201200"})
    assert response.status_code == 201, response.content
    assert response.json()["region_name"] == "水口村"


def test_site_create_with_unknown_region_code_is_400(staff, tree):
    body = point(tree)
    del body["region_id"]
    response = post_site(staff, {**body, "region_code": "360482999999"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "没有代码为 360482999999 的区划。",
        "code": "unknown_region",
    }
    assert not Site.objects.filter(name="水口村祠堂实践点").exists()


def test_site_create_with_unknown_region_id_is_400(staff, tree):
    response = post_site(staff, point(tree, region_id=987654))
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_region"


def test_site_create_needs_exactly_one_region_reference(staff, tree):
    both = post_site(staff, point(tree, region_code="360482201200"))
    assert both.status_code == 400
    assert both.json()["code"] == "region_required"
    body = point(tree)
    del body["region_id"]
    neither = post_site(staff, body)
    assert neither.status_code == 400
    assert neither.json()["code"] == "region_required"


def test_unknown_region_filter_is_404(client, tree):
    response = client.get("/api/v1/places/sites", {"region_id": 987654})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Coordinates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "coords,fragment",
    [
        ({"latitude": 95, "longitude": 115.8}, "latitude: 不能大于 90"),
        ({"latitude": 29.2, "longitude": -181}, "longitude: 不能小于 -180"),
        ({"latitude": "北纬29度", "longitude": 115.8}, "latitude: 应为数字"),
        ({"latitude": [29.2], "longitude": 115.8}, "latitude: 应为数字"),
    ],
)
def test_malformed_coordinates_are_422(staff, tree, coords, fragment):
    response = post_site(staff, point(tree, **coords))
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
    assert response.json()["code"] == "invalid"


def test_latitude_without_longitude_is_400(staff, tree):
    response = post_site(staff, point(tree, latitude=29.2))
    assert response.status_code == 400
    assert "经纬度需同时填写" in response.json()["detail"]


# Names and types --------------------------------------------------------------------------


def test_over_long_name_is_422(staff, tree):
    response = post_site(staff, point(tree, name="很" * 121))
    assert response.status_code == 422
    assert response.json()["detail"] == "name: 最多 120 个字符。"


def test_over_long_name_on_the_page_is_400_with_field_message(owner, tree):
    client = Client()
    client.force_login(owner)
    response = client.post(
        "/places/manage/sites/new/",
        {"name": "很" * 121, "level": "point", "point_kind": "general", "region": tree.v1.id},
    )
    assert response.status_code == 400
    assert "121" in response.content.decode()  # Django: "…最多 120 个字符（现在 121 个）"
    assert not Site.objects.filter(level=SiteLevel.POINT).exists()


@pytest.mark.parametrize(
    "body,fragment",
    [
        ({"name": 5, "level": "point", "region_id": 1}, "name: 应为文本"),
        ({"name": "x", "level": "village", "region_id": 1}, "level: 应为以下之一"),
        ({"name": "x", "level": "point", "region_id": "水口村"}, "region_id: 应为整数"),
        ({"name": "x", "level": "point", "region_id": 1, "is_complex": "maybe"}, "is_complex"),
        ({"name": "x", "level": "point", "region_id": 1, "facilities": "library"}, "facilities"),
        ({"name": "x", "level": "point", "region_id": 1, "facilities": ["spa"]}, "facilities"),
        ({"name": "x", "level": "point", "region_id": 1, "active_from": "soon"}, "active_from"),
        ({"level": "point", "region_id": 1}, "name: 必填"),
    ],
)
def test_wrong_json_types_are_422_with_field_message(staff, tree, body, fragment):
    response = post_site(staff, body)
    assert response.status_code == 422
    assert fragment in response.json()["detail"]


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"a string"', ""])
def test_malformed_json_body_is_4xx(staff, tree, raw):
    response = post_site(staff, raw, raw=True)
    assert response.status_code in (400, 422)
    assert response.json()["detail"]
    assert response.json()["code"] in ("invalid_json", "invalid", "not_an_object")


def test_nul_character_in_body_is_400(staff, tree):
    response = post_site(staff, point(tree, name="水口\u0000村"))
    assert response.status_code == 400
    assert "不允许的字符" in response.json()["detail"]


def test_nul_character_in_query_is_400(client, tree):
    response = client.get("/api/v1/places/sites?q=%00")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_character"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/places/sites/abc",
        "/api/v1/places/sites/0",
        "/api/v1/places/sites/99999999999999999999999",
        "/api/v1/places/regions?parent_id=-1",
        "/api/v1/places/sites?limit=0",
        "/api/v1/places/sites?limit=100000",
        "/api/v1/places/sites?level=village",
        "/api/v1/places/venues?use=spa",
    ],
)
def test_bad_query_and_path_values_are_422(client, tree, url):
    response = client.get(url)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"]


def test_unmatched_api_url_is_json_404(client, db):
    response = client.get("/api/v1/places/nowhere")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Parent chain -----------------------------------------------------------------------------


def test_site_cannot_be_its_own_parent(staff, tree):
    response = staff.patch(
        f"/api/v1/places/sites/{tree.st1.id}",
        {"parent_id": tree.st1.id},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "上级阵地不能是本阵地" in response.json()["detail"]


def test_site_cannot_sit_below_its_own_descendant(staff, tree):
    response = staff.patch(
        f"/api/v1/places/sites/{tree.inst1.id}",
        {"parent_id": tree.st1.id},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "循环" in response.json()["detail"]
    tree.inst1.refresh_from_db()
    assert tree.inst1.parent_id == tree.center.id


def test_cycle_is_found_through_a_long_chain_whatever_the_levels(tree):
    # Levels alone cannot catch a cycle in data whose levels were edited behind the
    # model's back; the walk up the parent chain does.
    a = SiteFactory(name="甲", level=SiteLevel.INSTITUTE, region=tree.t1)
    b = SiteFactory(name="乙", level=SiteLevel.STATION, region=tree.v1, parent=a)
    c = SiteFactory(name="丙", level=SiteLevel.POINT, region=tree.v1, parent=b)
    Site.objects.filter(pk=a.pk).update(level=SiteLevel.POINT)
    a.refresh_from_db()
    a.parent = c
    with pytest.raises(ValidationError) as exc:
        a.full_clean()
    assert "循环" in str(exc.value.message_dict["parent"])


def test_parent_in_an_unrelated_region_is_refused(staff, tree):
    response = post_site(staff, point(tree, parent_id=tree.st2.id))
    assert response.status_code == 400
    assert "上级阵地必须位于本阵地所在区划或其上级区划" in response.json()["detail"]


def test_unknown_parent_is_400(staff, tree):
    response = post_site(staff, point(tree, parent_id=987654))
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_parent"


def test_english_caller_gets_english_message(staff, tree):
    response = staff.post(
        "/api/v1/places/sites",
        json.dumps(point(tree, name="x" * 121)),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "name: At most 120 characters."


@pytest.mark.parametrize(
    "url",
    [
        "/places/sites/99999999999999999999999/",
        "/places/sites/9223372036854775808/",
        "/places/manage/sites/99999999999999999999999/",
    ],
)
def test_absurd_ids_in_page_urls_are_404(owner, url):
    client = Client()
    client.force_login(owner)
    assert client.get(url).status_code == 404


def test_absurd_number_in_a_page_filter_is_not_an_error(client, tree):
    response = client.get("/places/sites/", {"region": "9" * 30})
    assert response.status_code == 200

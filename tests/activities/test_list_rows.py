"""core.serialise.ListRows: API list rows from values() without ninja's per-attribute
getters — field mapping (plain, dotted alias, choice label, derived, another column), None,
float casting, translation once per response, and the schemas of every list that uses it:
their rows validate against the schema and equal what the getter path gave."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from ninja import Field, Schema
from ninja.responses import NinjaJSONEncoder

from tests.factories import SiteFactory, VenueFactory
from xinfeng.activities.api.activities import ACTIVITY_ROWS, NEWS_ROWS
from xinfeng.activities.models import Activity, News
from xinfeng.activities.schemas import ActivityOut, NewsOut
from xinfeng.core.serialise import Derived, ListRows
from xinfeng.places.api import REGION_ROWS, SITE_ROWS, VENUE_ROWS
from xinfeng.places.choices import SiteLevel
from xinfeng.places.models import Site, Venue
from xinfeng.places.schemas import RegionOut, SiteOut, VenueOut
from xinfeng.regions.models import Region


class RowOut(Schema):
    id: int
    name: str
    level_label: str = Field(..., alias="get_level_display")
    region_name: str = Field(..., alias="region.name")
    lat: float | None
    shout: str
    parent_id: int | None


ROWS = ListRows(
    RowOut,
    Site,
    derived={"shout": Derived(lambda r: r["name"].upper() + "!", "name")},
    columns={"lat": "latitude"},
)


def test_columns_are_worked_out_once_from_the_schema():
    assert ROWS.columns == ("id", "name", "level", "region__name", "latitude", "parent_id")
    assert ROWS.names == tuple(RowOut.model_fields)


def test_rows_map_every_field_in_schema_order_with_labels_derived_none_and_floats():
    rows = [
        {
            "id": 1,
            "name": "ab",
            "level": "center",
            "region__name": "共青城市",
            "latitude": 29,  # an int from the database is cast like pydantic casts it
            "parent_id": None,
        },
        {
            "id": 2,
            "name": "cd",
            "level": "gone",  # not a choice: the raw value, as get_level_display gives
            "region__name": "水口村",
            "latitude": None,
            "parent_id": 1,
        },
    ]
    with translation.override("zh-hans"):
        out = ROWS.rows(rows)
    assert out == [
        {
            "id": 1,
            "name": "ab",
            "level_label": "新时代文明实践中心",
            "region_name": "共青城市",
            "lat": 29.0,
            "shout": "AB!",
            "parent_id": None,
        },
        {
            "id": 2,
            "name": "cd",
            "level_label": "gone",
            "region_name": "水口村",
            "lat": None,
            "shout": "CD!",
            "parent_id": 1,
        },
    ]
    assert list(out[0]) == list(RowOut.model_fields)
    assert isinstance(out[0]["lat"], float)
    for row in out:  # the schema takes its own output
        assert RowOut.model_validate(row, by_name=True).model_dump() == row


def test_labels_follow_the_active_language_of_each_response():
    def label():
        row = {"id": 1, "name": "x", "level": SiteLevel.CENTER, "region__name": "r"}
        return ROWS.rows([{**row, "latitude": None, "parent_id": None}])[0]["level_label"]

    with translation.override("en"):
        english = label()
    with translation.override("zh-hans"):
        chinese = label()
    assert chinese == "新时代文明实践中心"
    assert english != chinese and english.isascii()


def test_a_mapping_for_a_field_the_schema_lacks_is_refused():
    with pytest.raises(ValueError, match="nope"):
        ListRows(RowOut, Site, columns={"nope": "name"})


def test_response_is_ninjas_json():
    response = ListRows.response({"items": [{"at": timezone.now()}], "next_cursor": None})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content)["next_cursor"] is None


# Every list that uses the helper: same output as ninja's getter path. ---------------------


def _getter_path(schema, objects) -> list:
    """What ninja sent before: each object validated through the schema (its getters),
    dumped and encoded by ninja's JSON encoder."""
    dumped = [schema.model_validate(o).model_dump() for o in objects]
    return json.loads(json.dumps(dumped, cls=NinjaJSONEncoder))


def _helper_path(rows, qs) -> list:
    return json.loads(rows.response(rows.rows(list(rows.values(qs)))).content)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_places_lists_equal_the_getter_path(tree, language):
    venue = VenueFactory(site=tree.st1)
    Venue.objects.filter(pk=venue.pk).update(opens_at="08:30", closes_at="17:00")
    Site.objects.filter(pk=tree.st1.pk).update(
        latitude=29.25, facilities=["library"], active_until=timezone.now() - timedelta(days=1)
    )
    SiteFactory(name="无坐标", region=tree.v2, parent=tree.inst2)
    with translation.override(language):
        for rows, schema, qs in (
            (REGION_ROWS, RegionOut, Region.objects.order_by("id")),
            (SITE_ROWS, SiteOut, Site.objects.select_related("region").order_by("id")),
            (VENUE_ROWS, VenueOut, Venue.objects.order_by("id")),
        ):
            expected = _getter_path(schema, qs)
            got = _helper_path(rows, qs)
            assert expected and len(got) == len(expected), schema.__name__
            for a, b in zip(got, expected, strict=True):
                assert a == b, {k: (a[k], b[k]) for k in a if a[k] != b[k]}
            for row in rows.rows(list(rows.values(qs))):
                schema.model_validate(row, by_name=True)
    assert {s["is_open"] for s in _helper_path(SITE_ROWS, Site.objects.all())} == {True, False}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_activity_and_news_lists_equal_the_getter_path(make_activity, tree, language):
    venue = VenueFactory(site=tree.st1, name="多功能室")
    make_activity(title="在场所", venue=venue)
    make_activity(title="有地址", address="村口广场", latitude=29.1, longitude=115.8)
    make_activity(title="未发布", publish=False)
    now = timezone.now()
    News.objects.create(site=tree.st1, region=tree.v1, title="新闻", body="正文", published_at=now)
    News.objects.create(
        site=tree.st2, region=tree.v2, title="带图", body="正文", cover="activities/news/x.png"
    )
    Activity.objects.filter(title="有地址").update(cover="activities/covers/a.png")
    activities = Activity.objects.select_related("site", "venue").order_by("id")
    news = News.objects.select_related("site").order_by("id")
    with translation.override(language):
        expected = _getter_path(ActivityOut, activities)
        assert len(expected) == 3 and _helper_path(ACTIVITY_ROWS, activities) == expected
        assert {a["place"] for a in expected} >= {"村口广场", "水口村实践站 · 多功能室"}
        assert _helper_path(NEWS_ROWS, news) == _getter_path(NewsOut, news)
    covers = [n["cover_url"] for n in _helper_path(NEWS_ROWS, news)]
    assert covers[0] is None and covers[1].endswith("activities/news/x.png")

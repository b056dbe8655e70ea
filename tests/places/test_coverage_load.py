"""``manage.py load_population CSV``: the population layer from a file of weighted points."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from xinfeng.places.models import PopulationPoint


@pytest.fixture(autouse=True)
def _chinese():
    """Messages are checked in the default language, whatever an earlier test activated."""
    with translation.override("zh-hans"):
        yield


def write(tmp_path, text, name="pop.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_loads_points_with_region_codes(tree, tmp_path, capsys):
    path = write(
        tmp_path,
        "lat,lng,weight,region_code\n29.25,115.80,120.5,360482201200\n29.26,115.81,80,360482101201\n",
    )
    call_command("load_population", path)
    rows = list(
        PopulationPoint.objects.order_by("id").values_list("region__name", "weight", "source")
    )
    assert rows == [("水口村", 120.5, "pop.csv"), ("江益村", 80.0, "pop.csv")]
    assert "2 points" in capsys.readouterr().out


def test_points_without_region_go_to_the_nearest_village(tree, tmp_path):
    tree.v1.latitude, tree.v1.longitude = 29.30, 115.90
    tree.v1.save()
    tree.v2.latitude, tree.v2.longitude = 29.20, 115.70
    tree.v2.save()
    path = write(tmp_path, "Latitude,Longitude,Population\n29.299,115.899,10\n29.201,115.701,20\n")
    call_command("load_population", path, "--source", "census")
    assert dict(PopulationPoint.objects.values_list("region__name", "weight")) == {
        "水口村": 10.0,
        "江益村": 20.0,
    }


def test_replace_swaps_the_points_of_the_same_source(tree, tmp_path):
    first = write(tmp_path, "lat,lng,weight,region_id\n29.25,115.8,5," + str(tree.v1.pk) + "\n")
    call_command("load_population", first, "--source", "grid")
    call_command("load_population", first, "--source", "other")
    call_command("load_population", first, "--source", "grid", "--replace")
    assert PopulationPoint.objects.filter(source="grid").count() == 1
    assert PopulationPoint.objects.count() == 2


@pytest.mark.parametrize(
    "text,message",
    [
        ("lat,lng\n1,2\n", "lat、lng 和 weight"),
        ("lat,lng,weight\n29.2,abc,5\n", "第 2 行"),
        ("lat,lng,weight\n29.2,115.8,5\n95,115.8,5\n", "第 3 行：经纬度超出范围"),
        ("lat,lng,weight\n29.2,115.8,-1\n", "不能为负"),
        ("lat,lng,weight,region_code\n29.2,115.8,1,999999999999\n", "找不到区划：999999999999"),
        ("", "文件为空"),
    ],
)
def test_bad_files_are_refused_with_the_line(tree, tmp_path, text, message):
    with pytest.raises(CommandError, match=message):
        call_command("load_population", write(tmp_path, text))
    assert PopulationPoint.objects.count() == 0


def test_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_population", str(tmp_path / "nope.csv"))

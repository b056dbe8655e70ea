"""On the seeded demo city (共青城市), every region's dashboard figures, as the dashboard
API serves them from the rollup, equal counts taken independently from the raw tables;
and the page shows the report's site totals."""

import re

from xinfeng.accounts.models import User
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region

from .raw_counts import monthly_mismatches, raw_figures_under
from .test_rollup import COMPARED


def test_every_region_of_the_demo_city_matches_the_raw_tables(api_as, client, demo_city):
    city = demo_city.city  # seeded and rolled up once per session (tests/conftest.py)
    leader = User.objects.get(username="leader")
    api = api_as(leader)
    regions = list(Region.objects.filter(path__startswith=city.path).order_by("path"))
    assert len(regions) > 70
    every_raw = raw_figures_under(city)  # the raw tables read once, split by region
    assert every_raw.keys() == {r.pk for r in regions}
    for region in regions:
        body = api.get(f"/api/v1/insights/regions/{region.pk}/dashboard").json()
        raw = every_raw[region.pk]
        got = {k: body["figures"][k] for k in COMPARED}
        want = {k: (round(raw[k], 2) if k == "service_hours" else raw[k]) for k in COMPARED}
        assert got == want, region.name
        if region.level != RegionLevel.VILLAGE:
            assert monthly_mismatches(body["months"], raw) == [], region.name
    figures = every_raw[city.pk]
    sites = (figures["sites_center"], figures["sites_institute"], figures["sites_station"])
    assert sites == (1, 56, 97)
    assert (figures["sites_complex"], figures["teams_total"]) == (60, 161)
    assert figures["activities_total"] >= 5000
    assert figures["audience_online"] + figures["audience_offline"] >= 200_000
    client.force_login(leader)
    html = client.get(f"/insights/dashboard/{city.pk}/").content.decode()
    for key, value in (("sites_institute", "56"), ("sites_station", "97"), ("sites_complex", "60")):
        m = re.search(rf'data-kpi="{key}"><span class="kpi-value">([^<]*)<', html)
        assert m and m.group(1) == value, key

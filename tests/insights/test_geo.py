"""WGS-84 → GCJ-02 for Chinese tile services, and the region sketch outline."""

import pytest
from django.test import override_settings

from xinfeng.insights.geo import for_map, gcj02_to_wgs84, hull, wgs84_to_gcj02


def test_gcj02_matches_the_published_reference_values():
    # Reference pair from the widely used coordtransform library (Beijing, 天安门 area).
    lat, lng = wgs84_to_gcj02(39.915, 116.404)
    assert lat == pytest.approx(39.91640428150164, abs=1e-9)
    assert lng == pytest.approx(116.41024449916938, abs=1e-9)


def test_gcj02_offset_in_gongqingcheng_is_a_few_hundred_metres():
    lat, lng = wgs84_to_gcj02(29.2486, 115.8056)
    d_north = (lat - 29.2486) * 111_195
    d_east = (lng - 115.8056) * 111_195 * 0.8725
    assert 100 < (d_north**2 + d_east**2) ** 0.5 < 800


def test_inverse_round_trips_to_a_millimetre():
    lat, lng = gcj02_to_wgs84(*wgs84_to_gcj02(29.2486, 115.8056))
    assert lat == pytest.approx(29.2486, abs=1e-8) and lng == pytest.approx(115.8056, abs=1e-8)


def test_outside_china_nothing_moves():
    assert wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)


def test_map_coordinates_follow_the_tile_setting():
    with override_settings(MAP_TILE_CRS="wgs84"):
        assert for_map(29.2486, 115.8056) == (29.2486, 115.8056)
    with override_settings(MAP_TILE_CRS="gcj02"):
        lat, lng = for_map(29.2486, 115.8056)
        assert (lat, lng) == tuple(round(x, 6) for x in wgs84_to_gcj02(29.2486, 115.8056))
    assert for_map(None, 115.8) is None


def test_hull_is_a_closed_ring_around_the_points():
    ring = hull([(0, 0), (2, 0), (0, 2), (2, 2), (1, 1)])
    assert ring[0] == ring[-1] and len(ring) == 5
    assert (1.0, 1.0) not in ring
    assert hull([(0, 0), (1, 1)]) is None
    assert hull([(0, 0), (1, 1), (2, 2)]) is None  # on a line


def test_padded_hull_outlines_even_one_or_two_villages():
    ring = hull([(29.2, 115.8)], pad_deg=0.005)
    assert ring is not None and len(ring) == 5
    assert hull([(29.2, 115.8), (29.21, 115.81)], pad_deg=0.005) is not None

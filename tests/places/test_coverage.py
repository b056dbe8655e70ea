"""The numeric core of the 15-minute circle: radius, projection, KD-tree and greedy pick."""

import math

import numpy as np
import pytest

from xinfeng.places.coverage import (
    LocalProjection,
    covered_mask,
    covered_mask_brute,
    greedy_new_sites,
    haversine_m,
    walk_radius_m,
)


def test_default_walk_is_1125_metres():
    assert walk_radius_m() == pytest.approx(1125.0)
    assert walk_radius_m(minutes=10, speed_kmh=6) == pytest.approx(1000.0)


@pytest.mark.parametrize("minutes,speed", [(0, 4.5), (15, 0), (-1, 4.5), (15, math.inf)])
def test_walk_radius_rejects_nonsense(minutes, speed):
    with pytest.raises(ValueError):
        walk_radius_m(minutes=minutes, speed_kmh=speed)


def test_point_on_the_circle_is_covered_and_just_outside_is_not():
    sites = np.array([[0.0, 0.0]])
    pts = np.array([[1125.0, 0.0], [0.0, -1125.0], [1125.01, 0.0], [800.0, 800.0]])
    assert covered_mask(pts, sites, 1125.0).tolist() == [True, True, False, False]


def test_no_sites_covers_nobody():
    pts = np.zeros((3, 2))
    assert not covered_mask(pts, np.zeros((0, 2)), 1125.0).any()


def test_kdtree_answer_equals_brute_force():
    rng = np.random.default_rng(7)
    pts = rng.uniform(0, 20_000, size=(5000, 2))
    sites = rng.uniform(0, 20_000, size=(60, 2))
    fast = covered_mask(pts, sites, 1125.0)
    assert fast.tolist() == covered_mask_brute(pts, sites, 1125.0).tolist()
    assert 0 < fast.sum() < len(pts)


def test_projection_distances_agree_with_great_circle_in_a_county():
    rng = np.random.default_rng(3)
    lat = 29.25 + rng.uniform(-0.2, 0.2, 500)
    lng = 115.8 + rng.uniform(-0.2, 0.2, 500)
    proj = LocalProjection.around(lat, lng)
    xy = proj.xy(lat, lng)
    planar = np.hypot(xy[1:, 0] - xy[:-1, 0], xy[1:, 1] - xy[:-1, 1])
    sphere = haversine_m(lat[1:], lng[1:], lat[:-1], lng[:-1])
    assert np.max(np.abs(planar - sphere) / sphere) < 0.005


def test_projection_round_trips():
    proj = LocalProjection(29.25, 115.8)
    lat, lng = proj.latlng(proj.xy([29.3], [115.9]))
    assert lat[0] == pytest.approx(29.3) and lng[0] == pytest.approx(115.9)


def test_greedy_picks_the_heaviest_uncovered_cluster():
    # Two uncovered clusters 10 km apart: 3 × 100 residents and 5 × 10 residents.
    heavy = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 100.0]])
    light = np.array([[10_000.0 + 50 * i, 0.0] for i in range(5)])
    pts = np.vstack([heavy, light])
    weights = np.array([100.0] * 3 + [10.0] * 5)
    covered = np.zeros(len(pts), dtype=bool)
    picks = greedy_new_sites(pts, weights, covered, 1125.0, picks=2)
    assert [p.gain for p in picks] == [300.0, 50.0]
    assert picks[0].points == 3 and picks[1].points == 5
    assert abs(picks[0].x) < 200 and abs(picks[1].x - 10_100) < 200


def test_greedy_ignores_covered_residents_and_stops_when_nobody_is_left():
    pts = np.array([[0.0, 0.0], [50.0, 0.0]])
    covered = np.array([True, False])
    picks = greedy_new_sites(pts, np.array([1000.0, 5.0]), covered, 1125.0, picks=3)
    assert len(picks) == 1 and picks[0].gain == 5.0 and picks[0].candidate_index == 1


def test_greedy_with_sampled_candidates_still_finds_the_big_cluster():
    rng = np.random.default_rng(11)
    scattered = rng.uniform(0, 200_000, size=(20_000, 2))
    cluster = rng.normal(50_000, 200, size=(300, 2))
    pts = np.vstack([scattered, cluster])
    weights = np.concatenate([np.ones(20_000), np.full(300, 50.0)])
    picks = greedy_new_sites(
        pts, weights, np.zeros(len(pts), dtype=bool), 1125.0, max_candidates=500
    )
    assert picks[0].gain >= 300 * 50 * 0.9
    assert np.hypot(picks[0].x - 50_000, picks[0].y - 50_000) < 1125

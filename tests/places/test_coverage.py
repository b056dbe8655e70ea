"""The numeric core of the 15-minute circle: radius, projection, KD-tree and greedy pick."""

import math

import numpy as np
import pytest

from xinfeng.places.coverage import (
    chord_m,
    covered_mask,
    covered_mask_brute,
    greedy_new_sites,
    haversine_m,
    to_xyz,
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


def test_sphere_coordinates_give_exact_great_circle_decisions_across_a_province():
    rng = np.random.default_rng(3)
    lat = rng.uniform(24.5, 30.1, 3000)
    lng = rng.uniform(113.6, 118.5, 3000)
    # Pairs about 1,125 m apart in random directions, from all over the province.
    bearing = rng.uniform(0, 2 * np.pi, 3000)
    dist = rng.uniform(1100, 1150, 3000)
    lat2 = lat + np.degrees(dist * np.cos(bearing) / 6_371_008.8)
    lng2 = lng + np.degrees(dist * np.sin(bearing) / (6_371_008.8 * np.cos(np.radians(lat))))
    true = haversine_m(lat, lng, lat2, lng2)
    chord = np.linalg.norm(to_xyz(lat, lng) - to_xyz(lat2, lng2), axis=1)
    assert ((chord <= chord_m(1125.0)) == (true <= 1125.0)).all()


def test_chord_of_a_short_walk_is_the_walk():
    assert chord_m(1125.0) == pytest.approx(1125.0, abs=1e-3)
    assert chord_m(1125.0) < 1125.0


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
    assert picks[0].candidate_index in (0, 1, 2) and picks[1].candidate_index >= 3


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
    spot = pts[picks[0].candidate_index]
    assert np.hypot(spot[0] - 50_000, spot[1] - 50_000) < 1125

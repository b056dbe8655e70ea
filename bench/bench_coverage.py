"""Benchmark: the 15-minute circle for 1,000,000 population points × 10,000 open sites.

Target (docs/design.md): < 3 s on this 2-core machine. The points and sites are spread
over a province-sized box (Jiangxi, ~560 × 490 km) with residents clustered around
villages. The KD-tree answer is checked against a brute-force comparison of a sample with
every site (same coordinates) and against great-circle (haversine) distances.

Prints one JSON line. ``BENCH_COVERAGE_POINTS`` / ``BENCH_COVERAGE_SITES`` / ``BENCH_RUNS``
scale it for quick runs.
"""

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xinfeng.places.coverage import (  # noqa: E402
    chord_m,
    covered_mask,
    covered_mask_brute,
    greedy_new_sites,
    haversine_m,
    to_xyz,
    walk_radius_m,
)

POINTS = int(os.environ.get("BENCH_COVERAGE_POINTS", 1_000_000))
SITES = int(os.environ.get("BENCH_COVERAGE_SITES", 10_000))
RUNS = int(os.environ.get("BENCH_RUNS", 5))
SAMPLE = 2_000
LAT = (24.5, 30.1)
LNG = (113.6, 118.5)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import scipy

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def dataset(rng):
    villages = SITES * 3
    vlat = rng.uniform(*LAT, villages)
    vlng = rng.uniform(*LNG, villages)
    # 80% of residents within ~1.5 km of a village centre, 20% scattered.
    near = int(POINTS * 0.8)
    pick = rng.integers(0, villages, near)
    km = 1.5 / 111.0
    lat = np.concatenate([vlat[pick] + rng.normal(0, km, near), rng.uniform(*LAT, POINTS - near)])
    lng = np.concatenate([vlng[pick] + rng.normal(0, km, near), rng.uniform(*LNG, POINTS - near)])
    weight = rng.integers(1, 60, POINTS).astype(np.float64)
    county = rng.integers(0, 100, POINTS)
    # Sites stand at a third of the villages.
    s = rng.choice(villages, SITES, replace=False)
    return lat, lng, weight, county, vlat[s], vlng[s]


def run_once(lat, lng, weight, county, slat, slng, radius):
    t0 = time.perf_counter()
    pxy = to_xyz(lat, lng)
    sxy = to_xyz(slat, slng)
    covered = covered_mask(pxy, sxy, chord_m(radius))
    per_county_pop = np.bincount(county, weights=weight, minlength=100)
    per_county_cov = np.bincount(county, weights=np.where(covered, weight, 0.0), minlength=100)
    t1 = time.perf_counter()
    picks = greedy_new_sites(pxy, weight, covered, chord_m(radius), picks=1)
    t2 = time.perf_counter()
    share = float(per_county_cov.sum() / per_county_pop.sum())
    return t1 - t0, t2 - t1, share, covered, pxy, sxy, picks


def main():
    rng = np.random.default_rng(2021)
    lat, lng, weight, county, slat, slng = dataset(rng)
    radius = walk_radius_m()
    coverage_s, greedy_s = [], []
    for _ in range(RUNS):
        c, g, share, covered, pxy, sxy, picks = run_once(
            lat, lng, weight, county, slat, slng, radius
        )
        coverage_s.append(c)
        greedy_s.append(g)

    sample = rng.choice(POINTS, min(SAMPLE, POINTS), replace=False)
    t0 = time.perf_counter()
    brute = covered_mask_brute(pxy[sample], sxy, chord_m(radius))
    brute_s = time.perf_counter() - t0
    exact_mismatches = int((brute != covered[sample]).sum())
    # Great-circle check: the nearest site by true distance, for the same sample.
    d_true = np.min(
        haversine_m(lat[sample][:, None], lng[sample][:, None], slat[None, :], slng[None, :]),
        axis=1,
    )
    great_circle_mismatches = int(((d_true <= radius) != covered[sample]).sum())
    brute_full_estimate = brute_s * POINTS / len(sample)
    median = statistics.median(coverage_s)
    print(
        json.dumps(
            {
                "bench": "coverage",
                "points": POINTS,
                "sites": SITES,
                "radius_m": radius,
                "runs": RUNS,
                "coverage_median_s": round(median, 3),
                "coverage_runs_s": [round(x, 3) for x in coverage_s],
                "greedy_pick_median_s": round(statistics.median(greedy_s), 3),
                "target_s": 3.0,
                "meets_target": median < 3.0,
                "covered_share": round(share, 4),
                "suggested_gain": round(picks[0].gain, 1) if picks else 0,
                "check_sample": int(len(sample)),
                "check_exact_mismatches": exact_mismatches,
                "check_great_circle_mismatches": great_circle_mismatches,
                "baseline_brute_force_estimate_s": round(brute_full_estimate, 1),
                "speedup_vs_brute_force": round(brute_full_estimate / median, 1),
                "machine": machine(),
            },
            ensure_ascii=False,
        )
    )
    if exact_mismatches:
        sys.exit("coverage disagrees with the brute-force check")


if __name__ == "__main__":
    main()

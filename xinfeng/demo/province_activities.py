"""Province demo, last part: activities, service projects and the population layer.

See ``province``; ids are pre-assigned and rows go in with COPY (``province_copy``).
"""

from __future__ import annotations

import numpy as np

from xinfeng.activities.models import Activity
from xinfeng.places.models import PopulationPoint, Site
from xinfeng.projects.models import Project

from .province_copy import Choice, heavy_load, next_id, write_block, write_rows
from .province_parts import CATEGORIES, DAY_US, HOURS_US, Geo, _uniform_hours

ACTIVITY_TITLES = np.array(
    [
        "理论宣讲进村组",
        "白衣天使乡村行",
        "心连心课堂",
        "广场舞展演",
        "科普大篷车",
        "普法讲座",
        "颐养之家生日会",
        "每月云讲堂",
        "红领巾宣讲",
        "大手拉小手",
    ]
)


def activities_projects_population(rng, s: float, tree: dict, geo: Geo, now, clock) -> None:
    villages = tree["villages"]
    nv = len(villages)
    village_ids = np.array([v[0] for v in villages], dtype=np.int64)
    now_us = int(now.timestamp() * 1_000_000)
    per_village = 12
    n = nv * per_village
    vill = np.repeat(np.arange(nv), per_village)
    future = rng.random(n) < 0.08
    base = next_id(Activity)
    with heavy_load(Activity):
        for state, mask in (("finished", ~future), ("published", future)):
            k = int(mask.sum())
            idx = vill[mask]
            if state == "finished":
                start = now_us - rng.integers(1, 720, k) * DAY_US + _uniform_hours(rng, k, 8, 19)
            else:
                start = now_us + rng.integers(1, 30, k) * DAY_US + _uniform_hours(rng, k, 8, 19)
            mode_code = rng.choice(3, k, p=[0.7, 0.1, 0.2])  # offline, online, both
            offline = mode_code != 1
            online = mode_code != 0
            past = state == "finished"
            checkin = np.where(offline & past, rng.integers(10, 61, k), 0)
            extra = np.where(offline & past, rng.integers(0, 21, k), 0)
            viewers = np.where(online & past, rng.integers(20, 800, k), 0)
            ids = np.arange(base, base + k, dtype=np.int64)
            base += k
            cols = {
                "id": ids,
                "title": Choice(tuple(ACTIVITY_TITLES), rng.integers(0, len(ACTIVITY_TITLES), k)),
                "description": "",
                "category": Choice(tuple(CATEGORIES[:7]), rng.integers(0, 7, k)),
                "project_id": None,
                "site_id": geo.station_of_village[idx],
                "region_id": village_ids[idx],
                "venue_id": None,
                "latitude": geo.village_lat[idx],
                "longitude": geo.village_lng[idx],
                "starts_at": start,
                "ends_at": start + 2 * HOURS_US,
                "capacity": 80,
                "team_id": None,
                "mode": Choice(("offline", "online", "both"), mode_code),
                "is_cloud_lecture": mode_code == 1,
                "state": state,
                "checkin_code": np.char.zfill(rng.integers(0, 1_000_000, k).astype(str), 6),
                "qr_nonce": np.char.zfill(ids.astype(str), 16),
                "created_by_id": None,
                "published_at": start - 7 * DAY_US,
                "finished_at": (start + 2 * HOURS_US) if past else None,
                "signup_count": np.where(past, checkin, rng.integers(0, 30, k)),
                "waitlist_count": 0,
                "checkin_count": checkin,
                "extra_headcount": extra,
                "online_viewers": viewers,
                "created_at": start - 8 * DAY_US,
                "updated_at": start,
            }
            write_block(Activity, cols, k)
    clock.say(f"{n:,} activities")
    projects = []
    for ci, own in enumerate(geo.county_sites):
        for j in range(min(141, max(5, len(own) // 2))):
            site_id = own[int(rng.integers(0, len(own)))]
            status = "active" if rng.random() < 0.85 else "declared"
            projects.append(
                (
                    f"项目{ci + 1}-{j + 1}",
                    str(CATEGORIES[j % len(CATEGORIES)]),
                    site_id,
                    status,
                    bool(j == 0),
                    int(rng.integers(0, 500)),
                )
            )
    site_region = dict(
        Site.objects.filter(pk__in=[p[2] for p in projects]).values_list("id", "region_id")
    )
    write_rows(
        Project,
        [
            "name",
            "category",
            "site_id",
            "region_id",
            "status",
            "is_provincial_demo",
            "outcome_count",
        ],
        ((p[0], p[1], p[2], site_region[p[2]], p[3], p[4], p[5]) for p in projects),
    )
    clock.say(f"{len(projects):,} service projects")
    points = []
    for v in villages:
        left = v[8]
        for i in range(5):
            w = left if i == 4 else int(v[8] * 0.2)
            left -= w
            points.append(
                (
                    v[0],
                    round(v[9] + rng.normal(0, 0.012), 6),
                    round(v[10] + rng.normal(0, 0.012), 6),
                    float(w),
                    "demo-province",
                )
            )
    write_rows(PopulationPoint, ["region_id", "latitude", "longitude", "weight", "source"], points)
    clock.say(f"{len(points):,} population points")

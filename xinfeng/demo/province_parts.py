"""Province demo, continued: sites and teams, orders, activities, projects, population.

See ``province``; every id is pre-assigned and rows go in with COPY (``province_copy``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xinfeng.activities.models import Activity
from xinfeng.orders.models import FollowUp, Order
from xinfeng.places.models import PopulationPoint, Site
from xinfeng.projects.models import Project
from xinfeng.volunteers.choices import SEVEN_FIELDS, ServiceCategory
from xinfeng.volunteers.models import Team

from .province_copy import Choice, heavy_load, next_id, write_block, write_rows

MODELS = [Order, FollowUp, Activity, Project, PopulationPoint]
HOURS_US = 3_600_000_000
DAY_US = 24 * HOURS_US
CATEGORIES = np.array([c.value for c in ServiceCategory])
TITLES = np.array(
    [
        "上门体检",
        "家电维修",
        "理发服务",
        "陪诊就医",
        "政策咨询",
        "心理疏导",
        "助老送餐",
        "法律咨询",
        "课业辅导",
        "环境整治",
    ]
)
STATE_SHARES = {
    "rated": 0.70,
    "completed": 0.05,
    "in_service": 0.02,
    "accepted": 0.02,
    "dispatched": 0.02,
    "pending_dispatch": 0.02,
    "submitted": 0.02,
    "rejected": 0.05,
    "cancelled": 0.10,
}
OPEN_STATES = {"submitted", "pending_dispatch", "dispatched", "accepted", "in_service", "completed"}


@dataclass
class Geo:
    site_count: int
    team_count: int
    village_county: np.ndarray  # county index of each village
    county_villages: np.ndarray  # [lo, hi) village indices per county
    county_teams: np.ndarray  # [lo, hi) indices into team_ids per county
    team_ids: np.ndarray
    station_of_village: np.ndarray
    county_sites: list  # site ids per county (institutes and stations), for projects
    village_lat: np.ndarray
    village_lng: np.ndarray


def sites_and_teams(tree: dict, rng: np.random.Generator) -> Geo:
    rows = tree["rows"]
    by_parent: dict[int, list] = {}
    for r in rows:
        by_parent.setdefault(r[5], []).append(r)
    site_base, team_base = next_id(Site), next_id(Team)
    sites, teams = [], []
    station_of = {}
    county_sites = []
    village_county, county_villages, county_teams = [], [], []
    vindex = 0

    def site(
        name, level, region, parent_id, lat, lng, is_complex=False, kind="general", facilities=()
    ):
        sid = site_base + len(sites)
        sites.append(
            (
                sid,
                name,
                level,
                kind,
                region[0],
                parent_id,
                f"{region[2]}",
                round(lat, 6),
                round(lng, 6),
                "周一至周日 08:30-17:30",
                "书记",
                list(facilities),
                [],
                is_complex,
            )
        )
        return sid

    def team(name, ttype, parent_id, home_site, region, lat, lng, cats):
        tid = team_base + len(teams)
        teams.append(
            (
                tid,
                name,
                ttype,
                parent_id,
                home_site,
                region[0],
                cats,
                3,
                False,
                round(lat, 6),
                round(lng, 6),
                True,
            )
        )
        return tid

    for ci, county in enumerate(tree["counties"]):
        lat, lng = county[9], county[10]
        center = site(
            f"{county[2]}新时代文明实践中心",
            "center",
            county,
            None,
            lat,
            lng,
            facilities=["party_service", "library", "culture_room"],
        )
        t_lo = len(teams)
        general = team(f"{county[2]}志愿服务总队", "general", None, center, county, lat, lng, [])
        for field in SEVEN_FIELDS:
            team(
                f"{county[2]}{field.label}志愿服务队",
                "specialised",
                general,
                center,
                county,
                lat,
                lng,
                [field.value],
            )
        for k in range(2):
            team(
                f"{county[2]}流动服务{k + 1}队",
                "mobile",
                general,
                center,
                county,
                lat,
                lng,
                ["everyday_help"],
            )
        for k in range(8):
            team(
                f"{county[2]}部门志愿服务队{k + 1}",
                "department",
                general,
                center,
                county,
                lat,
                lng,
                [],
            )
        own_sites = []
        v_lo = vindex
        for town in by_parent.get(county[0], []):
            inst = site(
                f"{town[2]}新时代文明实践所",
                "institute",
                town,
                center,
                town[9],
                town[10],
                facilities=["party_service", "culture_room"],
            )
            own_sites.append(inst)
            team(f"{town[2]}志愿服务队", "village", general, inst, town, town[9], town[10], [])
            for i, vill in enumerate(by_parent.get(town[0], [])):
                complex_ = bool(rng.random() < 0.62)
                st = site(
                    f"{vill[3]}新时代文明实践站",
                    "station",
                    vill,
                    inst,
                    vill[9] + rng.normal(0, 0.002),
                    vill[10] + rng.normal(0, 0.002),
                    is_complex=complex_,
                    facilities=["party_service", "broadcast_room"]
                    if complex_
                    else ["broadcast_room"],
                )
                station_of[vill[0]] = st
                own_sites.append(st)
                if i % 2 == 0:
                    team(
                        f"{vill[3]}志愿服务队", "village", general, st, vill, vill[9], vill[10], []
                    )
                for _ in range(int(rng.poisson(0.4))):
                    site(
                        f"{vill[3]}祠堂新时代文明实践点",
                        "point",
                        vill,
                        st,
                        vill[9] + rng.normal(0, 0.01),
                        vill[10] + rng.normal(0, 0.01),
                        kind="ancestral_hall",
                    )
                village_county.append(ci)
                vindex += 1
        county_villages.append((v_lo, vindex))
        county_teams.append((t_lo, len(teams)))
        county_sites.append(own_sites)
    write_rows(
        Site,
        [
            "id",
            "name",
            "level",
            "point_kind",
            "region_id",
            "parent_id",
            "address",
            "latitude",
            "longitude",
            "opening_hours",
            "responsible_title",
            "facilities",
            "guiding_departments",
            "is_complex",
        ],
        sites,
    )
    write_rows(
        Team,
        [
            "id",
            "name",
            "team_type",
            "parent_id",
            "home_site_id",
            "region_id",
            "service_categories",
            "capacity",
            "standby_24h",
            "latitude",
            "longitude",
            "is_active",
        ],
        teams,
    )
    villages = tree["villages"]
    return Geo(
        site_count=len(sites),
        team_count=len(teams),
        village_county=np.array(village_county, dtype=np.int64),
        county_villages=np.array(county_villages, dtype=np.int64),
        county_teams=np.array(county_teams, dtype=np.int64),
        team_ids=np.array([t[0] for t in teams], dtype=np.int64),
        station_of_village=np.array([station_of[v[0]] for v in villages], dtype=np.int64),
        county_sites=county_sites,
        village_lat=np.array([v[9] for v in villages]),
        village_lng=np.array([v[10] for v in villages]),
    )


def _uniform_hours(rng, n, lo, hi):
    return (rng.uniform(lo, hi, n) * HOURS_US).astype(np.int64)


def orders(rng, n: int, tree: dict, geo: Geo, now, clock) -> None:
    """Orders in every state, each with the step times and deadlines it would have."""
    villages = tree["villages"]
    weights = np.array([v[8] for v in villages], dtype=np.float64)
    weights /= weights.sum()
    village_ids = np.array([v[0] for v in villages], dtype=np.int64)
    now_us = int(now.timestamp() * 1_000_000)
    base = next_id(Order)
    follow_rows = []
    states = list(STATE_SHARES)
    counts = rng.multinomial(n, [STATE_SHARES[s] for s in states])
    with heavy_load(Order):
        for state, k in zip(states, counts, strict=True):
            k = int(k)
            if not k:
                continue
            vill = rng.choice(len(villages), size=k, p=weights)
            ids = np.arange(base, base + k, dtype=np.int64)
            base += k
            recent = state in OPEN_STATES
            if recent:  # still moving: submitted in the last ten days
                submitted = now_us - _uniform_hours(rng, k, 6, 240)
            else:  # closed: any time in the last two years
                submitted = (
                    now_us - rng.integers(20, 720, k) * DAY_US - _uniform_hours(rng, k, 0, 12)
                )
            cols = {
                "id": ids,
                "title": Choice(tuple(TITLES), rng.integers(0, len(TITLES), k)),
                "category": Choice(tuple(CATEGORIES), rng.integers(0, len(CATEGORIES), k)),
                "region_id": village_ids[vill],
                "site_id": geo.station_of_village[vill],
                "latitude": geo.village_lat[vill] + rng.normal(0, 0.004, k),
                "longitude": geo.village_lng[vill] + rng.normal(0, 0.004, k),
                "state": state,
                "submitted_at": submitted,
                "review_due_at": submitted + 24 * HOURS_US,
                "created_at": submitted,
            }
            last = submitted
            steps = _steps_for(state)
            t = submitted
            for step, (lo, hi), done_col in STEPS:
                if step not in steps:
                    break
                t = t + _uniform_hours(rng, k, lo, hi)
                if recent:
                    t = np.minimum(t, now_us - 60_000_000)
                cols[done_col] = t
                last = t
                nxt = NEXT_DUE.get(step)
                if nxt:
                    cols[nxt[0]] = t + nxt[1] * HOURS_US
            if state in ("dispatched", "accepted", "in_service", "completed", "rated"):
                vc = geo.village_county[vill]
                lo_, hi_ = geo.county_teams[vc, 0], geo.county_teams[vc, 1]
                cols["team_id"] = geo.team_ids[lo_ + (rng.random(k) * (hi_ - lo_)).astype(np.int64)]
            waiting = {
                "submitted": "review_due_at",
                "pending_dispatch": "dispatch_due_at",
                "dispatched": "accept_due_at",
                "accepted": "start_due_at",
                "completed": "rate_due_at",
            }.get(state)
            if waiting:
                cols["due_at"] = cols[waiting]
            if state == "rated":
                auto = rng.random(k) < 0.1
                level = rng.choice([5, 4, 3, 2, 1], size=k, p=[0.62, 0.24, 0.08, 0.035, 0.025])
                level = np.where(auto, 4, level).astype(np.int16)
                cols["rated_at"] = np.where(auto, cols["rate_due_at"], cols["rated_at"])
                cols["rating_level"] = level
                cols["rating_is_auto"] = auto
                cols["closed_at"] = cols["rated_at"]
                last = cols["rated_at"]
                low = np.flatnonzero((level <= 2) & ~auto)
                for i in low.tolist():
                    opened = int(cols["rated_at"][i])
                    done = rng.random() < 0.75
                    follow_rows.append(
                        (
                            int(ids[i]),
                            int(cols["site_id"][i]),
                            int(cols["region_id"][i]),
                            "done" if done else "open",
                            _dt(opened),
                            "已回访并改进" if done else "",
                            bool(done),
                            _dt(opened + 2 * DAY_US) if done else None,
                        )
                    )
            elif state == "rejected":
                cols["closed_at"] = cols["reviewed_at"]
            elif state == "cancelled":
                cols["closed_at"] = submitted + _uniform_hours(rng, k, 0.5, 20)
                last = cols["closed_at"]
            cols["updated_at"] = last
            write_block(Order, cols, k)
            clock.say(f"orders {state}: {k:,}")
        write_rows(
            FollowUp,
            [
                "order_id",
                "site_id",
                "region_id",
                "status",
                "opened_at",
                "outcome",
                "resolved",
                "closed_at",
            ],
            follow_rows,
        )
    clock.say(f"{n:,} orders, {len(follow_rows):,} follow-ups")


# step, hours it takes after the previous one (uniform range), the column it sets.
# Deadlines are 24/24/12/72 h and 7 days, so most steps are on time and some late.
STEPS = [
    ("review", (0.1, 30), "reviewed_at"),
    ("dispatch", (0.1, 28), "dispatched_at"),
    ("accept", (0.1, 14), "accepted_at"),
    ("start", (1, 80), "started_at"),
    ("complete", (1, 4), "completed_at"),
    ("rate", (1, 190), "rated_at"),
]
# After a step is done, the deadline of the next one: (column, hours).
NEXT_DUE = {
    "review": ("dispatch_due_at", 24),
    "dispatch": ("accept_due_at", 12),
    "accept": ("start_due_at", 72),
    "complete": ("rate_due_at", 168),
}


def _steps_for(state: str) -> set:
    order = ["review", "dispatch", "accept", "start", "complete", "rate"]
    upto = {
        "submitted": 0,
        "pending_dispatch": 1,
        "dispatched": 2,
        "accepted": 3,
        "in_service": 4,
        "completed": 5,
        "rated": 6,
        "rejected": 1,
        "cancelled": 0,
    }[state]
    return set(order[:upto])


def _dt(us: int):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(us / 1_000_000, tz=UTC)

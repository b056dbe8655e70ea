"""Demo step for ``seed_demo --scale province``: a province-sized data set, bulk-loaded.

江西省 with its 11 prefecture cities and about 100 counties (the real province has 100
county-level divisions), ~1,350 townships and ~19,000 villages, each with practice sites
(a center per county, an institute per township, a station per village, practice points),
~12,500 teams, 1,000,000 volunteers, 10,000,000 verified service records over two years,
1,000,000 orders in every state with step times and deadlines, ~230,000 activities and the
population layer. Names of counties and below are generated, not real.

Every id is assigned here and every region path computed here, so rows go straight in with
COPY (``province_copy``) and nothing is read back. ``XINFENG_PROVINCE_SCALE`` (0 < s ≤ 1,
default 1) shrinks the counts for quick runs. The rollups are built at the end.
"""

from __future__ import annotations

import os
import time

import numpy as np
from django.core.management import call_command
from django.utils import timezone

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment, User
from xinfeng.places.models import Site
from xinfeng.regions.models import PATH_SEGMENT, Region
from xinfeng.volunteers.models import ServiceRecord, Team, Volunteer

from . import province_activities
from . import province_parts as more
from .context import DemoContext
from .names import GIVEN, SURNAMES
from .province_copy import (
    Choice,
    analyze,
    heavy_load,
    next_id,
    reset_sequences,
    write_block,
    write_rows,
)

CITIES = [  # name, code, lat, lng, counties (sums to 100)
    ("南昌市", "3601", 28.68, 115.86, 9),
    ("景德镇市", "3602", 29.27, 117.18, 4),
    ("萍乡市", "3603", 27.62, 113.85, 5),
    ("九江市", "3604", 29.71, 116.00, 13),
    ("新余市", "3605", 27.82, 114.92, 2),
    ("鹰潭市", "3606", 28.26, 117.07, 3),
    ("赣州市", "3607", 25.83, 114.93, 18),
    ("吉安市", "3608", 27.11, 114.99, 13),
    ("宜春市", "3609", 27.81, 114.42, 10),
    ("抚州市", "3610", 27.95, 116.36, 11),
    ("上饶市", "3611", 28.45, 117.94, 12),
]
FIRST = "安福永泰遂万吉峡新宁兴瑞会寻定全龙信崇上大南石广余乐德湖彭都鄱横弋铅玉婺丰高靖宜铜分芦莲"
SECOND = "江平宁安阳昌源城远丰都义山川溪和水州坪田港桥湾岭冈塘"
SERVICE_RECORDS = 10_000_000
ORDERS = 1_000_000
VOLUNTEERS = 1_000_000
CHUNK = 1_000_000
HOURS = np.array([100, 150, 200, 250, 300, 400, 600])  # hundredths
SOURCES = ("activity", "order", "other")
CHECKS = ("qr", "code", "geofence", "leader")


def scale() -> float:
    try:
        s = float(os.environ.get("XINFENG_PROVINCE_SCALE", "1"))
    except ValueError:
        s = 1.0
    return min(max(s, 0.0005), 1.0)


class Clock:
    def __init__(self, ctx):
        self.ctx, self.t0 = ctx, time.monotonic()

    def say(self, what: str) -> None:
        self.ctx.say(f"  province [{time.monotonic() - self.t0:6.1f}s] {what}")


def _place_name(i: int, suffix: str) -> str:
    a, b = divmod(i, len(SECOND))
    return FIRST[a % len(FIRST)] + SECOND[b] + suffix


def build_regions(rng: np.random.Generator, s: float) -> dict:
    """The tree in path order, as parallel lists (ids pre-assigned, paths computed)."""
    base = next_id(Region)
    rows = []  # id, code, name, short_name, level, parent_id, path, depth, population, lat, lng
    counties, townships, villages = [], [], []

    def add(code, name, level, parent, lat, lng, population=None, short=""):
        rid = base + len(rows)
        path = (parent[6] if parent else "") + str(rid).zfill(PATH_SEGMENT)
        row = [
            rid,
            code,
            name,
            short,
            level,
            parent[0] if parent else None,
            path,
            len(path) // PATH_SEGMENT - 1,
            population,
            round(lat, 6),
            round(lng, 6),
        ]
        rows.append(row)
        return row

    province = add("360000000000", "江西省", "province", None, 27.6, 115.9)
    name_i = 0
    for cname, ccode, clat, clng, n_counties in CITIES:
        city = add(f"{ccode}00000000", cname, "city", province, clat, clng)
        for c in range(max(1, round(n_counties * s))):
            lat, lng = clat + rng.normal(0, 0.35), clng + rng.normal(0, 0.35)
            county = add(
                f"{ccode}{c + 1:02d}000000", _place_name(name_i, "县"), "county", city, lat, lng
            )
            name_i += 7
            counties.append(county)
            for t in range(int(rng.integers(10, 18))):
                tlat, tlng = lat + rng.normal(0, 0.12), lng + rng.normal(0, 0.12)
                kind = "镇" if rng.random() < 0.6 else "乡"
                town = add(
                    f"{county[1][:6]}{t + 1:03d}000",
                    _place_name(name_i + t, kind),
                    "township",
                    county,
                    tlat,
                    tlng,
                )
                townships.append(town)
                for v in range(int(rng.integers(8, 21))):
                    vname = _place_name(name_i + 3 * v + t, "村")
                    vill = add(
                        f"{town[1][:9]}{v + 1:03d}",
                        vname + "民委员会",
                        "village",
                        town,
                        tlat + rng.normal(0, 0.03),
                        tlng + rng.normal(0, 0.03),
                        population=int(rng.integers(800, 4200)),
                        short=vname,
                    )
                    villages.append(vill)
    # Populations add up the tree.
    by_id = {r[0]: r for r in rows}
    for r in reversed(rows):
        if r[8] is not None and r[5] is not None:
            parent = by_id[r[5]]
            parent[8] = (parent[8] or 0) + r[8]
    return {"rows": rows, "counties": counties, "townships": townships, "villages": villages}


def write_regions(tree: dict) -> int:
    cols = [
        "id",
        "code",
        "name",
        "short_name",
        "level",
        "parent_id",
        "path",
        "depth",
        "population",
        "latitude",
        "longitude",
    ]
    return write_rows(Region, cols, (tuple(r) for r in tree["rows"]))


def generate(ctx: DemoContext) -> None:
    s = scale()
    rng = np.random.default_rng(ctx.seed)
    clock = Clock(ctx)
    now = timezone.now().replace(microsecond=0)
    tree = build_regions(rng, s)
    write_regions(tree)
    villages, counties = tree["villages"], tree["counties"]
    clock.say(
        f"{len(tree['rows']):,} regions ({len(counties)} counties, "
        f"{len(tree['townships']):,} townships, {len(villages):,} villages)"
    )

    geo = more.sites_and_teams(tree, rng)
    clock.say(f"{geo.site_count:,} practice sites, {geo.team_count:,} teams")

    n_vol = max(50, round(VOLUNTEERS * s))
    n_rec = max(200, round(SERVICE_RECORDS * s))
    n_ord = max(100, round(ORDERS * s))
    vweights = np.array([v[8] for v in villages], dtype=np.float64)
    vweights /= vweights.sum()
    home = rng.choice(len(villages), size=n_vol, p=vweights)  # village index per volunteer
    village_ids = np.array([v[0] for v in villages], dtype=np.int64)
    vol_base = next_id(Volunteer)
    rec_base = next_id(ServiceRecord)

    # Pass 1: each volunteer's total hours (the records are regenerated, same seeds, below).
    totals = np.zeros(n_vol, dtype=np.int64)
    for start in range(0, n_rec, CHUNK):
        vol, hours = _records_head(ctx.seed, start, min(CHUNK, n_rec - start), n_vol)
        totals += np.bincount(vol, weights=hours, minlength=n_vol).astype(np.int64)

    with heavy_load(Volunteer, ServiceRecord):
        _volunteers(rng, n_vol, vol_base, village_ids[home], totals, now)
        clock.say(f"{n_vol:,} volunteers")
        for start in range(0, n_rec, CHUNK):
            c = _records(ctx.seed, start, min(CHUNK, n_rec - start), n_vol, home, geo, now)
            n = len(c["vol"])
            write_block(
                ServiceRecord,
                {
                    "id": np.arange(rec_base + start, rec_base + start + n, dtype=np.int64),
                    "volunteer_id": vol_base + c["vol"],
                    "team_id": c["team"],
                    "region_id": village_ids[c["village"]],
                    "source_type": Choice(SOURCES, c["source"]),
                    "source_id": None,
                    "description": "",
                    "started_at": c["start"],
                    "ended_at": c["end"],
                    "hours": c["hours"],
                    "verification": Choice(CHECKS, c["check"]),
                    "verified_by_id": None,
                    "is_backfill": False,
                    "corrects_id": None,
                    "created_at": c["end"],
                },
                n,
            )
            clock.say(f"service records {start + n:,} / {n_rec:,}")
    more.orders(rng, n_ord, tree, geo, now, clock)
    province_activities.activities_projects_population(rng, s, tree, geo, now, clock)
    loaded = [Region, Site, Team, Volunteer, ServiceRecord, *more.MODELS]
    reset_sequences(*loaded)
    analyze(*loaded)  # fresh planner statistics: COPY leaves none
    _accounts(tree)
    clock.say("sequences reset, demo accounts admin / leader (password xinfeng-demo)")
    call_command("insights_rollup", stdout=ctx.out)
    clock.say("rollups built")


def _records_head(seed: int, start: int, n: int, n_vol: int):
    """The first draws of a chunk (who served, how long): enough for the totals."""
    rng = np.random.default_rng([seed, 77, start])
    vol = rng.integers(0, n_vol, n)
    hours = HOURS[rng.integers(0, len(HOURS), n)]
    return vol, hours


def _records(seed: int, start: int, n: int, n_vol: int, home, geo, now) -> dict:
    """One chunk of service records; the same (seed, start) always gives the same chunk."""
    rng = np.random.default_rng([seed, 77, start])
    vol = rng.integers(0, n_vol, n)
    hours = HOURS[rng.integers(0, len(HOURS), n)]
    village = home[vol].copy()
    away = rng.random(n) < 0.2  # a fifth served elsewhere in their county
    county = geo.village_county[village[away]]
    lo, hi = geo.county_villages[county, 0], geo.county_villages[county, 1]
    village[away] = lo + (rng.random(away.sum()) * (hi - lo)).astype(np.int64)
    vc = geo.village_county[village]
    tlo, thi = geo.county_teams[vc, 0], geo.county_teams[vc, 1]
    team = geo.team_ids[tlo + (rng.random(n) * (thi - tlo)).astype(np.int64)]
    now_us = int(now.timestamp() * 1_000_000)
    day = rng.integers(0, 730, n)
    start_us = now_us - (day * 86_400 + rng.integers(8 * 3600, 20 * 3600, n)) * 1_000_000
    start_us = np.minimum(start_us, now_us - hours * 36_000_000)
    return {
        "vol": vol,
        "village": village,
        "team": team,
        "hours": hours,
        "start": start_us,
        "end": start_us + hours * 36_000_000,
        "source": rng.choice(3, n, p=[0.6, 0.3, 0.1]),
        "check": rng.integers(0, 4, n),
    }


def _volunteers(rng, n: int, base: int, home_ids, totals, now) -> None:
    ids = np.arange(base, base + n, dtype=np.int64)
    surnames = np.array(list(SURNAMES))
    given = np.array(list(GIVEN))
    one = rng.random(n) < 0.3
    names = np.char.add(
        surnames[rng.integers(0, len(surnames), n)], given[rng.integers(0, len(given), n)]
    )
    second = given[rng.integers(0, len(given), n)]
    names = np.where(one, names, np.char.add(names, second))
    birth = np.datetime64("1955-01-01") + rng.integers(0, 365 * 50, n).astype("timedelta64[D]")
    joined = int(now.timestamp() * 1_000_000) - rng.integers(0, 900 * 86_400, n) * 1_000_000
    write_block(
        Volunteer,
        {
            "id": ids,
            "number": np.char.add("V", np.char.zfill(ids.astype(str), 11)),
            "name": names,
            "gender": Choice(("male", "female"), rng.integers(0, 2, n)),
            "birth_date": birth,
            "id_type": "resident_id",
            "id_number_encrypted": "",
            "id_number_hash": None,
            "phone": "",
            "home_region_id": home_ids,
            "political_status": Choice(
                ("masses", "party_member", "league_member"), rng.choice(3, n, p=[0.55, 0.3, 0.15])
            ),
            "is_active": True,
            "total_hours": totals,
            "points_balance": 0,
            "created_at": joined,
            "updated_at": joined,
            "user_id": None,
        },
        n,
    )


def _accounts(tree) -> None:
    province = Region.objects.get(pk=tree["rows"][0][0])
    for username, name, role in (
        ("admin", "系统管理员", Role.SYSTEM_ADMIN),
        ("leader", "省文明办", Role.LEADER),
    ):
        user = User(username=username, display_name=name, home_region=province)
        if role == Role.SYSTEM_ADMIN:
            user.is_staff = user.is_superuser = True
        user.set_password("xinfeng-demo")
        user.save()
        RoleAssignment.objects.create(user=user, role=role, region=province)

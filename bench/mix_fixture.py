"""The people and things of the mixed-load benchmark (``bench/bench_mixed_load.py``), also
used by ``bench/bench_mix_cpu.py``: the demo city seeded once, then each run's own station
operators, residents and volunteers with API tokens, session cookies, activities under way
and coming, and completed orders to rate — written as the JSON fixture ``bench/locustfile.py``
reads. Imported after ``_harness.setup_django``.
"""

import io
import json
import math
import os
from datetime import timedelta
from pathlib import Path

N_STATIONS = 8
N_ONGOING, N_COMING = 40, 20
PER_USER_RPS = 1.0  # every locust user makes one request a second
RESIDENT_RATE_SHARE = 1 / 10  # of a resident's requests, ratings (locustfile task weights)


def fresh_copy(url: str, tmp: str) -> dict:
    """Make ``url``'s database a fresh copy of a template seeded once (``<name>_template``:
    the demo city, migrated, vacuumed and analysed), so every run starts from the same
    data. Reusing one database made each run slower than the one before: every run leaves
    ~4,500 orders (completed ones on one team, whose dispatch facts are read on every
    ranking), sign-ups, tokens and dead rows (this machine's PostgreSQL has autovacuum
    off) — PostgreSQL's CPU per request of the mix rose 1.24 → 2.21 ms over six runs.
    Call before ``setup_django``; returns facts for the bench's line."""
    import secrets
    import subprocess
    import time

    import psycopg
    from _harness import ensure_database, manage

    t0 = time.monotonic()
    base, name = url.rsplit("/", 1)
    template = f"{name}_template"
    env = dict(
        os.environ,
        DATABASE_URL=f"{base}/{template}",
        DJANGO_SETTINGS_MODULE="xinfeng.settings",
        XINFENG_VAR_DIR=tmp,
        XINFENG_DEBUG="0",
        XINFENG_ALLOWED_HOSTS="127.0.0.1",
        XINFENG_LOG_LEVEL="ERROR",
        XINFENG_FAST_PASSWORD_HASHER="1",
    )
    env.setdefault("XINFENG_SECRET_KEY", secrets.token_urlsafe(48))
    env.setdefault("XINFENG_FIELD_KEY", secrets.token_urlsafe(32))
    ensure_database(f"{base}/{template}")
    for args in (["migrate", "--verbosity", "0"], ["seed_demo", "--if-empty"]):
        if manage(*args, env=env, stdout=subprocess.DEVNULL).wait():
            raise RuntimeError(f"manage.py {' '.join(args)} failed on {template}")
    with psycopg.connect(f"{base}/{template}", autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return {"template": template, "copy_s": round(time.monotonic() - t0, 1)}


def seed() -> None:
    """The demo city, once: a database that already has regions is reused."""
    from django.core.management import call_command

    from xinfeng.regions.models import Region

    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        call_command("seed_demo", stdout=io.StringIO())


def _user(username: str, **fields):
    from xinfeng.accounts.models import User

    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def clone_activity(template, tag: str, i: int, starts, ends, capacity: int):
    from xinfeng.activities.models import Activity
    from xinfeng.activities.models.activity import new_checkin_code, new_nonce

    a = Activity.objects.get(pk=template.pk)
    a.pk = a.id = None
    a.title = f"压测活动 {tag}-{i}"
    a.starts_at, a.ends_at, a.capacity = starts, ends, capacity
    a.eligibility, a.team = "everyone", None
    a.checkin_code, a.qr_nonce = new_checkin_code(), new_nonce()
    for f in a._meta.concrete_fields:
        if f.name.endswith("_count") or f.name == "online_viewers":
            setattr(a, f.name, 0)
    a.save(force_insert=True)
    return a


def prepare(tag: str, users: dict[str, int], fixture_path: Path, phases: dict[str, int]) -> dict:
    """This run's people and things; writes the locust fixture. ``users``: locust users by
    kind (``WEIGHTS``); ``phases``: seconds of each locust phase by name (each gets its own
    activities and orders to rate). Returns facts for the bench's line."""
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from xinfeng.accounts.choices import Role
    from xinfeng.accounts.models import ApiToken, RoleAssignment, User
    from xinfeng.activities.models import Activity
    from xinfeng.insights.selectors import dashboard_region
    from xinfeng.orders.models import Order
    from xinfeng.orders.services import order_create
    from xinfeng.orders.services.routing import responsible_site
    from xinfeng.places.models import Site
    from xinfeng.regions.models import Region
    from xinfeng.volunteers.models import Team, Volunteer

    now = timezone.now()
    stations = []
    for village in Region.objects.filter(level="village").order_by("pk"):
        site = responsible_site(village, now)
        if site is not None and site.level == "station":
            stations.append((village, site))
        if len(stations) == N_STATIONS:
            break
    staff = []
    for village, site in stations:
        op = _user(f"mx_op{site.pk}", display_name=f"压测站长{site.pk}", home_region=village)
        RoleAssignment.objects.get_or_create(
            user=op, role=Role.STATION_OPERATOR, region=site.region
        )
        site.operators.add(op)
        # An operator's area holds orders routed to other sites too (a village's older
        # orders went to its town's institute), which it may read but not approve: the
        # queue it works is its own site's.
        staff.append({"token": ApiToken.issue(user=op, name=f"mixed {tag}")[1], "site_id": site.pk})

    n_res = max(users["resident"], 40)
    residents = []
    team = Team.objects.filter(is_active=True).order_by("pk").first()
    per_resident = {
        k: math.ceil(secs * PER_USER_RPS * RESIDENT_RATE_SHARE * 1.5) + 2
        for k, secs in phases.items()
    }
    to_rate_total = 0
    for i in range(n_res):
        village = stations[i % len(stations)][0]
        r = _user(f"mx_r{i}", display_name=f"压测居民{i}", home_region=village)
        RoleAssignment.objects.get_or_create(user=r, role=Role.RESIDENT, region=village)
        to_rate: dict[str, list[int]] = {k: [] for k in phases}
        if i < users["resident"]:  # only the residents locust will play rate
            for phase, count in per_resident.items():
                for n in range(count):
                    order, _created = order_create(
                        actor=r,
                        region=village,
                        title="帮忙修理水管",
                        category="everyday_help",
                        address=f"{n % 12 + 1}组",
                        description="压测：已完成待评价",
                    )
                    to_rate[phase].append(order.pk)
            ids = [pk for pks in to_rate.values() for pk in pks]
            Order.objects.filter(pk__in=ids).update(
                state="completed",
                team=team,
                accepted_at=now,
                started_at=now,
                completed_at=now,
                rate_due_at=now + timedelta(days=7),
                due_at=now + timedelta(days=7),
            )
            to_rate_total += len(ids)
        residents.append(
            {
                "token": ApiToken.issue(user=r, name=f"mixed {tag}")[1],
                "region_id": village.pk,
                "to_rate": to_rate,
            }
        )

    vol_users = list(
        User.objects.filter(
            pk__in=Volunteer.objects.filter(user__isnull=False, is_active=True).values("user_id"),
            is_active=True,
        ).order_by("pk")[: max(users["volunteer"], 40)]
    )
    volunteers = [{"token": ApiToken.issue(user=u, name=f"mixed {tag}")[1]} for u in vol_users]

    template = (
        Activity.objects.filter(state="published", mode="offline", site__isnull=False)
        .order_by("pk")
        .first()
    )
    fixture_phases = {}
    coming: list = []
    with transaction.atomic():
        for phase in phases:
            ongoing = [
                clone_activity(
                    template, tag, i, now - timedelta(minutes=10), now + timedelta(hours=4), 100_000
                )
                for i in range(N_ONGOING)
            ]
            upcoming = [
                clone_activity(
                    template,
                    tag,
                    N_ONGOING + i,
                    now + timedelta(days=2),
                    now + timedelta(days=2, hours=3),
                    50,
                )
                for i in range(N_COMING)
            ]
            coming += upcoming
            fixture_phases[phase] = {
                "signup_activities": [a.pk for a in upcoming],
                "checkin": [{"activity_id": a.pk, "code": a.checkin_code} for a in ongoing],
            }
        Team.objects.update(capacity=1_000_000)
    browse = list(
        Activity.objects.filter(state="published")
        .order_by("-starts_at")
        .values_list("pk", flat=True)[:60]
    )

    def session(username: str, pages: list[tuple[str, str]]) -> dict:
        c = Client()
        c.force_login(User.objects.get(username=username))
        name = settings.SESSION_COOKIE_NAME
        return {"cookie": f"{name}={c.cookies[name].value}", "pages": pages}

    def board(username: str) -> str:
        return (
            f"/insights/dashboard/{dashboard_region(user=User.objects.get(username=username)).pk}/"
        )

    sessions = [
        session("leader", [(board("leader"), "GET /insights/dashboard/[id]/ (leader)")]),
        session(
            "center",
            [
                (board("center"), "GET /insights/dashboard/[id]/ (center)"),
                ("/orders/queue/", "GET /orders/queue/"),
            ],
        ),
        session(
            "station",
            [
                ("/orders/queue/", "GET /orders/queue/"),
                (board("station"), "GET /insights/dashboard/[id]/ (station)"),
            ],
        ),
        session(
            "resident",
            [
                ("/orders/mine/", "GET /orders/mine/"),
                ("/notifications/", "GET /notifications/"),
            ],
        ),
        session(
            "volunteer",
            [
                ("/volunteers/", "GET /volunteers/ (my card)"),
                ("/activities/my/", "GET /activities/my/"),
            ],
        ),
    ]
    fixture = {
        "residents": residents,
        "volunteers": volunteers,
        "staff": staff,
        "sessions": sessions,
        "browse_activities": browse + [a.pk for a in coming[:5]],
        "phases": fixture_phases,
        "sites": list(Site.objects.order_by("pk").values_list("pk", flat=True)[:80]),
    }
    fixture_path.write_text(json.dumps(fixture))
    return {
        "stations": len(staff),
        "residents": len(residents),
        "volunteers": len(volunteers),
        "orders_to_rate": to_rate_total,
        "activities_under_way": N_ONGOING * len(phases),
        "activities_coming": len(coming),
        "resident_ids": [u.pk for u in User.objects.filter(username__startswith="mx_r")],
    }

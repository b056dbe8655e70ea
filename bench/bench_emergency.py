"""Benchmark: a call-out to 10,000 volunteers on PostgreSQL behind gunicorn (issue 14).

Targets: a call-out to 10,000 volunteers is accepted and queued in < 2 s; the worker sends
it at >= 500 messages/s to the logging channel; 200 answers/s over HTTP with 0 errors; the
live board for that call-out renders in < 100 ms.

A private PostgreSQL database (``XINFENG_BENCH_EMERGENCY_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/xinfeng_bench_em``; created if missing, its data
replaced) holds one township, one team of ``XINFENG_BENCH_VOLUNTEERS`` (default 10,000) adult
volunteers with accounts and phones, and a flood incident. gunicorn serves it
(``XINFENG_BENCH_WORKERS`` workers, default 2, ``XINFENG_BENCH_THREADS`` threads each,
default 8) with ``XINFENG_DEBUG=0``; the real worker (``manage.py db_worker``) sends.

- ``queue_s``: ``POST /api/v1/emergency/incidents/<id>/callouts`` (team → 10,000 people) as
  the center admin with an API token, until the 201 (selection, 10,000 queued delivery rows,
  the timeline, the send task queued); median of ``RUNS`` call-outs (all but the last are
  closed at once and never sent).
- ``messages_per_s``: people / seconds from the worker starting the send task to the last
  task finished — each person's inbox message plus the SMS copy through the logging backend.
  Checked: exactly one inbox message and one SMS delivery per person.
- ``answers_per_s``: ``CLIENTS`` phones (threads on keep-alive connections to 127.0.0.1)
  post 来/不来/稍后 to ``/api/v1/emergency/answers/<token>``, each to a different person,
  as fast as answers come back for ``DURATION`` seconds; acknowledged = HTTP 200; stored =
  rows answered in the database; median of ``RUNS`` runs (answers reset between runs).
  ``healthz_per_s``: the same clients on ``/healthz`` just before, the machine's ceiling.
- ``board_ms``: ``GET /emergency/callouts/<id>/board/`` (the fragment htmx polls) as the
  center admin after each answers run; median of the runs' medians, and the full page.

Prints one JSON line.

    .venv/bin/python bench/bench_emergency.py
    XINFENG_BENCH_VOLUNTEERS=2000 XINFENG_BENCH_DURATION=5 .venv/bin/python bench/bench_emergency.py
"""

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import (  # noqa: E402
    client_loop,
    ensure_database,
    gunicorn,
    healthz_per_s,
    http_conn,
    http_request,
    manage,
    setup_django,
)

URL = os.environ.get(
    "XINFENG_BENCH_EMERGENCY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xinfeng_bench_em"
)
N = int(os.environ.get("XINFENG_BENCH_VOLUNTEERS", "10000"))
CLIENTS = int(os.environ.get("XINFENG_BENCH_CLIENTS", "16"))
DURATION = float(os.environ.get("XINFENG_BENCH_DURATION", "10"))
RUNS = int(os.environ.get("XINFENG_BENCH_RUNS", "3"))
WORKERS = int(os.environ.get("XINFENG_BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("XINFENG_BENCH_THREADS", "8"))  # answers wait on commits
BOARD_REQUESTS = int(os.environ.get("XINFENG_BENCH_REQUESTS", "20"))
TARGETS = {"queue_s": 2, "messages_per_s": 500, "answers_per_s": 200, "board_ms": 100}


# ── data ───────────────────────────────────────────────────────────────────────────────
def build() -> dict:
    """The township, the team of N volunteers and the center admin; kept between runs of
    the benchmark while the team has N members (call-outs, messages and tasks are wiped)."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from xinfeng.accounts.choices import Role
    from xinfeng.accounts.models import ApiToken, RoleAssignment, User
    from xinfeng.emergency.models import Callout, Incident
    from xinfeng.notifications.models import Notification
    from xinfeng.places.choices import SiteLevel
    from xinfeng.places.models import Site
    from xinfeng.regions.choices import RegionLevel
    from xinfeng.regions.models import Region
    from xinfeng.volunteers.models import Team, TeamMembership, Volunteer

    call_command("migrate", verbosity=0)
    team = Team.objects.filter(name="蓝天救援队").first()
    if team and TeamMembership.objects.filter(team=team).count() == N:
        Callout.objects.all().delete()
        Incident.objects.all().delete()
        Notification.objects.all().delete()
        DBTaskResult.objects.all().delete()
        staff = User.objects.get(username="center")
        town = Region.objects.get(code="360482200000")
        village = Region.objects.get(code="360482200202")
        return {"staff": staff, "team": team, "town": town, "village": village, "built": False}

    call_command("flush", verbosity=0, interactive=False)
    city = Region.objects.create(
        name="共青城市",
        code="360482000000",
        level=RegionLevel.COUNTY,
        latitude=29.25,
        longitude=115.8,
    )
    town = Region.objects.create(
        name="金湖乡",
        code="360482200000",
        level=RegionLevel.TOWNSHIP,
        parent=city,
        latitude=29.2963,
        longitude=115.814,
    )
    village = Region.objects.create(
        name="江流村",
        code="360482200202",
        level=RegionLevel.VILLAGE,
        parent=town,
        latitude=29.30,
        longitude=115.82,
    )
    site = Site.objects.create(name="实践中心", level=SiteLevel.CENTER, region=city)
    staff = User.objects.create(
        username="center", display_name="周敏", password=make_password(None)
    )
    RoleAssignment.objects.create(user=staff, role=Role.CENTER_ADMIN, region=city)
    ApiToken.objects.filter(user=staff).delete()
    team = Team.objects.create(
        name="蓝天救援队", team_type="social", home_site=site, region=city, standby_24h=True
    )
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                username=f"b{i}", display_name=f"志愿者{i}", phone=f"139{i:08d}", password=password
            )
            for i in range(N)
        ],
        batch_size=2000,
    )
    vols = Volunteer.objects.bulk_create(
        [
            Volunteer(
                user=u,
                number=f"ZYB{i:08d}",
                name=u.display_name,
                phone=u.phone,
                birth_date=date(1990, 1, 1),
                home_region=village,
                privacy_notice_version="2024-1",
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    TeamMembership.objects.bulk_create(
        [TeamMembership(team=team, volunteer=v, status="active", joined_at=now) for v in vols],
        batch_size=2000,
    )
    return {"staff": staff, "team": team, "town": town, "village": village, "built": True}


# ── HTTP ───────────────────────────────────────────────────────────────────────────────
def answers_run(base: str, tokens: list[str]) -> dict:
    """CLIENTS phones answer as fast as answers come back for DURATION seconds, each answer
    to a different person (client i takes tokens i, i + CLIENTS, …), on the shared
    keep-alive client loop (``_harness.client_loop``)."""
    choices = ("coming", "declined", "later")

    def next_request(i: int, k: int):
        n = i + k * CLIENTS
        if n >= len(tokens):
            return None
        return "POST", f"/api/v1/emergency/answers/{tokens[n]}", {"answer": choices[n % 3]}, None

    r = client_loop(base, clients=CLIENTS, seconds=DURATION, next_request=next_request)
    return {
        "answers_per_s": r["per_s"],
        "acknowledged": r["acknowledged"],
        "errors": r["errors"],
        "first_error": r["first_error"],
        "exhausted": r["acknowledged"] + r["errors"] >= len(tokens),
    }


def board_ms(base: str, path: str, cookie: str) -> float:
    conn = http_conn(base)
    times = []
    for i in range(BOARD_REQUESTS + 1):
        t = time.perf_counter()
        status, _ = http_request(conn, "GET", path, headers={"Cookie": cookie})
        if status != 200:
            raise RuntimeError(f"board answered {status}")
        if i:  # the first request warms the worker's caches
            times.append((time.perf_counter() - t) * 1000)
    conn.close()
    return statistics.median(times)


# ── the run ────────────────────────────────────────────────────────────────────────────
def main() -> None:
    ensure_database(URL)
    setup_django(
        tempfile.mkdtemp(prefix="xinfeng-bench-emergency-"),
        hosts="testserver,127.0.0.1",
        env={"XINFENG_BENCH_DATABASE_URL": URL},
    )
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count, Max, Min
    from django.test import Client
    from django_tasks_db.models import DBTaskResult

    from xinfeng.accounts.models import ApiToken
    from xinfeng.emergency.choices import RecipientState
    from xinfeng.emergency.models import Callout, CalloutRecipient
    from xinfeng.emergency.services.callouts import answer_token, callout_close
    from xinfeng.emergency.services.incidents import incident_declare
    from xinfeng.notifications.models import Delivery, Notification

    t = time.perf_counter()
    data = build()
    build_s = time.perf_counter() - t
    staff, team = data["staff"], data["team"]
    incident = incident_declare(
        actor=staff,
        region=data["town"],
        title="金湖乡洪涝",
        kind="flood",
        level=2,
        affected_regions=[data["village"]],
    )
    _, api_token = ApiToken.issue(user=staff, name="bench")
    browser = Client()
    browser.force_login(staff)  # a database session gunicorn reads with the same key
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    with connection.cursor() as c:
        c.execute("SHOW server_version")
        pg = c.fetchone()[0]

    with gunicorn(WORKERS, THREADS) as base:
        # 1. The call-out, accepted and queued over the API.
        conn = http_conn(base)
        queue_times, callout_id = [], None
        for run in range(RUNS):
            t = time.perf_counter()
            status, body = http_request(
                conn,
                "POST",
                f"/api/v1/emergency/incidents/{incident.pk}/callouts",
                {"title": f"江堤集合 {run + 1}", "team_ids": [team.pk]},
                {"Authorization": f"Bearer {api_token}"},
            )
            queue_times.append(time.perf_counter() - t)
            if status != 201:
                raise RuntimeError(f"call-out answered {status}: {body[:300]!r}")
            out = json.loads(body)
            if out["recipients"] != N:
                raise RuntimeError(f"call-out reached {out['recipients']} of {N}")
            callout_id = out["id"]
            if run < RUNS - 1:  # only the last one is sent
                callout_close(actor=staff, callout=Callout.objects.get(pk=callout_id))
        conn.close()
        queued = CalloutRecipient.objects.filter(
            callout_id=callout_id, state=RecipientState.QUEUED
        ).count()

        # 2. The worker sends it (inbox + SMS to the logging channel, which writes one log
        # line per message at INFO), then stops (--batch: when the queue is empty).
        log_path = Path(os.environ["XINFENG_VAR_DIR"]) / "worker.log"
        t = time.perf_counter()
        with open(log_path, "w") as log:
            worker = manage(
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--queue-name",
                "*",
                "--no-reload",
                env=dict(os.environ, XINFENG_LOG_LEVEL="INFO"),
                stderr=log,
                stdout=log,
            )
            worker.wait(1800)
        worker_wall_s = time.perf_counter() - t
        logged = log_path.read_text().count("SMS to ")
        started = DBTaskResult.objects.filter(
            task_path__endswith=".send_callout", args_kwargs__args__0=callout_id
        ).aggregate(first=Min("started_at"))["first"]
        last = DBTaskResult.objects.aggregate(last=Max("finished_at"))["last"]
        failed = DBTaskResult.objects.exclude(status="SUCCESSFUL").count()
        send_s = (last - started).total_seconds()
        sent = CalloutRecipient.objects.filter(
            callout_id=callout_id, state=RecipientState.SENT
        ).count()
        inbox = Notification.objects.filter(kind="emergency.callout").count()
        sms = Delivery.objects.filter(channel="sms", status__in=["sent", "logged"]).count()
        twice = (
            Delivery.objects.values("notification_id", "channel")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )

        # 3. Answers from the phones, and the board after each run.
        healthz = healthz_per_s(base, clients=CLIENTS)
        rows = list(
            CalloutRecipient.objects.filter(callout_id=callout_id)
            .order_by("rank")
            .values_list("pk", flat=True)
        )
        tokens = [answer_token(pk) for pk in rows]
        board_path = f"/emergency/callouts/{callout_id}/board/"
        page_path = f"/emergency/callouts/{callout_id}/"
        runs = []
        for _ in range(RUNS):
            CalloutRecipient.objects.filter(callout_id=callout_id).update(
                state=RecipientState.SENT, answered_at=None
            )
            r = answers_run(base, tokens)
            r["stored"] = CalloutRecipient.objects.filter(
                callout_id=callout_id, answered_at__isnull=False
            ).count()
            r["board_ms"] = board_ms(base, board_path, cookie)
            r["page_ms"] = board_ms(base, page_path, cookie)
            runs.append(r)

    rates = [r["answers_per_s"] for r in runs]
    errors = sum(r["errors"] for r in runs)
    stored_ok = all(r["stored"] == r["acknowledged"] for r in runs)
    messages_per_s = N / send_s if send_s else 0
    result = {
        "bench": "emergency",
        "volunteers": N,
        "database": f"PostgreSQL {pg}",
        "gunicorn": {"workers": WORKERS, "threads": THREADS},
        "build_s": round(build_s, 1),
        "queue_s": round(statistics.median(queue_times), 3),
        "queue_s_runs": [round(x, 3) for x in queue_times],
        "queued": queued,
        "sent": sent,
        "inbox_messages": inbox,
        "sms_deliveries": sms,
        "sms_logged": logged,
        "sent_twice": twice,
        "failed_tasks": failed,
        "send_s": round(send_s, 2),
        "worker_wall_s": round(worker_wall_s, 2),
        "messages_per_s": round(messages_per_s, 1),
        "clients": CLIENTS,
        "duration_s": DURATION,
        "answers_per_s": round(statistics.median(rates), 1),
        "answers_per_s_runs": [round(x, 1) for x in rates],
        "answer_errors": errors,
        "healthz_per_s": round(healthz, 1),
        "first_error": next((r["first_error"] for r in runs if r["first_error"]), None),
        "acknowledged": [r["acknowledged"] for r in runs],
        "stored": [r["stored"] for r in runs],
        "stored_equals_acknowledged": stored_ok,
        "tokens_exhausted": any(r["exhausted"] for r in runs),
        "board_ms": round(statistics.median(r["board_ms"] for r in runs), 1),
        "board_ms_runs": [round(r["board_ms"], 1) for r in runs],
        "board_page_ms": round(statistics.median(r["page_ms"] for r in runs), 1),
        "targets": TARGETS,
        "meets": {
            "queue_s": statistics.median(queue_times) < TARGETS["queue_s"] and queued == N,
            "messages_per_s": messages_per_s >= TARGETS["messages_per_s"]
            and sent == inbox == sms == logged == N
            and not twice,
            "answers_per_s": statistics.median(rates) >= TARGETS["answers_per_s"]
            and errors == 0
            and stored_ok,
            "board_ms": statistics.median(r["board_ms"] for r in runs) < TARGETS["board_ms"],
        },
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

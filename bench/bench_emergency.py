"""Benchmark: a call-out to many volunteers (issue 14).

Targets: a call-out to 10,000 volunteers is accepted and queued in < 2 s; the worker sends
it at >= 500 messages/s to the logging channel; 200 answers/s with 0 errors; the live board
for that call-out renders in < 100 ms.

Builds a throw-away SQLite database (or ``XINFENG_BENCH_DATABASE_URL``, an empty database)
with one township, one team of ``XINFENG_BENCH_VOLUNTEERS`` (default 10,000) adult
volunteers with accounts and phones, and a flood incident; then measures, with
``XINFENG_DEBUG=0``:

- ``queue_s``: ``callout_create`` (selection, one delivery row each, the timeline);
- ``send_per_s``: the worker's ``send_callout`` (inbox rows + sent marks, in batches) and
  the SMS copies through ``deliver_notifications`` with the logging backend, messages per
  second over both;
- ``answers_per_s``: answers posted to ``/api/v1/emergency/answers/<token>`` over real HTTP
  to a threaded WSGI server on 127.0.0.1:``XINFENG_BENCH_HTTP_PORT`` (default 8153) from 8
  client threads (``0``: in-process through the test client), and the errors;
- ``board_ms``: the median render of the board fragment htmx polls.

Prints one JSON line.

    XINFENG_BENCH_VOLUNTEERS=2000 .venv/bin/python bench/bench_emergency.py
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _harness import setup_django as _setup_django  # noqa: E402

N = int(os.environ.get("XINFENG_BENCH_VOLUNTEERS", "10000"))
ANSWERS = int(os.environ.get("XINFENG_BENCH_ANSWERS", "500"))
BOARD_REQUESTS = int(os.environ.get("XINFENG_BENCH_REQUESTS", "20"))
# Answers over real HTTP on this port (>= 8100; 0 = in-process test client instead).
HTTP_PORT = int(os.environ.get("XINFENG_BENCH_HTTP_PORT", "8153"))


def setup_django(tmp: str) -> None:
    _setup_django(tmp, hosts="testserver,127.0.0.1")


def build():
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from xinfeng.accounts.choices import Role
    from xinfeng.accounts.models import RoleAssignment, User
    from xinfeng.places.choices import SiteLevel
    from xinfeng.places.models import Site
    from xinfeng.regions.choices import RegionLevel
    from xinfeng.regions.models import Region
    from xinfeng.volunteers.models import Team, TeamMembership, Volunteer

    call_command("migrate", verbosity=0)
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
    staff = User.objects.create(username="center", display_name="周敏")
    staff.set_password("bench-12345")
    staff.save()
    RoleAssignment.objects.create(user=staff, role=Role.CENTER_ADMIN, region=city)
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
    return staff, team, town, village


def _answers_over_http(paths) -> tuple[float, int]:
    """POST the answers over real HTTP to a threaded WSGI server on 127.0.0.1:HTTP_PORT,
    from 8 client threads (phones answering at once). Returns (seconds, errors)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", HTTP_PORT), Quiet)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    local = threading.local()

    def post(item):
        path, answer = item
        session = getattr(local, "s", None) or requests.Session()
        local.s = session
        r = session.post(f"http://127.0.0.1:{HTTP_PORT}{path}", json={"answer": answer}, timeout=60)
        return r.status_code == 200

    try:
        t = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            ok = list(pool.map(post, paths))
        return time.perf_counter() - t, ok.count(False)
    finally:
        server.shutdown()


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="xinfeng-bench-emergency-")
    setup_django(tmp)
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from xinfeng.emergency.models import CalloutRecipient
    from xinfeng.emergency.services.callouts import answer_token, callout_create, callout_send
    from xinfeng.emergency.services.incidents import incident_declare
    from xinfeng.notifications.models import Notification
    from xinfeng.notifications.tasks import deliver_notifications

    t = time.perf_counter()
    staff, team, town, village = build()
    reverse("home")  # load the URL conf once, as a running worker has
    build_s = time.perf_counter() - t
    incident = incident_declare(
        actor=staff,
        region=town,
        title="金湖乡洪涝",
        kind="flood",
        level=2,
        affected_regions=[village],
    )

    t = time.perf_counter()
    with transaction.atomic():
        callout = callout_create(actor=staff, incident=incident, title="江堤集合", teams=[team])
    queue_s = time.perf_counter() - t

    t = time.perf_counter()
    sent = callout_send(callout.pk)
    ids = list(Notification.objects.filter(kind="emergency.callout").values_list("pk", flat=True))
    inbox_s = time.perf_counter() - t
    t = time.perf_counter()
    delivered = deliver_notifications.call(ids, ["sms"])
    deliver_s = time.perf_counter() - t

    rows = list(CalloutRecipient.objects.filter(callout=callout).values_list("pk", flat=True))
    answers = ["coming", "declined", "later"]
    paths = [
        (f"/api/v1/emergency/answers/{answer_token(pk)}", answers[i % 3])
        for i, pk in enumerate(rows[:ANSWERS])
    ]
    if HTTP_PORT:
        answers_s, errors = _answers_over_http(paths)
    else:
        client = Client()
        errors = 0
        t = time.perf_counter()
        for path, answer in paths:
            r = client.post(path, {"answer": answer}, content_type="application/json")
            errors += r.status_code != 200
        answers_s = time.perf_counter() - t

    board = Client()
    board.force_login(staff)
    url = f"/emergency/callouts/{callout.pk}/board/"
    board.get(url)
    times = []
    for _ in range(BOARD_REQUESTS):
        t = time.perf_counter()
        r = board.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    print(
        json.dumps(
            {
                "bench": "emergency",
                "volunteers": N,
                "build_s": round(build_s, 2),
                "queue_s": round(queue_s, 3),
                "sent": sent,
                "inbox_s": round(inbox_s, 2),
                "delivered": delivered,
                "deliver_s": round(deliver_s, 2),
                "send_per_s": round(sent / (inbox_s + deliver_s), 1) if sent else 0,
                "answers": min(ANSWERS, len(rows)),
                "answers_per_s": round(min(ANSWERS, len(rows)) / answers_s, 1),
                "answer_errors": errors,
                "answers_over": f"http://127.0.0.1:{HTTP_PORT}" if HTTP_PORT else "in-process",
                "board_ms_median": round(statistics.median(times), 1),
                "targets": {"queue_s": 2, "send_per_s": 500, "answers_per_s": 200, "board_ms": 100},
                "python": platform.python_version(),
                "database": os.environ.get("DATABASE_URL", "sqlite")[:10],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()

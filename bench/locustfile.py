"""The people of the mixed-load benchmark (``bench/bench_mixed_load.py``), for locust.

Never imported by the Django app nor by the bench's own process: locust runs this file in a
subprocess of its own, because locust monkey-patches the standard library with gevent as it
starts, and that must not reach the server or the bench's database code.

Everything the people need (API tokens, session cookies, activity ids and check-in codes,
completed orders to rate) comes from the JSON file named by ``XINFENG_MIXED_FIXTURE``,
written by the bench right before. Every task sends exactly ONE request, so the request
rate is users × ``XINFENG_MIXED_PER_USER_RPS``; a multi-step errand (approve → rank teams →
dispatch; sign up → cancel) advances one step per task. Answers other than the expected
status are failures; each request is named by its type (``POST /api/v1/orders/``,
``GET /activities/[id]/`` …) so the figures group by type.

    locust -f bench/locustfile.py --headless -u 200 -r 50 -t 60s --host http://127.0.0.1:8000
"""

import itertools
import json
import os
import random
import time
import uuid
from collections import deque

import gevent
from locust import FastHttpUser, constant_throughput, events, task

FIXTURE = json.loads(open(os.environ["XINFENG_MIXED_FIXTURE"], encoding="utf-8").read())  # noqa: SIM115
PER_USER = float(os.environ.get("XINFENG_MIXED_PER_USER_RPS", "1"))
# How each person's requests are spaced (see ``poisson_arrivals``): ``poisson`` (default),
# or ``lockstep``, locust's ``constant_throughput`` from the moment the user is spawned.
ARRIVALS = os.environ.get("XINFENG_MIXED_ARRIVALS", "poisson")
# The warm-up and the measured run each have their own activities and orders to rate, so
# the run never meets a check-in, sign-up or rating the warm-up already made.
PHASE_NAME = os.environ.get("XINFENG_MIXED_PHASE", "run")
PHASE = FIXTURE["phases"][PHASE_NAME]

# Handed out once each (a token is one person: two users with one token would race for
# the same sign-ups, check-ins and ratings); cycled only if there are more users than people.
_residents = deque(FIXTURE["residents"])
_volunteers = deque(FIXTURE["volunteers"])
_staff = deque(FIXTURE["staff"])
_sessions = itertools.cycle(FIXTURE["sessions"])


# Orders acknowledged (201) by this process and its failures, whatever the statistics
# reset: written at the end for the bench to compare with the orders stored.
ACKNOWLEDGED = {"orders": 0, "failures": 0}


@events.request.add_listener
def _count_failure(exception=None, **_kw):
    # Every failure of the phase, the spawning seconds included: ``--reset-stats`` clears
    # locust's own counts once every user is spawned.
    if exception is not None:
        ACKNOWLEDGED["failures"] += 1


@events.quitting.add_listener
def _write_acknowledged(environment, **_kw):
    path = os.environ.get("XINFENG_MIXED_ACK_FILE")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(ACKNOWLEDGED, f)


def _take(pool: deque) -> dict:
    person = pool.popleft()
    pool.append(person)
    return person


def expect(resp, statuses: tuple[int, ...], parse: bool):
    """Mark ``resp`` failed unless its status is one of ``statuses``; return the JSON body
    when ``parse`` (``None`` when failed or not JSON). Only the errands that need the body
    parse it: the load generator shares the machine with the server, and parsing every
    answer (and failing to, for each HTML page) was CPU taken from the server."""
    if resp.status_code not in statuses:
        resp.failure(f"HTTP {resp.status_code}: {(resp.text or '')[:300]}")
        return None
    resp.success()
    if not parse:
        return None
    try:
        return resp.json()
    except ValueError:
        return None


def order_body(region_id: int, n: int) -> dict:
    return {
        "title": random.choice(["家里屋顶漏水需要帮忙", "老人需要陪同就医", "帮忙代买药品"]),
        "category": "everyday_help",
        "region_id": region_id,
        "address": f"{n % 12 + 1}组{n % 60 + 1}号",
        "description": "白天家里有人，请提前电话联系。",
    }


def poisson_arrivals(rate: float):
    """A wait_time giving each user a Poisson stream of task starts at ``rate`` a second:
    the gaps between starts are exponential, and a start that fell behind (a slow answer)
    is caught up, so the rate stays ``rate`` whatever the server's latency.

    Why not ``constant_throughput``: locust spawns a batch of ``spawn_rate`` users in the
    same instant (``UsersDispatcher`` sends ``floor(spawn_rate)`` users per iteration, once
    a second), and ``constant_throughput`` keeps each user on the beat of its own first
    request. At 200 users and a spawn rate of 40, five groups of 40 people then sent a
    request each in the same millisecond, every second, for the whole run: 40 requests
    queued behind 8 server threads on 2 cores while the rest of the second stayed idle.
    Independent residents do not click in step; the sum of many independent people is a
    Poisson stream, which still has its random clusters (about one second in 27 at 200/s holds
    more than 225 requests)."""

    def wait(user) -> float:
        now = time.monotonic()
        nxt = getattr(user, "_next_start", None)
        nxt = (now if nxt is None else nxt) + random.expovariate(rate)
        user._next_start = nxt
        return max(0.0, nxt - now)

    return wait


class Bench(FastHttpUser):
    abstract = True
    wait_time = (
        constant_throughput(PER_USER) if ARRIVALS == "lockstep" else poisson_arrivals(PER_USER)
    )

    def on_start(self):
        if ARRIVALS != "lockstep":
            # The spawn batch's users would otherwise all send their first request now.
            gevent.sleep(random.expovariate(PER_USER))
        self.setup()

    def setup(self):
        """Take this person's token or cookie from the fixture (per class)."""

    def get(self, path: str, name: str, *statuses: int, headers=None, parse: bool = False):
        with self.client.get(
            path, name=name, headers=headers, catch_response=True, allow_redirects=False
        ) as r:
            return expect(r, statuses or (200,), parse)

    def post(self, path: str, name: str, body, *statuses: int, headers=None, parse=False):
        with self.client.post(
            path, name=name, json=body or {}, headers=headers, catch_response=True
        ) as r:
            return expect(r, statuses or (200,), parse)


class AnonymousReader(Bench):
    """Not signed in: the home page, the site directory, activities, Open311 and the public
    API lists (served from the public read cache when warm)."""

    weight = 50

    @task(3)
    def home(self):
        self.get("/", "GET /")

    @task(2)
    def sites(self):
        self.get("/places/sites/", "GET /places/sites/")

    @task(3)
    def activities(self):
        self.get("/activities/", "GET /activities/")

    @task(3)
    def activity(self):
        a = random.choice(FIXTURE["browse_activities"])
        self.get(f"/activities/{a}/", "GET /activities/[id]/")

    @task(1)
    def site(self):
        s = random.choice(FIXTURE["sites"])
        self.get(f"/places/sites/{s}/", "GET /places/sites/[id]/")

    @task(1)
    def open311_services(self):
        self.get("/open311/v2/services.json", "GET /open311/v2/services.json")

    @task(1)
    def api_activities(self):
        self.get("/api/v1/activities/?limit=20", "GET /api/v1/activities/ (anon)")

    @task(1)
    def api_sites(self):
        self.get("/api/v1/places/sites?limit=50", "GET /api/v1/places/sites (anon)")


class Resident(Bench):
    """A resident with an API token (the mobile app): orders a service, follows their
    orders, rates a completed one."""

    weight = 22

    def setup(self):
        me = _take(_residents)
        self.auth = {"Authorization": f"Bearer {me['token']}"}
        self.region = me["region_id"]
        self.to_rate = list(me["to_rate"][PHASE_NAME])
        self.mine: list[int] = []
        self.n = 0

    @task(3)
    def order(self):
        self.n += 1
        h = {**self.auth, "Idempotency-Key": uuid.uuid4().hex}
        body = self.post(
            "/api/v1/orders/",
            "POST /api/v1/orders/",
            order_body(self.region, self.n),
            201,
            headers=h,
            parse=True,
        )
        if body:
            ACKNOWLEDGED["orders"] += 1
            self.mine.append(body["id"])

    @task(3)
    def my_orders(self):
        self.get(
            "/api/v1/orders/?mine=true&limit=20", "GET /api/v1/orders/?mine", headers=self.auth
        )

    @task(2)
    def my_order(self):
        if not self.mine:
            return self.my_orders()
        o = random.choice(self.mine)
        self.get(f"/api/v1/orders/{o}", "GET /api/v1/orders/[id]", headers=self.auth)

    @task(1)
    def rate(self):
        if not self.to_rate:
            return self.my_orders()
        o = self.to_rate.pop()
        body = {"level": random.choice([5, 5, 5, 4, 4, 3]), "comment": "志愿者很耐心，谢谢！"}
        self.post(
            f"/api/v1/orders/{o}/rate", "POST /api/v1/orders/[id]/rate", body, headers=self.auth
        )

    @task(1)
    def activities(self):
        self.get(
            "/api/v1/activities/?limit=20", "GET /api/v1/activities/ (token)", headers=self.auth
        )


class Volunteer(Bench):
    """A volunteer with an API token: browses activities, signs up (and later cancels),
    checks in at an activity under way with its 6-digit code."""

    weight = 18

    def setup(self):
        me = _take(_volunteers)
        self.auth = {"Authorization": f"Bearer {me['token']}"}
        self.checkins = deque(PHASE["checkin"])
        self.checkins.rotate(random.randrange(len(self.checkins)))
        self.signup: int | None = None

    @task(3)
    def activities(self):
        self.get(
            "/api/v1/activities/?limit=20", "GET /api/v1/activities/ (token)", headers=self.auth
        )

    @task(1)
    def activity(self):
        a = random.choice(PHASE["signup_activities"])
        self.get(f"/api/v1/activities/{a}", "GET /api/v1/activities/[id]", headers=self.auth)

    @task(2)
    def my_signups(self):
        self.get(
            "/api/v1/activities/my/signups", "GET /api/v1/activities/my/signups", headers=self.auth
        )

    @task(3)
    def signup_or_cancel(self):
        if self.signup is None:
            a = random.choice(PHASE["signup_activities"])
            body = self.post(
                f"/api/v1/activities/{a}/signups",
                "POST /api/v1/activities/[id]/signups",
                None,
                201,
                headers=self.auth,
                parse=True,
            )
            self.signup = body["id"] if body else None
        else:
            s, self.signup = self.signup, None
            self.post(
                f"/api/v1/activities/signups/{s}/cancel",
                "POST /api/v1/activities/signups/[id]/cancel",
                None,
                headers=self.auth,
            )

    @task(1)
    def check_in(self):
        if not self.checkins:
            return self.my_signups()
        c = self.checkins.popleft()
        self.post(
            f"/api/v1/activities/{c['activity_id']}/check-in",
            "POST /api/v1/activities/[id]/check-in",
            {"method": "code", "code": c["code"]},
            201,
            headers=self.auth,
        )


class Staff(Bench):
    """A station operator with an API token, one user per station (two would approve the
    same order): takes the newest submitted order, approves it, ranks teams, dispatches."""

    fixed_count = len(FIXTURE["staff"])

    def setup(self):
        me = _take(_staff)
        self.auth = {"Authorization": f"Bearer {me['token']}"}
        self.queue = f"/api/v1/orders/?state=submitted&site_id={me['site_id']}&limit=5"
        self.order: int | None = None
        self.step = "list"
        self.team: int | None = None

    @task
    def next_step(self):
        if self.step == "list":
            body = self.get(
                self.queue,
                "GET /api/v1/orders/?state=submitted",
                headers=self.auth,
                parse=True,
            )
            items = (body or {}).get("items") or []
            if items:
                self.order, self.step = items[0]["id"], "approve"
        elif self.step == "approve":
            self.post(
                f"/api/v1/orders/{self.order}/approve",
                "POST /api/v1/orders/[id]/approve",
                {"reason": "信息完整"},
                headers=self.auth,
            )
            self.step = "rank"
        elif self.step == "rank":
            ranked = self.get(
                f"/api/v1/orders/{self.order}/suggestions?limit=3",
                "GET /api/v1/orders/[id]/suggestions",
                headers=self.auth,
                parse=True,
            )
            self.team = ranked[0]["team_id"] if ranked else None
            self.step = "dispatch" if self.team else "list"
        else:
            self.post(
                f"/api/v1/orders/{self.order}/dispatch",
                "POST /api/v1/orders/[id]/dispatch",
                {"team_id": self.team, "reason": "距离最近，队伍有空"},
                headers=self.auth,
            )
            self.step = "list"


class SignedIn(Bench):
    """Signed in on the web (a session cookie): the leader's and center's dashboards, the
    resident's orders, the volunteer's card, the station's queue, notifications."""

    weight = 6

    def setup(self):
        me = next(_sessions)
        self.cookie = {"Cookie": me["cookie"]}
        self.pages = me["pages"]

    @task
    def page(self):
        path, name = random.choice(self.pages)
        self.get(path, name, headers=self.cookie)


class Floor(Bench):
    """The floor, measured in the same run by its own locust process (named on the command
    line; the mix leaves it out): as many users at the same pace asking ``/healthz``, which
    touches no database — what this machine gives right now to any request."""

    @task
    def healthz(self):
        self.get("/healthz", "GET /healthz")

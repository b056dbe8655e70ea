"""Reads from a real PostgreSQL hot standby (issue 18): a replica read, read-your-writes, a
lagging replica (replay paused) and a replica that goes down, against the standby that
`scripts/pg_standby.sh` runs on 127.0.0.1:5433 (`.ci/run` starts it). The page keeps working
in every case; only where it reads from changes."""

import os
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.db.utils import load_backend

from xinfeng.accounts.models import ApiToken, User
from xinfeng.core import db_router

from ..factories import UserFactory

PORT = int(os.environ.get("XINFENG_STANDBY_PORT", "5433"))
SCRIPT = Path(django_settings.BASE_DIR) / "scripts" / "pg_standby.sh"

# One worker runs them all, one after another: one of them stops the standby, and the
# others, on another worker at that moment, would find no standby.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("pg_standby")]


def _standby_up() -> bool:
    try:
        with psycopg.connect(
            host="127.0.0.1", port=PORT, user="postgres", dbname="postgres", connect_timeout=2
        ) as c:
            return bool(c.execute("SELECT pg_is_in_recovery()").fetchone()[0])
    except psycopg.Error:
        return False


@pytest.fixture
def standby(postgres_only):
    # A standby being restarted (by the test that stops it) gets a while to come back.
    deadline = time.monotonic() + 30
    while not _standby_up():
        if time.monotonic() > deadline:
            why = (
                f"no PostgreSQL hot standby on 127.0.0.1:{PORT}: start one with "
                "`scripts/pg_standby.sh start` (.ci/run does)"
            )
            if os.environ.get("XINFENG_REQUIRE_STANDBY"):  # CI: a missing standby fails
                pytest.fail(why)
            pytest.skip(why)
        time.sleep(0.5)
    name = connection.settings_dict["NAME"]
    admin = psycopg.connect(
        host="127.0.0.1", port=PORT, user="postgres", dbname=name, autocommit=True
    )
    yield admin
    admin.close()
    # Whatever the test did (paused replay, stopped and restarted the standby): resume.
    with psycopg.connect(
        host="127.0.0.1", port=PORT, user="postgres", dbname="postgres", autocommit=True
    ) as again:
        again.execute("SELECT pg_wal_replay_resume()")


@pytest.fixture
def replica(standby, settings):
    """The alias `replica` on the standby, the router and the middleware switched on."""
    spec = dict(connections.settings["default"])
    spec.update(PORT=PORT, HOST="127.0.0.1", OPTIONS={"connect_timeout": 2})
    # A connection made here, not declared in DATABASES: the test case guards only the
    # declared aliases (dynamically created connections are allowed); removed again below.
    connections["replica"] = load_backend(spec["ENGINE"]).DatabaseWrapper(spec, "replica")
    settings.DATABASE_REPLICAS = ["replica"]
    settings.DATABASE_ROUTERS = [settings.DB_ROUTER]
    mw = list(settings.MIDDLEWARE)
    mw.insert(
        mw.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        settings.DB_RYW_MIDDLEWARE,
    )
    settings.MIDDLEWARE = mw
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 600
    db_router.health.forget()
    yield "replica"
    connections["replica"].close()
    del connections["replica"]
    db_router.health.forget()


def _on_replica(sql: str, params=()) -> object:
    with connections["replica"].cursor() as c:
        c.execute(sql, params)
        return c.fetchone()[0]


def _caught_up(admin) -> None:
    """Wait until the standby has replayed everything the primary committed so far.

    The target is the WAL *insert* position: test connections commit with
    ``synchronous_commit=off`` (tests/conftest.py), so a commit's record can still sit in
    the WAL buffers, past ``pg_current_wal_lsn()`` (the write position), when this runs.
    Waiting for the write position then returned before the commit was replayed, and the
    replica did not have the row yet (the 401 seen in CI). The WAL writer flushes such
    commits within a few ``wal_writer_delay``s, and the standby replays them."""
    with connection.cursor() as c:
        c.execute("SELECT pg_current_wal_insert_lsn()")
        target = c.fetchone()[0]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = admin.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)).fetchone()[
            0
        ]
        if done:
            return
        time.sleep(0.05)
    raise AssertionError("the standby did not catch up in 60 s")


def _why_not_signed_in(response) -> dict:
    """What a failed signed-in read had to go on: the session's user on each side and the
    router's view of the replica (how the 401 of ``_caught_up``'s docstring was found)."""
    from django.contrib.sessions.models import Session

    key = response.wsgi_request.COOKIES.get(django_settings.SESSION_COOKIE_NAME)
    session = Session.objects.using("default").filter(session_key=key).first()
    user_id = session.get_decoded().get("_auth_user_id") if session else None
    return {
        "session_on_primary": session is not None,
        "user_id": user_id,
        "user_on_primary": user_id is not None
        and User.objects.using("default").filter(pk=user_id).exists(),
        "user_on_replica": user_id is not None
        and _on_replica("SELECT count(*) FROM accounts_user WHERE id = %s", (user_id,)),
        "healthy": dict(db_router.health.healthy),
        "lag": dict(db_router.health.lag),
    }


def _lagging_beyond(admin, seconds: float) -> None:
    """Wait (polling, not a fixed sleep) until the standby's replay lag, measured as the
    router measures it, exceeds ``seconds``: WAL received but not replayed, and its last
    replayed commit older than that."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lag = admin.execute(
            "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
            " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
        ).fetchone()[0]
        if lag > seconds:
            return
        time.sleep(0.05)
    raise AssertionError(f"the standby did not lag beyond {seconds} s in 60 s")


def _token_names(client) -> set[str]:
    r = client.get("/api/v1/accounts/tokens")
    assert r.status_code == 200, (r.content, _why_not_signed_in(r))
    return {t["name"] for t in r.json()}


def test_reads_go_to_the_replica_and_writers_read_their_writes(replica, standby, client, settings):
    user = UserFactory(username="ryw")
    reader = UserFactory(username="reader")  # writes nothing: never pinned to the primary
    ApiToken.objects.create(user=user, name="old", key_hash="x" * 64, prefix="old")
    ApiToken.objects.create(user=reader, name="r", key_hash="z" * 64, prefix="r")
    _caught_up(standby)
    client.force_login(user)
    assert _token_names(client) == {"old"}
    assert db_router.health.healthy["replica"] is True  # served by a replica in time

    standby.execute("SELECT pg_wal_replay_pause()")
    ApiToken.objects.create(user=user, name="behind", key_hash="y" * 64, prefix="behind")
    # Not on the replica yet: a read that lists only "old" was served by the replica.
    assert _on_replica("SELECT count(*) FROM accounts_apitoken WHERE user_id = %s", (user.pk,)) == 1
    assert _token_names(client) == {"old"}

    # The person writes through the platform: from now on they read the primary.
    r = client.post("/api/v1/accounts/tokens", {"name": "mine"}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert db_router.COOKIE in r.cookies
    assert _token_names(client) == {"old", "behind", "mine"}
    # Also from another browser of the same account (the pin is kept per account too).
    other = type(client)()
    other.force_login(user)
    assert _token_names(other) == {"old", "behind", "mine"}

    # The replica itself is still behind (replay paused).
    assert _on_replica("SELECT count(*) FROM accounts_apitoken") == 2  # "old" and "r"

    # The replica lags beyond the limit: reads fall back to the primary, the page works.
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 0.5
    # Every replica read checks the lag first (not the last answer of up to 2 s ago).
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0
    _lagging_beyond(standby, 0.5)
    fresh = type(client)()
    fresh.force_login(user)
    assert _token_names(fresh) == {"old", "behind", "mine"}
    # Someone who wrote nothing would read the replica: it is found lagging, and their page
    # is read from the primary instead.
    theirs = type(client)()
    theirs.force_login(reader)
    assert _token_names(theirs) == {"r"}
    assert db_router.health.healthy["replica"] is False
    assert db_router.health.lag["replica"] > 0.5


def test_a_replica_that_goes_down_mid_request_falls_back_to_the_primary(
    replica, standby, client, settings
):
    user = UserFactory(username="down")
    ApiToken.objects.create(user=user, name="t1", key_hash="z" * 64, prefix="t1")
    _caught_up(standby)
    client.force_login(user)
    assert _token_names(client) == {"t1"}
    assert db_router.health.healthy["replica"] is True

    # The router believes the replica healthy for a minute, and the replica stops.
    settings.DATABASE_REPLICA_CHECK_SECONDS = 60
    subprocess.run([str(SCRIPT), "stop"], check=True, capture_output=True, timeout=120)
    try:
        connections["replica"].close()
        anonymous_then_user = type(client)()
        anonymous_then_user.force_login(user)
        assert _token_names(anonymous_then_user) == {"t1"}  # retried on the primary
        assert db_router.health.healthy["replica"] is False
        # And the next reads go straight to the primary.
        assert _token_names(anonymous_then_user) == {"t1"}
    finally:
        subprocess.run([str(SCRIPT), "start"], check=True, capture_output=True, timeout=300)


def test_writes_locks_and_transactions_stay_on_the_primary(replica, standby):
    from django.db import router, transaction

    from xinfeng.accounts.models import User

    assert router.db_for_write(User) == "default"
    assert router.db_for_read(User) == "replica"
    # The worker reads the primary while it runs; one round run in-process (tests, cron)
    # leaves its caller as it was.
    from django.core.management import call_command

    call_command("worker", "--once")
    assert router.db_for_read(User) == "replica"
    with transaction.atomic():
        assert router.db_for_read(User) == "default"
    token = db_router.pin()
    try:
        assert router.db_for_read(User) == "default"
    finally:
        db_router.unpin(token)
    # The task queue, sessions and the worker's own rows never read a replica.
    from django.contrib.sessions.models import Session
    from django_tasks_db.models import DBTaskResult

    assert router.db_for_read(DBTaskResult) == "default"
    assert router.db_for_read(Session) == "default"
    assert router.allow_migrate("replica", "accounts") is False

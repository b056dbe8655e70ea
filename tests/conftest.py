"""Shared fixtures: a small region tree with the three users every scope test needs
(an owner with a role at the place, a member of the public, an outsider with a role
elsewhere), API clients, and the demo city seeded once per session (``demo_city``)."""

import signal
import time
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import ApiToken
from xinfeng.places.choices import SiteLevel
from xinfeng.regions.choices import RegionLevel

from .factories import RegionFactory, SiteFactory, UserFactory, grant


def pytest_configure(config):
    """Compile the .po catalogs (as `make test` does) so English pages can be tested from a
    bare `pytest` run too; reset Django's catalog cache if anything was (re)compiled. Under
    xdist the controller compiles them before it starts the workers, which only read them
    (two workers writing one .mo file at once could let a third read half of it)."""
    # pytest-xdist registers this marker; `-p no:xdist` with --strict-markers would refuse
    # the demo-city tests' ``xdist_group`` without it.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one worker")
    # Rollups after a change run at once in tests (tests/insights/test_rollup.py sets the
    # production gap to test it).
    from django.conf import settings

    settings.ROLLUP_CHANGE_GAP_SECONDS = 0
    if hasattr(config, "workerinput"):
        return
    out = StringIO()
    call_command("compile_catalogs", stdout=out)
    if not out.getvalue().startswith("catalogs: 0 "):
        from asgiref.local import Local
        from django.utils.translation import trans_real

        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = Local()


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """Hash test and demo passwords with a fast hasher (PBKDF2 costs ~0.3 s a password),
    whether or not XINFENG_FAST_PASSWORD_HASHER is set."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Uploads go to this session's own temporary directory (one per xdist worker), never
    to var/media of the checkout, which `make run` serves and parallel runs would share."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True)
def signal_handlers():
    """Give the process back its signal handlers after each test: ``call_command("db_worker")``
    in a test installs django-tasks' SIGINT/SIGTERM handlers (``sys.exit(0)``), after which a
    stray signal ends an xdist worker quietly instead of as a crash xdist reports."""
    kinds = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {kind: signal.getsignal(kind) for kind in kinds}
    yield
    for kind, handler in saved.items():
        if signal.getsignal(kind) is not handler:
            signal.signal(kind, handler)


@pytest.fixture(autouse=True)
def default_language():
    """Start every test in the default language. A request through the test client leaves
    its language (e.g. English from Accept-Language) active in the thread afterwards, which
    would otherwise leak into the next test's service calls."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    _give_unique_node_ids(items)
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)
    # The tests on the demo city run first, as one block (those with a live server or their
    # own commits at its end): under xdist (`make test`, `--dist loadgroup`) their
    # ``xdist_group`` sends the whole block to one worker, which starts on it at once while
    # the other workers take the rest, so the longest chain of the run is not left for its
    # end; the city is built once per run. A database test after the block empties the
    # database first (``pytest_runtest_setup``), so it never finds the city there.
    city = [item for item in items if _uses_demo_city(item)]
    if city:
        others = [item for item in items if not _uses_demo_city(item)]
        items[:] = sorted(city, key=_is_transactional) + others
        for item in city:
            item.add_marker(pytest.mark.xdist_group("demo_city"))
    # Every test with an ``xdist_group`` (the city's, a module's ``pytestmark``) joins it.
    for item in items:
        for marker in item.iter_markers("xdist_group"):
            group = marker.args[0] if marker.args else marker.kwargs.get("name")
            if group:
                _join_xdist_group(config, item, group)
                break


def _give_unique_node_ids(items) -> None:
    """Schemathesis' items (one per API operation) all share their test function's node id
    (``test_every_operation_with_every_check``), the operation being in ``item.name`` only.
    pytest-xdist schedules by node id: of 268 items with one id it ran the first and dropped
    the rest without a word (~18 % of the suite). Each such item gets the id its name
    gives it (``…::test_x[GET /api/v1/…]``); an id still shared afterwards stops the run."""
    seen: dict[str, int] = {}
    for item in items:
        seen[item.nodeid] = seen.get(item.nodeid, 0) + 1
    for item in items:
        if seen[item.nodeid] > 1 and not item.nodeid.endswith(f"::{item.name}"):
            _set_node_id(item, item.nodeid.rsplit("::", 1)[0] + f"::{item.name}")
    ids = [item.nodeid for item in items]
    shared = (
        sorted({nodeid for nodeid in ids if ids.count(nodeid) > 1})
        if len(set(ids)) < len(ids)
        else []
    )
    if shared:
        raise pytest.UsageError(f"tests share a node id (xdist would skip them): {shared[:5]}")


def _set_node_id(item, nodeid: str) -> None:
    try:
        from _pytest.nodeid import coerce_node_id
    except ImportError:  # pytest < 9 keeps the id in ``_nodeid``
        item._nodeid = nodeid
        return
    item._id = coerce_node_id(nodeid)


def _join_xdist_group(config, item, group: str) -> None:
    """What xdist 3.8 does for ``xdist_group`` under ``--dist loadgroup`` (the group name
    appended to the test id, which is how its scheduler groups tests), done here because
    pytest 9 keeps a test's id in ``_id``: xdist's own ``item._nodeid = …`` no longer
    changes it, and the city tests would silently spread over every worker."""
    if not hasattr(config, "workerinput") or not getattr(config.option, "loadgroup", False):
        return
    try:
        import _pytest.nodeid  # noqa: F401  (pytest ≥ 9)
    except ImportError:  # pytest < 9: xdist's own hook appends the group
        return
    if not item.nodeid.endswith(f"@{group}"):
        _set_node_id(item, f"{item.nodeid}@{group}")


_reported: set[str] = set()


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _reported.add(report.nodeid)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Fail a run that reported fewer tests than it collected: a test that is neither run
    nor reported (a scheduler dropping it, a worker leaving early) must not pass silently.
    Not after ``-x``/``--maxfail``, Ctrl-C, or with ``--collect-only``."""
    config = session.config
    if hasattr(config, "workerinput") or config.option.collectonly:
        return
    if session.shouldstop or session.shouldfail or exitstatus not in (0, 1):
        return
    missing = session.testscollected - len(_reported)
    if missing > 0:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        message = (
            f"{missing} of {session.testscollected} collected tests were neither run nor "
            "reported; failing the run"
        )
        if reporter is not None:
            reporter.write_line(message, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# ── The demo city, seeded once per test session ───────────────────────────────────────
# `seed_demo --scale city --seed 2021` takes ~10 s on a quiet two-core machine (~40 s on a
# busy one); tests that want the whole city share one build. The session fixture commits it
# to the test database (SQLite or PostgreSQL, one per xdist worker) the first time a city
# test starts; each test then runs in its own transaction (pytest-django's ``db``), rolled
# back afterwards, so what a test changes never reaches the next. A test with a live server
# (or ``transaction=True``) sees the committed city too; pytest-django empties the database
# after such a test, so they end the city block, and a city test after one builds the city
# again (in its own transaction). The first database test after the block empties the
# database. Under xdist the block goes to one worker (``--dist loadgroup``), so the city is
# built once per run, not once per worker.
DEMO_CITY_CODE = "360482000000"
DEMO_CITY_SEED = 2021
_demo_city_committed = {"now": False}


def _uses_demo_city(item) -> bool:
    return "demo_city" in getattr(item, "fixturenames", ())


def _is_transactional(item) -> bool:
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    return bool(
        "live_server" in names
        or "transactional_db" in names
        or (marker is not None and marker.kwargs.get("transaction"))
    )


def _uses_db(item) -> bool:
    names = getattr(item, "fixturenames", ())
    return item.get_closest_marker("django_db") is not None or "_django_db_helper" in names


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A database test that runs after the demo city was committed (after the city block,
    or any order a plugin or ``-p no:…`` gives) first empties the test database, as
    pytest-django does after a transactional test; a later city test builds it again."""
    if _demo_city_committed["now"] and not _uses_demo_city(item) and _uses_db(item):
        from django.core.cache import cache
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            call_command("flush", interactive=False, verbosity=0)
        cache.clear()
        _demo_city_committed["now"] = False


def _seed_demo_city() -> SimpleNamespace:
    """``seed_demo --if-empty --scale city --seed 2021`` (what `make run` runs) and the
    rollup the worker would run; returns what it printed, built and took."""
    from xinfeng.demo.management.commands.seed_demo import Command as SeedDemo
    from xinfeng.insights.rollup import run_rollup

    command, out = SeedDemo(), StringIO()
    started = time.monotonic()
    call_command(
        command, "--if-empty", "--scale", "city", "--seed", str(DEMO_CITY_SEED), stdout=out
    )
    run_rollup()
    return SimpleNamespace(
        ctx=command.context, output=out.getvalue(), seconds=time.monotonic() - started
    )


@pytest.fixture(scope="session")
def demo_city_session(django_db_setup, django_db_blocker):
    """The demo city committed to the (empty) test database, once per session; the
    database is emptied again at the end (as pytest-django does after a transactional
    test), so a reused test database starts empty. Tests use ``demo_city``."""
    from xinfeng.regions.models import Region

    with django_db_blocker.unblock():
        if Region.objects.exists():
            raise RuntimeError("the test database is not empty; cannot seed the demo city")
        built = _seed_demo_city()
    _demo_city_committed["now"] = True
    yield built
    _demo_city_committed["now"] = False
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo_city(demo_city_session, db):
    """The demo city of seed 2021 (共青城市 with the report's totals, every step of
    ``seed_demo`` and a rollup), in this test's transaction: whatever the test changes is
    rolled back. ``city`` is the city's Region, ``ctx`` the generator's context (its
    ``data``: regions, sites, users, teams, volunteers …; read-only, shared by every test),
    ``output`` what ``seed_demo`` printed."""
    from django.core.cache import cache

    from xinfeng.regions.models import Region

    built = demo_city_session
    city = Region.objects.filter(code=DEMO_CITY_CODE).first()
    if city is None:  # a test with a live server ran before and emptied the database
        built = _seed_demo_city()
        city = Region.objects.get(code=DEMO_CITY_CODE)
    cache.clear()  # figures cached by an earlier test must not answer for this one
    return SimpleNamespace(
        city=city,
        ctx=built.ctx,
        users=built.ctx.data["users"],
        output=built.output,
        seconds=built.seconds,
    )


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real row locks and concurrency; CI runs it there")


@pytest.fixture
def tree(db):
    """city → two townships → a village each; one institute and one station."""
    city = RegionFactory(name="共青城市", code="360482000000", level=RegionLevel.COUNTY)
    t1 = RegionFactory(
        name="苏家垱乡", code="360482201000", level=RegionLevel.TOWNSHIP, parent=city
    )
    t2 = RegionFactory(name="江益镇", code="360482101000", level=RegionLevel.TOWNSHIP, parent=city)
    v1 = RegionFactory(name="水口村", code="360482201200", level=RegionLevel.VILLAGE, parent=t1)
    v2 = RegionFactory(name="江益村", code="360482101201", level=RegionLevel.VILLAGE, parent=t2)
    center = SiteFactory(name="实践中心", level=SiteLevel.CENTER, region=city)
    inst1 = SiteFactory(name="苏家垱乡实践所", level=SiteLevel.INSTITUTE, region=t1, parent=center)
    inst2 = SiteFactory(name="江益镇实践所", level=SiteLevel.INSTITUTE, region=t2, parent=center)
    st1 = SiteFactory(name="水口村实践站", level=SiteLevel.STATION, region=v1, parent=inst1)
    st2 = SiteFactory(name="江益村实践站", level=SiteLevel.STATION, region=v2, parent=inst2)
    return SimpleNamespace(
        city=city,
        t1=t1,
        t2=t2,
        v1=v1,
        v2=v2,
        center=center,
        inst1=inst1,
        inst2=inst2,
        st1=st1,
        st2=st2,
    )


@pytest.fixture
def owner(tree):
    """Institute admin of 苏家垱乡 (covers 水口村)."""
    return grant(UserFactory(username="owner"), Role.INSTITUTE_ADMIN, tree.t1)


@pytest.fixture
def outsider(tree):
    """Institute admin of 江益镇: staff, but elsewhere."""
    return grant(UserFactory(username="outsider"), Role.INSTITUTE_ADMIN, tree.t2)


@pytest.fixture
def resident(tree):
    return grant(UserFactory(username="resident", phone="13800000001"), Role.RESIDENT, tree.v1)


@pytest.fixture
def sysadmin(tree):
    return grant(UserFactory(username="sysadmin"), Role.SYSTEM_ADMIN, tree.city)


def bearer_client(user) -> Client:
    _token, raw = ApiToken.issue(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def api_as():
    """``api_as(user)`` → a test client that authenticates with a bearer token."""
    return bearer_client


# ── PostgreSQL test database: cheaper commits and a cheaper flush (tests only) ─────────
# Test-only; production settings are untouched. On PostgreSQL (CI's second run):
# * every test connection (the test's own, the live server's, threads') runs with
#   ``synchronous_commit=off``: a commit no longer waits for its WAL flush to disk. The test
#   database is thrown away, and a crash would lose at most the last few commits of it;
#   what other connections see (visibility, locks, isolation) is unchanged.
# * pytest-django empties the database after every transactional or live-server test with
#   Django's ``flush``, on PostgreSQL one ``TRUNCATE`` of all ~130 tables: a new file per
#   table and index, 5.7-7.2 s at load 24 (not measured on a quiet machine), against 30-60 ms
#   for ``DELETE FROM`` each (small) table. The flush here deletes instead, in the one
#   transaction Django runs it in; our foreign keys are all DEFERRABLE INITIALLY DEFERRED
#   (Django's), so the order does not matter. Sequences are not reset, as before. A
#   database holding the demo city (~250k rows) is still truncated: deleting that many rows
#   takes longer (11 s against 5-7 s at load 18); the rows are counted first (up to 100k
#   a table, a few ms on an emptied database).
def _postgres_test_db() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    if _postgres_test_db():
        from django.conf import settings

        options = settings.DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


@pytest.fixture(scope="session", autouse=True)
def postgres_flush_by_delete():
    if not _postgres_test_db():
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables or _rows(self, tables) > 100_000:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))};"
            for t in tables
        ]

    def _rows(self, tables) -> int:
        counts = " + ".join(
            f"(SELECT count(*) FROM (SELECT 1 FROM {self.quote_name(t)} LIMIT 100001) AS n)"
            for t in tables
        )
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT {counts}")
            return cursor.fetchone()[0]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield

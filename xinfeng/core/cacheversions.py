"""The versions of the public read cache's topics (``core.publiccache``) and how writes
move them.

A topic is an app label (``activities``, ``places``, ``regions``, ``projects``, ``orders``,
``governance``, ``workplans``), or ``taking_part``. Its version changes whenever a row of
one of its tables is written — by any means: ``save()``, ``QuerySet.update``,
``bulk_create``, raw SQL — because a database execute wrapper (``execute_wrapper``,
installed on every connection) watches INSERT/UPDATE/DELETE statements. Inside a
transaction the version is bumped at the first write and again on commit; a rolled-back
transaction is bumped when the connection is next used (``settle``). An app may route
tables, and the UPDATEs that only add to one row's counters, to another topic
(``route_writes``); the counter UPDATE also bumps that row's own version (``object_key``).
"""

import re
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache

# governance and workplans fill slots of the site pages (the responsible person, the
# demonstration-site badge), so their writes must reach those pages too. ``taking_part``:
# who signs up, checks in, watches — tables and counter columns an app routes there with
# ``route_writes`` instead of its own label (``activities``), so that the busiest writes
# of the platform no longer invalidate every activity page and list.
TOPICS = frozenset(
    {
        "activities",
        "places",
        "regions",
        "projects",
        "orders",
        "governance",
        "workplans",
        "taking_part",
    }
)
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[`"]?(\w+)', re.IGNORECASE)


def _prefix() -> str:
    # The database name keeps test databases (one per xdist worker) apart in a shared Redis.
    return f"xf:pc:{settings.DATABASES['default']['NAME']}:"


# Versions ------------------------------------------------------------------------------


def bump(topics) -> None:
    """A new version for each topic: entries stored under the old one are never served."""
    for topic in topics:
        key = f"{_prefix()}v:{topic}"
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, time.time_ns(), None)


def bump_all() -> None:
    bump(TOPICS)


def versions(topics) -> list:
    keys = [f"{_prefix()}v:{t}" for t in topics]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # Never seen (or evicted): start from the clock so an evicted version never
            # comes back to a number an old entry was stored under.
            cache.add(key, time.time_ns(), None)
            found[key] = cache.get(key)
    return [found[k] for k in keys]


_tables: dict[str, str] | None = None
# Tables whose writes bump another topic than their app's label (``route_writes``).
_ROUTED: dict[str, str] = {}
# table → (counter columns, topic): an UPDATE that only adds to counter columns of one row
# by id bumps the topic and the row's own version (``object_key``) instead of the table's.
_COUNTERS: dict[str, tuple[frozenset[str], str]] = {}
_COUNTER_UPDATE = re.compile(
    r'UPDATE "(?P<table>\w+)" SET (?P<set>.+) WHERE "(?P=table)"\."id" = %s\Z', re.DOTALL
)
_COUNTER_SET = re.compile(r'"(\w+)" = \("(\w+)"\."(\w+)" \+ %s\)')


def route_writes(topic: str, *, tables=(), counters: tuple[str, set[str]] | None = None):
    """Writes of ``tables`` bump ``topic`` instead of their app's label; with ``counters``
    = (table, columns), an ``UPDATE table SET c = (c + %s)[, …] WHERE id = %s`` touching
    only those columns (``QuerySet.filter(pk=…).update(c=F("c") + n)``) bumps ``topic``
    and ``object_key(topic, id)`` instead of the table's topic. Any other write of that
    table — ``save()``, another column, a bulk update — still bumps the table's own topic.
    Called from an app's ``ready()``."""
    global _tables
    if topic not in TOPICS:
        raise ValueError(f"unknown public-read topic: {topic}")
    for table in tables:
        _ROUTED[table] = topic
    if counters is not None:
        table, columns = counters
        _COUNTERS[table] = (frozenset(columns), topic)
    _tables = None


def object_key(topic: str, pk) -> str:
    """The version name of one row's counters (``route_writes(counters=…)``)."""
    return f"{topic}:{int(pk)}"


def _table_topics() -> dict[str, str]:
    global _tables
    if _tables is None:
        tables = {
            m._meta.db_table: m._meta.app_label
            for m in apps.get_models(include_auto_created=True)
            if m._meta.app_label in TOPICS
        }
        tables.update(_ROUTED)
        _tables = tables
    return _tables


def _counter_write(sql: str, params, many: bool) -> list[str] | None:
    """The versions an UPDATE of counter columns of one row bumps, else None."""
    if many or not params:
        return None
    match = _COUNTER_UPDATE.match(sql.strip())
    if match is None or match["table"] not in _COUNTERS:
        return None
    table = match["table"]
    columns, topic = _COUNTERS[table]
    sets = match["set"].split(", ")
    for part in sets:
        m = _COUNTER_SET.fullmatch(part)
        if m is None or m[1] != m[3] or m[2] != table or m[1] not in columns:
            return None
    if len(params) != len(sets) + 1:
        return None
    pk = params[-1]
    if isinstance(pk, bool) or not isinstance(pk, int):
        return None
    return [topic, object_key(topic, pk)]


class _Pending:
    """Topics written in the current transaction of one connection; bumped on commit."""

    def __init__(self):
        self.topics: set[str] = set()
        self.ran = False
        self.callback = self.commit

    def commit(self):
        self.ran = True
        bump(self.topics)

    def alive(self, connection) -> bool:
        return not self.ran and any(f is self.callback for _, f, _ in connection.run_on_commit)


def settle(connection) -> None:
    """Bump the topics of a transaction or savepoint that was rolled back (its on-commit
    hook is gone)."""
    pendings = getattr(connection, "_xf_public_pending", None)
    if not pendings:
        return
    for level, pending in list(pendings.items()):
        if not pending.alive(connection):
            del pendings[level]
            if not pending.ran:
                bump(pending.topics)


def _written(connection, topic: str) -> None:
    # Every write bumps at once (this connection may read its own uncommitted rows next);
    # the commit bumps once more for the other processes. The hook is registered at the
    # current savepoint, so a rolled-back savepoint drops it and ``settle`` notices.
    bump([topic])
    if not connection.in_atomic_block:
        return
    pendings = getattr(connection, "_xf_public_pending", None)
    if pendings is None:
        pendings = connection._xf_public_pending = {}
    level = tuple(connection.savepoint_ids)
    pending = pendings.get(level)
    if pending is None or not pending.alive(connection):
        settle(connection)
        pending = pendings[level] = _Pending()
        connection.on_commit(pending.callback)
    pending.topics.add(topic)


def execute_wrapper(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and sql[:1] in "IUDTiudt ":
        if sql.lstrip()[:8].upper() == "TRUNCATE":
            bump_all()
            return result
        match = _WRITE.match(sql)
        if match:
            table = match.group(1)
            routed = _counter_write(sql, params, many) if table in _COUNTERS else None
            if routed is not None:
                for name in routed:
                    _written(context["connection"], name)
                return result
            topic = _table_topics().get(table)
            if topic is not None:
                _written(context["connection"], topic)
    return result


def on_connection_created(sender, connection, **kwargs):
    if execute_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(execute_wrapper)

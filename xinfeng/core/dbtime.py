"""Read every stored date and time defensively: one row with an out-of-range moment must
not make a list unreadable.

Inputs are held to plausible windows (``core.validation``), but a row can still carry an
extreme value — written before the windows existed, by SQL, by an import of old data. Left
alone such a value breaks every page, feed and API list that shows the row:

- PostgreSQL stores years up to 294276, and ``9999-12-31T23:00-12:00`` becomes year 10000
  in UTC; psycopg cannot turn that (or ``infinity``) into a Python value and the whole
  query fails (``DataError``, answered "out of range").
- A moment within a day of year 1 or year 9999 reads fine but overflows when shown in
  local time (Asia/Shanghai is UTC+8): ``localtime()`` raises ``OverflowError``.

So every timestamp and date read from the database is clamped into ``[SAFE_MIN, SAFE_MAX]``
(two days inside Python's range): the row shows as 9999-12-29 (or 0001-01-03) and staff can
correct it. Installed for each new connection by ``CoreConfig.ready``: a psycopg loader on
PostgreSQL, the sqlite3 converters on SQLite.
"""

from datetime import UTC, date, datetime

SAFE_MIN = datetime(1, 1, 3, tzinfo=UTC)
SAFE_MAX = datetime(9999, 12, 29, tzinfo=UTC)


def clamp_datetime(value: datetime) -> datetime:
    naive = value.tzinfo is None
    low = SAFE_MIN.replace(tzinfo=None) if naive else SAFE_MIN
    high = SAFE_MAX.replace(tzinfo=None) if naive else SAFE_MAX
    if value < low:
        return low if naive else low.astimezone(value.tzinfo)
    if value > high:
        return high if naive else high.astimezone(value.tzinfo)
    return value


def clamp_date(value: date) -> date:
    return min(max(value, SAFE_MIN.date()), SAFE_MAX.date())


def _too_small(text: str) -> bool:
    text = text.strip()
    return text.startswith("-") or text.endswith("BC")


# SQLite ------------------------------------------------------------------------------


def _sqlite_datetime(raw: bytes):
    from django.utils.dateparse import parse_datetime

    text = raw.decode()
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:  # year 10000, a negative year: not a Python datetime
        edge = SAFE_MIN if _too_small(text) else SAFE_MAX
        return edge.replace(tzinfo=None)
    return clamp_datetime(value)


def _sqlite_date(raw: bytes):
    from django.utils.dateparse import parse_date

    text = raw.decode()
    try:
        value = parse_date(text)
    except ValueError:
        value = None
    if value is None:
        return (SAFE_MIN if _too_small(text) else SAFE_MAX).date()
    return clamp_date(value)


def install_sqlite() -> None:
    """Replace Django's sqlite3 converters (module-wide) with clamping ones."""
    import sqlite3

    sqlite3.register_converter("datetime", _sqlite_datetime)
    sqlite3.register_converter("timestamp", _sqlite_datetime)
    sqlite3.register_converter("date", _sqlite_date)


# PostgreSQL (psycopg 3) --------------------------------------------------------------


def install_postgresql(raw_connection) -> None:
    """Wrap the connection's timestamptz and date loaders (Django's, which carry the
    connection's time zone; psycopg's C ones) in clamping ones. Wrapped, not subclassed:
    psycopg's C loaders cannot be subclassed, and wrapping keeps their speed."""
    import psycopg
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    adapters = raw_connection.adapters
    tz_base = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)
    date_base = adapters.get_loader(adapters.types["date"].oid, Format.TEXT)
    if tz_base is None or date_base is None or getattr(tz_base, "clamps", False):
        return

    class ClampingTimestamptzLoader(Loader):
        clamps = True
        # Django compares this with the connection's zone before each cursor.
        timezone = getattr(tz_base, "timezone", None)

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self.inner = tz_base(oid, context)

        def load(self, data):
            try:
                value = self.inner.load(data)
            except psycopg.DataError:
                edge = SAFE_MIN if _too_small(bytes(data).decode()) else SAFE_MAX
                return edge if self.timezone is None else edge.astimezone(self.timezone)
            return clamp_datetime(value)

    class ClampingDateLoader(Loader):
        clamps = True

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self.inner = date_base(oid, context)

        def load(self, data):
            try:
                value = self.inner.load(data)
            except psycopg.DataError:
                return (SAFE_MIN if _too_small(bytes(data).decode()) else SAFE_MAX).date()
            return clamp_date(value)

    adapters.register_loader("timestamptz", ClampingTimestamptzLoader)
    adapters.register_loader("date", ClampingDateLoader)


def on_connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        install_sqlite()
    elif connection.vendor == "postgresql" and hasattr(connection.connection, "adapters"):
        install_postgresql(connection.connection)

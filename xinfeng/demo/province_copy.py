"""Bulk loading for the province-scale demo: COPY with pre-assigned ids.

Two writers:

* ``write_rows(model, columns, rows)`` — ordinary rows (tens of thousands): PostgreSQL
  ``COPY … FROM STDIN`` through psycopg's ``cursor.copy``; SQLite ``executemany``.
* ``write_block(model, columns)`` — millions of rows whose every column is a numpy array
  or a constant, all rows with the same shape: on PostgreSQL the block is encoded as
  binary COPY in one numpy structured array (no Python loop per row), which is what makes
  10,000,000 service records load in minutes; SQLite gets the same rows through
  ``executemany`` (small scales only).

Columns the caller does not give get the model field's default (``auto_now`` fields get
the load time), so new model fields with defaults keep working. ``heavy_load(models)``
drops a big table's foreign keys and secondary indexes for the load and rebuilds them
after (one set-based validation instead of a trigger per row).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

PG_EPOCH = np.datetime64("2000-01-01T00:00:00", "us")
EPOCH_US = np.datetime64("1970-01-01T00:00:00", "us")


def is_pg() -> bool:
    return connection.vendor == "postgresql"


def _fields(model):
    return {f.attname: f for f in model._meta.concrete_fields}


def _default(field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    return field.get_default()  # "" for text fields


def _plan(model, columns: Iterable[str]):
    fields = _fields(model)
    unknown = [c for c in columns if c not in fields]
    if unknown:
        raise ValueError(f"{model.__name__}: unknown columns {unknown}")
    given = list(columns)
    rest = [a for a, f in fields.items() if a not in given and not f.primary_key]
    return fields, given, rest


def _db_value(field, value):
    """A Python value as the database driver wants it for this field."""
    if value is None:
        return None
    if field.get_internal_type() == "JSONField":
        return json.dumps(value, ensure_ascii=False)
    return field.get_db_prep_save(value, connection)


# ---------------------------------------------------------------------------- rows


def write_rows(model, columns: list[str], rows: Iterable[tuple]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order; ids included when given)."""
    fields, given, rest = _plan(model, columns)
    constants = [_db_value(fields[a], _default(fields[a])) for a in rest]
    cols = given + rest
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(fields[c].column) for c in cols)
    json_cols = [i for i, c in enumerate(given) if fields[c].get_internal_type() == "JSONField"]
    n = 0
    with connection.cursor() as cursor:
        if is_pg():
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    row = list(row)
                    for i in json_cols:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                    copy.write_row([*row, *constants])
                    n += 1
        else:
            marks = ", ".join(["%s"] * len(cols))
            # Table and column names come from model metadata, quoted; values are bound.
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            batch = []
            for row in rows:
                values = [_db_value(fields[c], v) for c, v in zip(given, row, strict=True)]
                batch.append([*values, *constants])
                if len(batch) >= 5000:
                    cursor.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                n += len(batch)
    return n


# --------------------------------------------------------------------------- blocks


def ts_us(dt64: np.ndarray) -> np.ndarray:
    """datetime64 array → int64 microseconds since the Unix epoch."""
    return (dt64.astype("datetime64[us]") - EPOCH_US).astype(np.int64)


def _binary_column(field, value, n: int):
    """(numpy dtype parts, filler) for one column of a binary COPY block."""
    kind = field.get_internal_type()
    if value is None:
        return [("len", ">i4")], lambda rec, name: rec.__setitem__(name + "_len", -1)
    db_type = field.db_type(connection) or ""
    code = {
        "bigint": (">i8", 8),
        "integer": (">i4", 4),
        "smallint": (">i2", 2),
        "double precision": (">f8", 8),
        "boolean": ("?", 1),
        "timestamp with time zone": (">i8", 8),
        "date": (">i4", 4),
    }
    base = db_type.split(" CHECK")[0].strip()
    if base in code:
        dtype, size = code[base]
        arr = np.asarray(value)
        if base == "timestamp with time zone":
            # microseconds since 2000-01-01 UTC
            arr = (arr if arr.dtype.kind in "iu" else ts_us(arr)) - int(
                (PG_EPOCH - EPOCH_US).astype(np.int64)
            )
        elif base == "date":
            arr = (np.asarray(arr, dtype="datetime64[D]") - np.datetime64("2000-01-01")).astype(
                np.int64
            )

        def fill(rec, name, arr=arr, size=size):
            rec[name + "_len"] = size
            rec[name] = arr

        return [("len", ">i4"), ("val", dtype)], fill
    if base.startswith("numeric"):
        # value: integer hundredths; encoded as two base-10000 digits, weight 0, scale 2.
        cents = np.asarray(value, dtype=np.int64)

        def fill(rec, name, cents=cents):
            rec[name + "_len"] = 12
            rec[name + "_nd"] = 2
            rec[name + "_w"] = 0
            rec[name + "_s"] = 0
            rec[name + "_ds"] = 2
            rec[name + "_d0"] = cents // 100
            rec[name + "_d1"] = (cents % 100) * 100

        return [
            ("len", ">i4"),
            ("nd", ">i2"),
            ("w", ">i2"),
            ("s", ">i2"),
            ("ds", ">i2"),
            ("d0", ">i2"),
            ("d1", ">i2"),
        ], fill
    # text-like (varchar, text, jsonb): constant bytes or a fixed-width bytes array
    if isinstance(value, np.ndarray):
        data = value if value.dtype.kind == "S" else np.char.encode(value.astype(str), "utf-8")
        width = data.dtype.itemsize
        if n and int(np.char.str_len(data).min()) != width:
            raise ValueError(f"{field.name}: text columns of a block must have a fixed width")
    else:
        if kind == "JSONField":
            raw = b"\x01" + json.dumps(value, ensure_ascii=False).encode()
        else:
            raw = str(value).encode()
        width = len(raw)
        data = np.full(n, raw, dtype=f"S{max(width, 1)}")
    if width == 0:
        return [("len", ">i4")], lambda rec, name: rec.__setitem__(name + "_len", 0)

    def fill(rec, name, data=data, width=width):
        rec[name + "_len"] = width
        rec[name] = data

    return [("len", ">i4"), ("val", f"S{width}")], fill


@dataclass(frozen=True)
class Choice:
    """A text column drawn from a few values: ``labels[codes[i]]`` for row i. Cheaper than
    an array of strings: rows are grouped by code and each group gets a constant."""

    labels: tuple[str, ...]
    codes: np.ndarray

    def strings(self) -> np.ndarray:
        return np.array(self.labels)[self.codes]


def write_block(model, columns: dict[str, object], n: int) -> int:
    """Insert ``n`` rows; each column is a length-``n`` numpy array, a ``Choice`` or one
    constant.

    Text arrays may hold strings of different lengths: rows are grouped by the byte
    lengths of their text values and each group goes as one fixed-width binary block.
    Datetimes are ``datetime64`` arrays or int64 microseconds since the Unix epoch,
    decimals are integer hundredths, ``None`` means NULL for the whole column.
    """
    if n == 0:
        return 0
    choices = [a for a, v in columns.items() if isinstance(v, Choice)]
    if choices and not is_pg():
        columns = {a: (v.strings() if isinstance(v, Choice) else v) for a, v in columns.items()}
    elif choices:
        key = np.zeros(n, dtype=np.int64)
        for a in choices:
            key = key * len(columns[a].labels) + columns[a].codes
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        for lo, hi in zip(starts, np.r_[starts[1:], n], strict=True):
            rows = order[lo:hi]
            first = rows[0]
            sub = {}
            for a, v in columns.items():
                if isinstance(v, Choice):
                    sub[a] = v.labels[int(v.codes[first])]
                elif isinstance(v, np.ndarray):
                    sub[a] = v[rows]
                else:
                    sub[a] = v
            write_block(model, sub, len(rows))
        return n
    text = [a for a, v in columns.items() if isinstance(v, np.ndarray) and v.dtype.kind in "US"]
    if not text or not is_pg():
        return _write_fixed(model, columns, n)
    encoded = {
        a: (columns[a] if columns[a].dtype.kind == "S" else np.char.encode(columns[a], "utf-8"))
        for a in text
    }
    lengths = np.stack([np.char.str_len(encoded[a]) for a in text], axis=1)
    keys, inverse = np.unique(lengths, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    for g, key in enumerate(keys):
        rows = np.flatnonzero(inverse == g)
        sub = {a: (v[rows] if isinstance(v, np.ndarray) else v) for a, v in columns.items()}
        for k, a in enumerate(text):
            sub[a] = encoded[a][rows].astype(f"S{max(int(key[k]), 1)}") if key[k] else ""
        _write_fixed(model, sub, len(rows))
    return n


def _write_fixed(model, columns: dict[str, object], n: int) -> int:
    fields, given, rest = _plan(model, list(columns))
    values = dict(columns)
    for a in rest:
        values[a] = _default(fields[a])
    order = given + rest
    if not is_pg():
        return _block_sqlite(model, fields, order, values, n)
    parts = [("count", ">i2")]
    fillers = []
    for i, attname in enumerate(order):
        field = fields[attname]
        value = values[attname]
        if isinstance(value, datetime):
            value = np.full(n, int(value.timestamp() * 1_000_000), dtype=np.int64)
        elif isinstance(value, date) and not isinstance(value, datetime):
            value = np.full(n, np.datetime64(value.isoformat(), "D"))
        spec, fill = _binary_column(field, value, n)
        name = f"c{i}"
        parts.extend((f"{name}_{p[0]}" if p[0] != "val" else name, p[1]) for p in spec)
        fillers.append((name, fill))
    rec = np.zeros(n, dtype=np.dtype(parts))
    rec["count"] = len(order)
    for name, fill in fillers:
        fill(rec, name)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(fields[a].column) for a in order)
    header = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
    sql = f"COPY {table} ({names}) FROM STDIN WITH (FORMAT binary)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as cp:
        cp.write(header)
        cp.write(rec.tobytes())
        cp.write(struct.pack(">h", -1))
    return n


def _block_sqlite(model, fields, order, values, n: int) -> int:
    cols = []
    for attname in order:
        field, value = fields[attname], values[attname]
        kind = field.get_internal_type()
        if isinstance(value, np.ndarray):
            if value.dtype.kind == "M" or (kind == "DateTimeField" and value.dtype.kind in "iu"):
                us = value if value.dtype.kind in "iu" else ts_us(value)
                col = [
                    datetime.fromtimestamp(int(x) / 1_000_000, tz=UTC).strftime(
                        "%Y-%m-%d %H:%M:%S.%f"
                    )
                    for x in us
                ]
            elif value.dtype.kind == "S":
                col = [x.decode() for x in value]
            elif field.get_internal_type() == "DecimalField":
                col = [f"{int(x) / 100:.2f}" for x in value]
            else:
                col = value.tolist()
        else:
            if kind == "DecimalField" and isinstance(value, int):
                value = f"{value / 100:.2f}"
            col = [_db_value(field, value)] * n
        cols.append(col)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(fields[a].column) for a in order)
    marks = ", ".join(["%s"] * len(order))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 (quoted metadata)
            list(zip(*cols, strict=True)),
        )
    return n


# ------------------------------------------------------------------ load discipline


@contextmanager
def heavy_load(*models):
    """Drop the foreign keys and secondary (non-unique) indexes of big tables for the
    load and rebuild them afterwards. PostgreSQL only; a no-op elsewhere."""
    if not is_pg():
        yield
        return
    saved = []
    with connection.cursor() as cursor:
        # Deferred checks of rows written earlier in this transaction must run before a
        # table they touch can be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            fks = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.tablename = %s AND i.indexname NOT IN ("
                "  SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            indexes = cursor.fetchall()
            q = connection.ops.quote_name
            for name, _d in fks:
                cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
            for name, _d in indexes:
                cursor.execute(f"DROP INDEX {q(name)}")
            saved.append((table, fks, indexes))
    yield
    with connection.cursor() as cursor:
        q = connection.ops.quote_name
        for table, fks, indexes in saved:
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in fks:
                cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")
            cursor.execute(f"ANALYZE {q(table)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def reset_sequences(*models) -> None:
    """After loading explicit ids, move each id sequence past the largest id."""
    sql = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


def analyze(*models) -> None:
    """Refresh the planner's statistics of loaded tables (PostgreSQL; SQLite ANALYZE)."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1

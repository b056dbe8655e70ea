"""Inserting new rows on a hot path with the SQL compiled once.

``insert(objs)`` writes new, unsaved instances of one model exactly as ``Model.save()``
(``signals=True``: ``pre_save`` and ``post_save`` sent as ``save()`` sends them) or
``bulk_create`` (no signals) would: the same statement, the same values (each field's
``pre_save`` — ``auto_now`` and ``auto_now_add`` — and ``get_db_prep_save``), the new
primary keys set on the instances, ``_state`` marked saved. What it skips is the ORM's
per-call work around that: building an ``InsertQuery`` and compiling it (quoting every
column, a placeholder per value), which costs more than the values themselves. The
statement is Django's own, compiled the first time for the model, the database and the
number of rows, and kept.

Anything the cache could get wrong goes the ORM's way instead: a field with its own
placeholder, a value that is an expression, a model whose insert returns more than its
primary key, a database that cannot return the ids of a multi-row insert, a model with a
parent (multi-table inheritance), an instance whose primary key is already set, more than
``MAX_ROWS`` rows (``bulk_create`` splits those into batches the database accepts; a
statement is kept per row count, so a few).
"""

from django.db import connections, models, router
from django.db.models import signals
from django.db.models.sql import InsertQuery

MAX_ROWS = 16
_compiled: dict[tuple, tuple[str, bool]] = {}
_plans: dict[type, tuple[list, bool]] = {}


# Field classes (exactly these, no subclass) whose ``pre_save`` is the attribute and whose
# ``get_db_prep_save`` returns a value of these exact types unchanged, and None as None.
_PLAIN: dict[type, tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.BigIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.FloatField: (float,),
}
_INT_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def _passes(field) -> tuple[type, ...] | None:
    """The value types ``field`` stores as they are (None included), or None when each
    value goes through the field (``pre_save``, ``get_db_prep_save``)."""
    kind = type(field)
    if kind is models.ForeignKey and type(field.target_field) in _INT_KEYS:
        return (int, type(None))
    if kind in _PLAIN:
        return (*_PLAIN[kind], type(None))
    if kind is models.DateTimeField and not (field.auto_now or field.auto_now_add):
        return (type(None),)
    return None


def _plan(model) -> tuple[list, bool]:
    """The model's inserted fields (those ``save()`` writes for a new row) with the value
    types each passes as they are, and whether its statement may be kept."""
    found = _plans.get(model)
    if found is None:
        meta = model._meta
        fields = [
            (f, f.attname, _passes(f))
            for f in meta.local_concrete_fields
            if f is not meta.auto_field and not f.generated
        ]
        cacheable = (
            not meta.parents
            and meta.auto_field is not None
            and list(meta.db_returning_fields) == [meta.pk]
            and not any(hasattr(f, "get_placeholder") for f, _a, _p in fields)
        )
        found = _plans[model] = (fields, cacheable)
    return found


def _sql(model, alias: str, objs: list) -> tuple[str, bool]:
    """The statement for ``len(objs)`` rows of ``model`` on ``alias``, and whether its
    parameters are one array per column (PostgreSQL's ``UNNEST`` form) or row after row."""
    key = (model, alias, len(objs))
    found = _compiled.get(key)
    if found is None:
        meta = model._meta
        query = InsertQuery(model)
        query.insert_values([f for f, _a, _p in _plan(model)[0]], objs)
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = meta.db_returning_fields
        [(sql, _params)] = compiler.as_sql()
        found = _compiled[key] = (sql, "UNNEST(" in sql)
    return found


def insert(objs: list, *, signals_sent: bool = False, using: str | None = None) -> list:
    """Insert ``objs`` (new instances of one model) and return them, saved."""
    if not objs:
        return objs
    model = type(objs[0])
    meta = model._meta
    alias = using or router.db_for_write(model, instance=objs[0])
    connection = connections[alias]
    fields, cacheable = _plan(model)
    if (
        len(objs) > MAX_ROWS
        or not cacheable
        or any(o.pk is not None for o in objs)
        or (len(objs) > 1 and not connection.features.can_return_rows_from_bulk_insert)
        or not connection.features.can_return_columns_from_insert
        or any(hasattr(getattr(o, a), "resolve_expression") for o in objs for _f, a, _p in fields)
    ):
        return _orm(model, objs, signals_sent, alias)
    if signals_sent:
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="save")
            signals.pre_save.send(
                sender=model, instance=obj, raw=False, using=alias, update_fields=None
            )
    else:
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
    rows = [[_value(obj, f, a, p, connection) for f, a, p in fields] for obj in objs]
    sql, by_column = _sql(model, alias, objs)
    params = (
        [list(c) for c in zip(*rows, strict=True)] if by_column else [v for r in rows for v in r]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = cursor.fetchall()
    pk = meta.pk.attname
    for obj, (new_id,) in zip(objs, ids, strict=True):
        setattr(obj, pk, new_id)
        obj._state.adding = False
        obj._state.db = alias
    if signals_sent:
        for obj in objs:
            signals.post_save.send(
                sender=model, instance=obj, created=True, update_fields=None, raw=False, using=alias
            )
    return objs


def _value(obj, field, attname: str, passes, connection):
    """What ``SQLInsertCompiler`` sends for ``field`` of ``obj``."""
    if passes is not None:
        value = getattr(obj, attname)
        if type(value) in passes:
            return value
    return field.get_db_prep_save(field.pre_save(obj, True), connection=connection)


def _orm(model, objs: list, signals_sent: bool, alias: str) -> list:
    if signals_sent:
        for obj in objs:
            obj.save(using=alias, force_insert=True)
        return objs
    return model.objects.using(alias).bulk_create(objs)

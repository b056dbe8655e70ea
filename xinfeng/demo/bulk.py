"""Inserting many generated model instances fast, for the demo steps.

``bulk_create`` spends most of a seed's time in Django's SQL compiler (a prepared value
per field per row: ~1 million calls for the city's 50,000 records and ledger lines).
``insert_objects`` gives the instances their ids itself and sends plain rows (executemany on
SQLite, COPY on PostgreSQL, via ``orders._raw_insert``): the same rows, several times
faster. Unlike ``bulk_create`` it sends no signal and runs no ``pre_save`` other than
``auto_now``/``auto_now_add`` (filled with "now" only where the instance has no value, so a
step can set a generated ``created_at`` beforehand)."""

from django.db import connection, models
from django.utils import timezone

from xinfeng.demo.orders import _raw_insert, _reset_sequence

PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.ForeignKey,
    models.DecimalField,
    models.DateField,
    models.FloatField,
    models.JSONField,
)


def insert_objects(model: type[models.Model], objs: list) -> list:
    """Insert ``objs`` (unsaved instances of ``model``, ids not set) and give each its id,
    as ``bulk_create`` does; returns ``objs``."""
    if not objs:
        return objs
    meta = model._meta
    first = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    now = timezone.now()
    stamped = [
        f.attname
        for f in meta.concrete_fields
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)
    ]
    for n, obj in enumerate(objs):
        obj.pk = first + n
        obj._state.adding = False
        obj._state.db = "default"
        for name in stamped:
            if getattr(obj, name) is None:
                setattr(obj, name, now)
    fields = meta.concrete_fields
    # Values of these fields go to the database as they are (datetimes and JSON adapted by
    # ``_raw_insert``); any other field (files, UUIDs, …) through its own preparation.
    plain = [isinstance(f, PLAIN) for f in fields]
    rows = [
        [
            getattr(o, f.attname)
            if as_is
            else f.get_db_prep_save(getattr(o, f.attname), connection)
            for f, as_is in zip(fields, plain, strict=True)
        ]
        for o in objs
    ]
    _raw_insert(model, [f.name for f in fields], rows)
    _reset_sequence(model)
    return objs

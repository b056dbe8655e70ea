"""The counters of activities on cached public answers (``core.publiccache``).

Sign-ups, cancellations, check-ins and online views are the busiest writes of the platform
(several a second in a county at peak). They are routed to the ``taking_part`` topic
(``route``), so they no longer invalidate every cached activity page and list:

- an activity's page depends on its own row's counters (``per_object``): a sign-up to one
  activity re-renders that page only;
- the activity list and the public API list keep their entries, and their counters are
  filled in at serve time (``PLACES`` and ``API_COUNTS``) when ``taking_part`` has moved
  since: one query for the rows shown instead of a new render.

Any other write of an activity (``save()``, a new capacity or time) still bumps
``activities`` and re-renders everything, as before.
"""

import json
import re
from html import escape

from django.utils.translation import gettext as _
from ninja.responses import NinjaJSONEncoder

from xinfeng.core import publiccache

TOPIC = "taking_part"
COUNTERS = frozenset(
    {"signup_count", "waitlist_count", "checkin_count", "extra_headcount", "online_viewers"}
)


def route() -> None:
    """Called from ``ActivitiesConfig.ready``."""
    from .models import Activity, Attendance, OnlineView, Signup

    publiccache.route_writes(
        TOPIC,
        tables=[m._meta.db_table for m in (Signup, Attendance, OnlineView)],
        counters=(Activity._meta.db_table, set(COUNTERS)),
    )


def _counts(ids, fields: tuple[str, ...]) -> dict[int, dict]:
    """{id: {field: value}} of the activities ``ids``: one plain statement (the ORM's
    compilation cost more than the query and the fill together)."""
    from django.db import connections, router

    from .models import Activity

    ids = sorted({int(i) for i in ids})
    if not ids:
        return {}
    meta = Activity._meta
    connection = connections[router.db_for_read(Activity)]
    qn = connection.ops.quote_name
    names = ("id", *fields)
    columns = ", ".join(qn(meta.get_field(f).column) for f in names)
    if connection.vendor == "postgresql":  # one array parameter: 100 ids adapt slowly
        where, params = f"{qn('id')} = ANY(%s)", [ids]
    else:
        where, params = f"{qn('id')} IN ({', '.join(['%s'] * len(ids))})", ids
    sql = f"SELECT {columns} FROM {qn(meta.db_table)} WHERE {where}"  # noqa: S608 (names from the model, values bound)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


# The activity list page (``views.public.render_rows``) ---------------------------------------


def places_labels() -> tuple[str, str]:
    """(full, places left) in the active language, escaped: read once per list."""
    return escape(_("名额已满，可候补")), escape(_("剩余名额"))


def places_span(pk: int, taken: int, capacity: int, labels: tuple[str, str]) -> str:
    """What a list row says of its places (``labels``: ``places_labels()``)."""
    text = labels[0] if taken >= capacity else f"{labels[1]} {capacity - taken}"
    return f'<span data-places="{pk}">{text}</span>'


_PLACES = re.compile(rb'<span data-places="(\d+)">[^<]*</span>')


def fill_places(body: bytes) -> bytes:
    ids = {int(m) for m in _PLACES.findall(body)}
    if not ids:
        return body
    rows = _counts(ids, ("signup_count", "capacity"))
    labels = places_labels()

    def current(m: re.Match) -> bytes:
        pk = int(m[1])
        row = rows.get(pk)
        if row is None:  # deleted meanwhile: its delete bumped ``activities`` too
            return m[0]
        return places_span(pk, row["signup_count"], row["capacity"], labels).encode()

    return _PLACES.sub(current, body)


PLACES = publiccache.Live(TOPIC, fill_places)


# The public API list (``api.activities.list_activities``) -----------------------------------


def fill_api_counts(body: bytes) -> bytes:
    """The counters of each item of an ``ActivityPage`` answer, and what derives from them
    (``places_left``, ``audience_total``), as ``api.activities.ACTIVITY_ROWS`` computes them."""
    data = json.loads(body)
    items = data.get("items") if isinstance(data, dict) else None
    if not items:
        return body
    rows = _counts([i["id"] for i in items], (*sorted(COUNTERS), "capacity"))
    for item in items:
        row = rows.get(item["id"])
        if row is None:
            continue
        for field in COUNTERS:
            item[field] = row[field]
        item["places_left"] = max(row["capacity"] - row["signup_count"], 0)
        item["audience_total"] = (
            row["checkin_count"] + row["extra_headcount"] + row["online_viewers"]
        )
    return json.dumps(data, cls=NinjaJSONEncoder).encode()


API_COUNTS = publiccache.Live(TOPIC, fill_api_counts)

"""Compute and store a period's results for a scheme: every standard for every unit of its
level under the scheme's place — townships, villages, practice sites and volunteer teams —
totals, ranks within each level (sites within their site level), and the 一把手 named.
A manual standard counts its latest confirmed score for the period, else 0 and pending.

Set-based: one grouped query per automatic standard for all the units of a level
(``compute_places``, ``compute_units``), results and lines upserted in batches.
Idempotent: a period's rows are rewritten in one transaction, so running it twice (the
worker's schedule and a person's button) leaves the same rows, with the same ids."""

from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from ..choices import AssessedLevel, Method, NodeKind
from ..compute import Context, parse_period, place_figures
from ..compute_units import unit_figures
from ..models import ManualScore, Result, ResultLine, Scheme
from ..scoring import score
from ..units import Unit, leaders, unit_key, units_of


class Line(NamedTuple):
    """A result line before it is stored (a model instance per line costs too much for
    the ~400,000 lines of a province)."""

    node_id: int
    figure: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    score: Decimal
    link: str
    pending: bool


def _automatic(node, figure) -> Line:
    if figure is None:
        return Line(node.pk, None, None, None, Decimal(0), "", True)
    points = score(
        node.rule,
        points=node.points,
        figure=figure.value,
        target=node.target,
        cap=node.cap,
        per_unit=node.per_unit,
        done=bool(figure.value),
    )
    return Line(
        node.pk, figure.value, figure.numerator, figure.denominator, points, figure.link, False
    )


def _score_level(nodes, units: list[Unit], period, ctx, confirmed) -> list[list[Line]]:
    """One list of lines per unit, in the order of ``units``."""
    batch: dict[int, dict] = {}  # node id → unit pk → Figure: one grouped query per metric
    for node in nodes:
        if node.method != Method.AUTOMATIC or not units:
            continue
        if units[0].level in ("site", "team"):
            batch[node.pk] = unit_figures(node.metric, [u.pk for u in units], period) or {}
        else:
            regions = [u.region for u in units]
            batch[node.pk] = place_figures(node.metric, regions, period, ctx) or {}
    out = []
    for unit in units:
        lines = []
        for node in nodes:
            if node.method != Method.AUTOMATIC:
                manual = confirmed.get((node.pk, unit.key))
                lines.append(
                    Line(
                        node.pk,
                        manual.value if manual else None,
                        None,
                        None,
                        manual.score if manual else Decimal(0),
                        "",
                        manual is None,
                    )
                )
            else:
                lines.append(_automatic(node, batch[node.pk].get(unit.pk)))
        out.append(lines)
    return out


RESULT_FIELDS = ["region", "level", "rank_group", "total", "max_points", "rank", "leader"]
LINE_FIELDS = ["node_id", "figure", "numerator", "denominator", "score", "link", "pending"]
BATCH = 2000
ANALYZE_FROM = 5000  # units written in one run


class _Row(NamedTuple):
    unit: Unit
    total: Decimal
    lines: list[Line]


class Row(NamedTuple):
    """A result before it is stored (``pk`` None: a unit not stored for the period yet)."""

    pk: int | None
    scheme_id: int
    period: str
    region_id: int
    site_id: int | None
    team_id: int | None
    level: str
    rank_group: str
    total: Decimal
    max_points: Decimal
    rank: int
    leader: str


def _store_orm(results: list[Row], lines: list[list[Line]]) -> None:
    """Upsert the results by id (new ones get theirs), replace their lines."""
    rows = [Result(**r._asdict()) for r in results]
    Result.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["pk"],
        update_fields=[*RESULT_FIELDS, "computed_at"],
        batch_size=BATCH,
    )
    ResultLine.objects.filter(result__in=[r.pk for r in rows]).delete()
    ResultLine.objects.bulk_create(
        [
            ResultLine(result=r, **dict(zip(LINE_FIELDS, line, strict=True)))
            for r, mine in zip(rows, lines, strict=True)
            for line in mine
        ],
        batch_size=BATCH,
    )


def _store_copy(rows: list[Row], lines: list[list[Line]]) -> None:
    """PostgreSQL: the same with COPY — new results take ids from the table's sequence,
    all are copied into a temporary table and upserted by id; their lines are deleted and
    copied in."""
    result_t, line_t = Result._meta.db_table, ResultLine._meta.db_table
    columns = [
        "id",
        "scheme_id",
        "period",
        "region_id",
        "site_id",
        "team_id",
        "level",
        "rank_group",
        "total",
        "max_points",
        "rank",
        "leader",
        "computed_at",
    ]
    now = timezone.now()
    with connection.cursor() as c:
        raw = c.cursor
        new = sum(1 for r in rows if r.pk is None)
        if new:
            raw.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [result_t, new],
            )
            ids = iter(pk for (pk,) in raw.fetchall())
            rows = [r if r.pk is not None else r._replace(pk=next(ids)) for r in rows]
        raw.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {result_t}_in (LIKE {result_t}) ON COMMIT DROP"
        )
        raw.execute(f"TRUNCATE {result_t}_in")
        with raw.copy(f"COPY {result_t}_in ({', '.join(columns)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row((*r, now))
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[1:])
        raw.execute(
            f"INSERT INTO {result_t} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(columns)} FROM {result_t}_in "
            f"ON CONFLICT (id) DO UPDATE SET {updates}"
        )
        raw.execute(
            f"DELETE FROM {line_t} WHERE result_id IN (SELECT id FROM {result_t}_in)"  # noqa: S608
        )
        line_columns = ["result_id", *LINE_FIELDS]
        with raw.copy(f"COPY {line_t} ({', '.join(line_columns)}) FROM STDIN") as cp:
            for r, mine in zip(rows, lines, strict=True):
                for line in mine:
                    cp.write_row((r.pk, *line))


@transaction.atomic
def results_compute(*, scheme: Scheme, period_key: str) -> int:
    """Store the results of ``scheme`` for ``period_key``; returns how many units.

    Upserts: a unit's result keeps its id across recomputes (links to a place's report
    stay valid) and gets its lines anew; results of units no longer assessed are
    deleted."""
    period = parse_period(period_key)
    started = timezone.now()
    standards = list(scheme.nodes.filter(kind=NodeKind.STANDARD).order_by("position", "id"))
    stored = {
        unit_key(r): r.pk
        for r in Result.objects.filter(scheme=scheme, period=period.key).only(
            "pk", "region_id", "site_id", "team_id"
        )
    }
    confirmed = {}
    for m in ManualScore.objects.filter(
        scheme=scheme, period=period.key, status=ManualScore.Status.CONFIRMED
    ).order_by("version"):
        confirmed[(m.node_id, unit_key(m))] = m  # the latest confirmed version wins
    ctx = Context(root=scheme.region)
    store = _store_copy if connection.vendor == "postgresql" else _store_orm
    count = 0
    for level in AssessedLevel.values:
        nodes = [n for n in standards if n.level == level]
        if not nodes:
            continue
        units = units_of(scheme, level, when=min(period.bounds()[1], timezone.now()))
        names = leaders(units)
        max_points = sum((n.points for n in nodes), Decimal(0))
        scored = _score_level(nodes, units, period, ctx, confirmed)
        rows = [
            _Row(unit, sum((line.score for line in lines), Decimal(0)), lines)
            for unit, lines in zip(units, scored, strict=True)
        ]
        rows.sort(key=lambda r: (r.unit.rank_group, -r.total, r.unit.region.code or "", r.unit.pk))
        results, group, n = [], None, 0
        for row in rows:
            unit = row.unit
            n = n + 1 if unit.rank_group == group else 1
            group = unit.rank_group
            results.append(
                Row(
                    stored.get(unit.key),
                    scheme.pk,
                    period.key,
                    unit.region.pk,
                    unit.site.pk if unit.site else None,
                    unit.team.pk if unit.team else None,
                    level,
                    unit.rank_group,
                    row.total,
                    max_points,
                    n,
                    names.get(unit.key, ""),
                )
            )
        store(results, [row.lines for row in rows])
        count += len(results)
    Result.objects.filter(scheme=scheme, period=period.key, computed_at__lt=started).delete()
    if connection.vendor == "postgresql" and count >= ANALYZE_FROM:
        # Fresh planner statistics: the ranking pages page through the index of a level
        # (~1 ms); with the statistics of an empty table PostgreSQL sorts the whole level.
        with connection.cursor() as c:
            c.execute(f"ANALYZE {Result._meta.db_table}, {ResultLine._meta.db_table}")
    return count

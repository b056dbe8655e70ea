"""Compute and store a period's results for a scheme: every standard for every unit of its
level under the scheme's place — townships, villages, practice sites and volunteer teams —
totals, ranks within each level (sites within their site level), and the 一把手 named.
A manual standard counts its latest confirmed score for the period, else 0 and pending.

Idempotent: a period's rows are replaced wholesale in one transaction, so running it twice
(the worker's schedule and a person's button) leaves the same rows."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ..choices import AssessedLevel, Method, NodeKind
from ..compute import Context, compute, parse_period, score_figure
from ..compute_surveys import survey_figure
from ..compute_units import unit_figures
from ..models import ManualScore, Result, ResultLine, Scheme
from ..units import Unit, leaders, unit_key, units_of


def _line(node, scored: dict | None) -> ResultLine:
    if scored is None:
        return ResultLine(node=node, score=Decimal(0), pending=True)
    return ResultLine(
        node=node,
        figure=scored["figure"],
        numerator=scored["numerator"],
        denominator=scored["denominator"],
        score=scored["score"],
        link=scored["link"],
    )


def _score_level(nodes, units: list[Unit], period, ctx, confirmed) -> list[list[ResultLine]]:
    """One list of lines per unit, in the order of ``units``."""
    batch: dict[int, dict] = {}  # node id → unit pk → Figure (site and team metrics)
    for node in nodes:
        if node.method == Method.AUTOMATIC and units and units[0].level in ("site", "team"):
            batch[node.pk] = unit_figures(node.metric, [u.pk for u in units], period) or {}
    out = []
    for unit in units:
        lines = []
        for node in nodes:
            if node.method != Method.AUTOMATIC:
                manual = confirmed.get((node.pk, unit.key))
                lines.append(
                    ResultLine(
                        node=node,
                        score=manual.score if manual else Decimal(0),
                        figure=manual.value if manual else None,
                        pending=manual is None,
                    )
                )
            elif node.pk in batch:
                figure = batch[node.pk].get(unit.pk)
                lines.append(_line(node, score_figure(node, figure) if figure else None))
            else:
                figure = compute(node.metric, unit.region, period, ctx)
                if figure is None:
                    figure = survey_figure(node.metric, unit.region, period, ctx)
                lines.append(_line(node, score_figure(node, figure) if figure else None))
        out.append(lines)
    return out


@transaction.atomic
def results_compute(*, scheme: Scheme, period_key: str) -> int:
    """Replace the stored results of ``scheme`` for ``period_key``; returns how many units."""
    period = parse_period(period_key)
    standards = list(scheme.nodes.filter(kind=NodeKind.STANDARD).order_by("position", "id"))
    Result.objects.filter(scheme=scheme, period=period.key).delete()
    confirmed = {}
    for m in ManualScore.objects.filter(
        scheme=scheme, period=period.key, status=ManualScore.Status.CONFIRMED
    ).order_by("version"):
        confirmed[(m.node_id, unit_key(m))] = m  # the latest confirmed version wins
    ctx = Context(root=scheme.region)
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
            (unit, sum((line.score for line in lines), Decimal(0)), lines)
            for unit, lines in zip(units, scored, strict=True)
        ]
        rows.sort(key=lambda r: (r[0].rank_group, -r[1], r[0].region.code or "", r[0].pk))
        ranks, group, n = [], None, 0
        for unit, _total, _lines in rows:
            n = n + 1 if unit.rank_group == group else 1
            group = unit.rank_group
            ranks.append(n)
        results = Result.objects.bulk_create(
            [
                Result(
                    scheme=scheme,
                    period=period.key,
                    region=unit.region,
                    site=unit.site,
                    team=unit.team,
                    level=level,
                    rank_group=unit.rank_group,
                    total=total,
                    max_points=max_points,
                    rank=rank,
                    leader=names.get(unit.key, ""),
                )
                for rank, (unit, total, _lines) in zip(ranks, rows, strict=True)
            ]
        )
        batch = []
        for result, (_unit, _total, lines) in zip(results, rows, strict=True):
            for line in lines:
                line.result = result
                batch.append(line)
        ResultLine.objects.bulk_create(batch, batch_size=1000)
        count += len(results)
    return count

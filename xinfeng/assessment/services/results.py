"""Compute and store a period's results for a scheme: every automatic standard for every
township and village under the scheme's place, totals, ranks within each level, and the
一把手 of each place (the responsible person of its institute or station). A manual
standard counts its latest confirmed score for the period, else 0 and pending."""

from decimal import Decimal

from django.db import transaction

from xinfeng.places.choices import SiteLevel
from xinfeng.places.models import Site
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region

from ..choices import AssessedLevel, Method, NodeKind
from ..compute import parse_period, score_standard
from ..models import ManualScore, Result, ResultLine, Scheme

LEVELS = {
    AssessedLevel.TOWNSHIP: (RegionLevel.TOWNSHIP, SiteLevel.INSTITUTE),
    AssessedLevel.VILLAGE: (RegionLevel.VILLAGE, SiteLevel.STATION),
}


def _leaders(regions, site_level) -> dict[int, str]:
    out = {}
    for site in Site.objects.filter(region__in=regions, level=site_level).select_related(
        "responsible_user"
    ):
        user = site.responsible_user
        name = (user.display_name if user else "") or site.responsible_name
        if name and site.region_id not in out:
            title = f"（{site.responsible_title}）" if site.responsible_title else ""
            out[site.region_id] = f"{name}{title}"
    return out


@transaction.atomic
def results_compute(*, scheme: Scheme, period_key: str) -> int:
    """Replace the stored results of ``scheme`` for ``period_key``; returns how many places."""
    period = parse_period(period_key)
    standards = list(scheme.nodes.filter(kind=NodeKind.STANDARD).order_by("position", "id"))
    Result.objects.filter(scheme=scheme, period=period.key).delete()
    confirmed = {}
    for m in ManualScore.objects.filter(
        scheme=scheme, period=period.key, status=ManualScore.Status.CONFIRMED
    ).order_by("version"):
        confirmed[(m.node_id, m.region_id)] = m  # the latest confirmed version wins
    count = 0
    for level, (region_level, site_level) in LEVELS.items():
        nodes = [n for n in standards if n.level == level]
        if not nodes:
            continue
        regions = list(Region.objects.subtree(scheme.region).filter(level=region_level))
        leaders = _leaders(regions, site_level)
        max_points = sum((n.points for n in nodes), Decimal(0))
        rows = []
        for region in regions:
            lines = []
            for node in nodes:
                if node.method != Method.AUTOMATIC:
                    manual = confirmed.get((node.pk, region.pk))
                    lines.append(
                        ResultLine(
                            node=node,
                            score=manual.score if manual else Decimal(0),
                            figure=manual.value if manual else None,
                            pending=manual is None,
                        )
                    )
                    continue
                scored = score_standard(node, region, period)
                if scored is None:
                    lines.append(ResultLine(node=node, score=Decimal(0), pending=True))
                else:
                    lines.append(
                        ResultLine(
                            node=node,
                            figure=scored["figure"],
                            numerator=scored["numerator"],
                            denominator=scored["denominator"],
                            score=scored["score"],
                            link=scored["link"],
                        )
                    )
            total = sum((line.score for line in lines), Decimal(0))
            rows.append((region, total, lines))
        rows.sort(key=lambda r: (-r[1], r[0].code or "", r[0].pk))
        results = Result.objects.bulk_create(
            [
                Result(
                    scheme=scheme,
                    period=period.key,
                    region=region,
                    level=level,
                    total=total,
                    max_points=max_points,
                    rank=i + 1,
                    leader=leaders.get(region.pk, ""),
                )
                for i, (region, total, _lines) in enumerate(rows)
            ]
        )
        batch = []
        for result, (_region, _total, lines) in zip(results, rows, strict=True):
            for line in lines:
                line.result = result
                batch.append(line)
        ResultLine.objects.bulk_create(batch, batch_size=1000)
        count += len(results)
    return count

"""Demo step: the population layer for the 15-minute circle.

Each village's residents (``Region.population``) are spread over a handful of weighted
points around the village centre (hamlets and housing clusters: up to ~1 km away in towns, ~3 km in the countryside), so
some residents live beyond a 15-minute walk of the village station: the gaps the coverage
analysis should find. A village's natural villages get their own share at their own spot.
"""

import math

from xinfeng.places.models import PopulationPoint
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region

from .context import DemoContext

SOURCE = "demo"
POINTS_PER_VILLAGE = (4, 8)
# Urban communities are compact; rural villages spread their hamlets over a few km.
URBAN_SPREAD_KM = 1.0
RURAL_SPREAD_KM = 3.2


def _offset(rng, lat, lng, km):
    r = km * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    return (
        round(lat + r * math.cos(theta) / 111.0, 6),
        round(lng + r * math.sin(theta) / (111.0 * math.cos(math.radians(lat))), 6),
    )


def spread_village(rng, village, hamlets) -> list[PopulationPoint]:
    """Points whose weights add up to the village's population exactly."""
    total = int(village.population or 0)
    if total <= 0 or village.latitude is None:
        return []
    points = []
    left = total
    for h in hamlets:
        w = min(int(h.population or 0), left)
        if w > 0 and h.latitude is not None:
            points.append(
                PopulationPoint(
                    region=h, latitude=h.latitude, longitude=h.longitude, weight=w, source=SOURCE
                )
            )
            left -= w
    urban = "社区" in village.name or "居" in village.name
    spread = URBAN_SPREAD_KM if urban else RURAL_SPREAD_KM
    n = rng.randint(*POINTS_PER_VILLAGE)
    # The village centre holds the largest share; outlying clusters the rest.
    shares = [3.0 if urban else 1.5] + [rng.uniform(0.5, 1.5) for _ in range(n - 1)]
    scale = left / sum(shares)
    weights = [int(s * scale) for s in shares]
    weights[0] += left - sum(weights)
    for i, w in enumerate(weights):
        if w <= 0:
            continue
        if i == 0:
            lat, lng = _offset(rng, village.latitude, village.longitude, 0.3)
        else:
            lat, lng = _offset(rng, village.latitude, village.longitude, spread)
        points.append(
            PopulationPoint(region=village, latitude=lat, longitude=lng, weight=w, source=SOURCE)
        )
    return points


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng_for("population")
    regions = list(ctx.data["regions"].values())
    hamlets: dict[int, list] = {}
    for r in Region.objects.filter(level=RegionLevel.NATURAL_VILLAGE).order_by("path"):
        hamlets.setdefault(r.parent_id, []).append(r)
    points = []
    for v in sorted(
        (r for r in regions if r.level == RegionLevel.VILLAGE), key=lambda r: r.code or ""
    ):
        points.extend(spread_village(rng, v, hamlets.get(v.pk, [])))
    PopulationPoint.objects.bulk_create(points, batch_size=2000)
    ctx.say(f"population: {len(points)} points, {sum(p.weight for p in points):,.0f} residents")

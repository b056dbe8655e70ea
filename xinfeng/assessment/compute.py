"""Periods, figures and the run's shared context of the automatic standards.

Each figure answers ``Figure(value, numerator, denominator, formula, link)``: what the
score shows next to it, and where the records behind it are. The figures themselves are
counted set-based from the lower apps' own tables (activities, orders, volunteers, places,
surveys) and the ledger — never from insights (same layer): ``compute_places.py`` for
townships and villages, ``compute_units.py`` for sites and teams. ``compute()`` here is
the one-place form of ``place_figures``, which runs the place metrics of
``compute_places.py`` and the 三问 metrics of ``compute_surveys.py`` for a list of places.
"""

from xinfeng.regions.models import Region

from .compute_places import COMPUTE_PLACES, Places
from .compute_surveys import COMPUTE_SURVEYS
from .figures import Context, Figure, Period, _as_of, _ratio, parse_period


def place_figures(
    metric: str, regions: list[Region], period: Period, ctx: Context | None = None
) -> dict[int, Figure] | None:
    """The figure of ``metric`` for each township or village (region pk → Figure); None
    when ``metric`` is not a place metric."""
    fn = COMPUTE_PLACES.get(metric) or COMPUTE_SURVEYS.get(metric)
    if fn is None:
        return None
    if not regions:
        return {}
    return fn(Places(regions, ctx or Context()), period)


def compute(metric: str, region: Region, period: Period, ctx: Context | None = None):
    """The figure of a place metric for one township or village (None: not one)."""
    if metric not in COMPUTE_PLACES:
        return None
    return place_figures(metric, [region], period, ctx)[region.pk]


def score_figure(node, figure: Figure) -> dict:
    """A standard's score from its figure, with what the result line shows."""
    from .scoring import score

    return {
        "code": node.code,
        "title": node.title,
        "metric": node.metric,
        "figure": figure.value,
        "target": node.target,
        "formula": figure.formula,
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "link": figure.link,
        "points": node.points,
        "score": score(
            node.rule,
            points=node.points,
            figure=figure.value,
            target=node.target,
            cap=node.cap,
            per_unit=node.per_unit,
            done=bool(figure.value),
        ),
    }


def score_standard(node, region: Region, period: Period, ctx: Context | None = None):
    """An automatic standard's figure and score for ``region`` (None when its figure is
    not computed yet)."""
    figures = place_figures(node.metric, [region], period, ctx)
    figure = None if figures is None else figures[region.pk]
    return None if figure is None else score_figure(node, figure)


__all__ = [
    "Context",
    "Figure",
    "Period",
    "_as_of",
    "_ratio",
    "compute",
    "parse_period",
    "score_figure",
    "score_standard",
]

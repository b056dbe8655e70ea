"""The 三问 figures (issue 13's surveys) of a township or village for a period, read-only
from the surveys app's models and its results helper (``surveys.results.response_rates``,
the same per-village counts its results page shows):

- ``surveys_held``: 三问 questionnaires of the place's sites that received answers in the
  period;
- ``survey_response_rate``: answers against the village targets of the questionnaires
  collecting in the period, each village counted up to its target (over-collection in one
  village does not hide a shortfall in another);
- ``needs_answered`` / ``needs_to_projects``: needs recognised by the period's end that a
  service project or activity answers / that became a service project;
- ``evaluation_mean``: the mean 1–5 rating of the 问效 answers given in the period by
  residents of the place (the ratings ``surveys.services.evaluation`` averages per project).

They are counted set-based with the other place figures (``COMPUTE_SURVEYS`` here, with ``compute_places``' machinery);
``survey_figure`` is the one-place form.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from xinfeng.regions.models import Region

from .compute_places import Places, _formula, _grouped, _shares
from .figures import Context, Figure, Period, _as_of


def _collecting(period: Period):
    """Questionnaires collecting during the period: published, opened before its end (or
    created then, without an opening time) and not closed before its start."""
    from xinfeng.surveys.choices import SurveyStatus
    from xinfeng.surveys.models import Survey

    lo, hi = period.bounds()
    return (
        Survey.objects.exclude(status=SurveyStatus.DRAFT)
        .filter(Q(opens_at__lt=hi) | Q(opens_at__isnull=True, created_at__lt=hi))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gte=lo))
    )


def _rates(period: Period) -> list[tuple[str, int, int]]:
    """(village path, answers up to the target, target) for every village target of every
    questionnaire collecting in the period."""
    from xinfeng.surveys.results import response_rates

    out = []
    surveys = list(_collecting(period).filter(targets__isnull=False).distinct())
    rows = [(r, s) for s in surveys for r in response_rates(s) if r["target"]]
    paths = dict(
        Region.objects.filter(pk__in={r["village_id"] for r, _s in rows}).values_list("pk", "path")
    )
    for r, _s in rows:
        out.append((paths[r["village_id"]], min(r["responses"], r["target"]), r["target"]))
    return out


def surveys_held(places: Places, period: Period) -> dict[int, Figure]:
    """Questionnaires of the place's sites that received answers in the period (a
    questionnaire has one region, so the distinct counts of the regions add up)."""
    from xinfeng.surveys.models import Response

    lo, hi = period.bounds()
    sums = places.sum_up(
        places.per_region(
            ("surveys_held", period.key),
            lambda: _grouped(
                Response.objects.filter(
                    places.within("survey__region__path"), created_at__gte=lo, created_at__lt=hi
                ),
                "survey__region_id",
                n=Count("survey_id", distinct=True),
            ),
        ),
        1,
    )
    out = {}
    for r in places.regions:
        n = Decimal(sums[r.pk][0])
        out[r.pk] = Figure(n, n, None, _formula("surveys_held"), "/surveys/")
    return out


def survey_response_rate(places: Places, period: Period) -> dict[int, Figure]:
    rows = places.ctx.memo(("survey_rates", period.key), lambda: _rates(period))
    sums: dict[int, list] = defaultdict(lambda: [0, 0])
    for path, got, aim in rows:
        for place in places.owners(path):
            sums[place.pk][0] += aim
            sums[place.pk][1] += got
    return _shares(places, sums, "survey_response_rate", lambda r: "/surveys/")


def _needs(metric: str, answered: Q):
    def figures(places: Places, period: Period) -> dict[int, Figure]:
        from xinfeng.surveys.models import Need

        def rows():
            needs = Need.objects.filter(
                places.within("region__path"), created_at__lt=_as_of(period)
            )
            total = dict(_grouped(needs, "region_id", n=Count("id")))
            done = dict(_grouped(needs.filter(answered), "region_id", n=Count("id", distinct=True)))
            return [(pk, n, done.get(pk, 0)) for pk, n in total.items()]

        sums = places.sum_up(places.per_region((metric, period.key), rows), 2)
        return _shares(places, sums, metric, lambda r: "/surveys/needs/")

    return figures


def evaluation_mean(places: Places, period: Period) -> dict[int, Figure]:
    """The mean 1–5 rating of the 问效 answers given in the period by the place's residents:
    the sum and the number of ratings per village, added up, then divided."""
    from xinfeng.surveys.choices import QuestionType, SurveyKind
    from xinfeng.surveys.models import Answer

    lo, hi = period.bounds()
    sums = places.sum_up(
        places.per_region(
            ("evaluation", period.key),
            lambda: _grouped(
                Answer.objects.filter(
                    places.within("village__path"),
                    survey__kind=SurveyKind.EVALUATION,
                    question__qtype=QuestionType.RATING,
                    number__isnull=False,
                    response__created_at__gte=lo,
                    response__created_at__lt=hi,
                ),
                "village_id",
                n=Count("id"),
                s=Sum("number"),
            ),
        ),
        2,
    )
    out = {}
    for r in places.regions:
        n, total = sums[r.pk]
        mean = Decimal(str(total)) / n if n else Decimal(0)
        out[r.pk] = Figure(
            mean.quantize(Decimal("0.01")),
            Decimal(n),
            None,
            _formula("evaluation_mean"),
            "/surveys/",
        )
    return out


COMPUTE_SURVEYS = {
    "surveys_held": surveys_held,
    "survey_response_rate": survey_response_rate,
    "needs_answered": _needs(
        "needs_answered", Q(projects__isnull=False) | Q(activities__isnull=False)
    ),
    "needs_to_projects": _needs("needs_to_projects", Q(projects__isnull=False)),
    "evaluation_mean": evaluation_mean,
}


def survey_figure(metric: str, region: Region, period: Period, ctx: Context | None = None):
    """A 三问 figure of one township or village (None: not a 三问 metric)."""
    if metric not in COMPUTE_SURVEYS:
        return None
    return COMPUTE_SURVEYS[metric](Places([region], ctx or Context()), period)[region.pk]

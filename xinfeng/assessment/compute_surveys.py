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
"""

from decimal import Decimal

from django.db.models import Avg, Count, Q

from xinfeng.regions.models import Region, subtree_q

from .compute import Context, Figure, Period, _as_of, _ratio
from .metrics import METRICS


def _formula(metric: str) -> str:
    return str(METRICS[metric]["formula"])


def surveys_held(region: Region, period: Period, ctx: Context | None = None) -> Figure:
    from xinfeng.surveys.models import Response

    lo, hi = period.bounds()
    n = (
        Response.objects.filter(
            subtree_q([region.path], "survey__region__path"), created_at__gte=lo, created_at__lt=hi
        )
        .values("survey_id")
        .distinct()
        .count()
    )
    return Figure(Decimal(n), Decimal(n), None, _formula("surveys_held"), "/surveys/")


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


def survey_response_rate(region: Region, period: Period, ctx: Context | None = None) -> Figure:
    rows = (ctx or Context()).memo(("survey_rates", period.key), lambda: _rates(period))
    mine = [(got, aim) for path, got, aim in rows if path.startswith(region.path)]
    got = sum(g for g, _a in mine)
    aim = sum(a for _g, a in mine)
    return Figure(
        _ratio(got, aim, 100),
        Decimal(got),
        Decimal(aim),
        _formula("survey_response_rate"),
        "/surveys/",
    )


def _needs(metric: str, answered: Q):
    def figure(region: Region, period: Period, ctx: Context | None = None) -> Figure:
        from xinfeng.surveys.models import Need

        needs = Need.objects.filter(
            subtree_q([region.path], "region__path"), created_at__lt=_as_of(period)
        )
        total = needs.count()
        done = needs.filter(answered).values("pk").distinct().count()
        return Figure(
            _ratio(done, total, 100),
            Decimal(done),
            Decimal(total),
            _formula(metric),
            "/surveys/needs/",
        )

    return figure


needs_answered = _needs("needs_answered", Q(projects__isnull=False) | Q(activities__isnull=False))
needs_to_projects = _needs("needs_to_projects", Q(projects__isnull=False))


def evaluation_mean(region: Region, period: Period, ctx: Context | None = None) -> Figure:
    from xinfeng.surveys.choices import QuestionType, SurveyKind
    from xinfeng.surveys.models import Answer

    lo, hi = period.bounds()
    agg = Answer.objects.filter(
        subtree_q([region.path], "village__path"),
        survey__kind=SurveyKind.EVALUATION,
        question__qtype=QuestionType.RATING,
        number__isnull=False,
        response__created_at__gte=lo,
        response__created_at__lt=hi,
    ).aggregate(mean=Avg("number"), n=Count("id"))
    n = agg["n"] or 0
    mean = Decimal(str(agg["mean"])) if n else Decimal(0)
    return Figure(
        mean.quantize(Decimal("0.01")),
        Decimal(n),
        None,
        _formula("evaluation_mean"),
        "/surveys/",
    )


COMPUTE_SURVEYS = {
    "surveys_held": surveys_held,
    "survey_response_rate": survey_response_rate,
    "needs_answered": needs_answered,
    "needs_to_projects": needs_to_projects,
    "evaluation_mean": evaluation_mean,
}


def survey_figure(metric: str, region: Region, period: Period, ctx: Context | None = None):
    """A 三问 figure of a township or village (None: not a 三问 metric)."""
    fn = COMPUTE_SURVEYS.get(metric)
    return fn(region, period, ctx) if fn else None

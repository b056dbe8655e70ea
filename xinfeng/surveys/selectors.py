"""Every read of surveys, already scoped to the reader."""

from django.db.models import Count, Q, QuerySet

from xinfeng.core.errors import NotAuthenticated, NotFound
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region, subtree_q

from . import policy
from .choices import SurveyStatus
from .models import Question, Response, Survey


def staff_survey_list(*, user, q: str | None = None, status: str | None = None) -> QuerySet:
    """Surveys on the staff list (``policy.staff_surveys_q``), newest first."""
    if not policy.is_authenticated(user):
        raise NotAuthenticated()
    qs = Survey.objects.select_related("site", "region")
    cond = policy.staff_surveys_q(user)
    if cond is not None:
        ids = Survey.objects.filter(cond).values("pk")
        qs = qs.filter(pk__in=ids)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(site__name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def response_counts(survey_ids) -> dict[int, int]:
    """Answers per survey for one page of the list (one grouped query)."""
    rows = (
        Response.objects.filter(survey_id__in=list(survey_ids))
        .values("survey_id")
        .annotate(n=Count("id"))
    )
    return {r["survey_id"]: r["n"] for r in rows}


def staff_survey_get(*, user, survey_id: int) -> Survey:
    """A survey on the staff list, or 404 (outside the reader's area looks missing)."""
    try:
        return staff_survey_list(user=user).get(pk=survey_id)
    except Survey.DoesNotExist:
        raise NotFound() from None


def public_survey(*, survey_id: int | None = None, token: str | None = None) -> Survey:
    """A survey residents may open to answer: published (open or closed, so a late
    visitor sees that it closed); drafts are 404."""
    qs = Survey.objects.select_related("site", "region", "current_version").exclude(
        status=SurveyStatus.DRAFT
    )
    lookup = {"pk": survey_id} if survey_id is not None else {"token": token or "-"}
    survey = qs.filter(**lookup).first()
    if survey is None or survey.current_version is None:
        raise NotFound()
    return survey


def answering_survey(survey_id: int) -> Survey:
    """``public_survey`` for the answer path: the survey and its current version only (the
    API's POST takes 200 answers/s; the site and region are not needed to store one)."""
    survey = (
        Survey.objects.select_related("current_version")
        .exclude(status=SurveyStatus.DRAFT)
        .filter(pk=survey_id)
        .first()
    )
    if survey is None or survey.current_version is None:
        raise NotFound()
    return survey


def questions_of(version) -> list[Question]:
    return list(version.questions.order_by("position"))


def version_counts(survey: Survey) -> dict[int, int]:
    """Answers per version of ``survey``."""
    rows = Response.objects.filter(survey=survey).values("version_id").annotate(n=Count("id"))
    return {r["version_id"]: r["n"] for r in rows}


def proxy_count(survey: Survey) -> int:
    return Response.objects.filter(survey=survey, is_proxy=True).count()


def coverage_villages(survey: Survey) -> QuerySet:
    """The villages (村/社区) a survey covers, with their township, in tree order."""
    return (
        Region.objects.filter(level=RegionLevel.VILLAGE)
        .filter(subtree_q(policy.coverage_paths(survey)))
        .select_related("parent")
        .order_by("path")
    )

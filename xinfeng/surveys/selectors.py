"""Every read of surveys, already scoped to the reader."""

from django.db import connections, router
from django.db.models import Count, Q, QuerySet

from xinfeng.core.errors import NotAuthenticated, NotFound
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region, subtree_q

from . import policy
from .choices import SurveyStatus
from .models import Question, Response, Survey, SurveyVersion


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
    API's POST takes 200 answers/s; the site and region are not needed to store one).
    What ``Survey.objects.select_related("current_version")`` would give, read with one
    statement built once per process (``_answering_plan``): compiling the ORM's query cost
    more than running it."""
    alias = router.db_for_read(Survey)
    connection = connections[alias]
    sql, parts = _answering_plan(connection)
    with connection.cursor() as cur:
        cur.execute(sql, [survey_id, SurveyStatus.DRAFT])
        row = cur.fetchone()
    if row is None:
        raise NotFound()
    objs, start = [], 0
    for model, cols in parts:
        values = []
        for col, converters in cols:
            value = row[start]
            for convert in converters:
                value = convert(value, col, connection)
            values.append(value)
            start += 1
        objs.append(model.from_db(alias, [c.target.attname for c, _ in cols], values))
    survey, version = objs
    survey.current_version = version
    return survey


_ANSWERING_PLANS: dict[str, tuple] = {}


def _answering_plan(connection) -> tuple:
    """(SQL, [(model, [(column, converters)])]) of ``answering_survey`` on ``connection``:
    every concrete field of the survey, then of its current version (an inner join: a
    survey without one is not found, as a draft is not), each value converted as the ORM
    converts it."""
    plan = _ANSWERING_PLANS.get(connection.alias)
    if plan is not None:
        return plan
    qn = connection.ops.quote_name
    parts, select = [], []
    for model in (Survey, SurveyVersion):
        table = model._meta.db_table
        cols = []
        for f in model._meta.concrete_fields:
            col = f.get_col(table)
            converters = [
                *connection.ops.get_db_converters(col),
                *col.get_db_converters(connection),
            ]
            cols.append((col, converters))
            select.append(f"{qn(table)}.{qn(f.column)}")
        parts.append((model, cols))
    s, v = qn(Survey._meta.db_table), qn(SurveyVersion._meta.db_table)
    column = {
        name: qn(Survey._meta.get_field(name).column) for name in ("current_version", "status")
    }
    sql = (
        f"SELECT {', '.join(select)} FROM {s} INNER JOIN {v}"  # noqa: S608 - names only
        f" ON {v}.{qn(SurveyVersion._meta.pk.column)} = {s}.{column['current_version']}"
        f" WHERE {s}.{qn(Survey._meta.pk.column)} = %s AND NOT ({s}.{column['status']} = %s)"
    )
    plan = _ANSWERING_PLANS[connection.alias] = (sql, parts)
    return plan


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

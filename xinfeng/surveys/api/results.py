"""Results, clusters and needs over the API (#13), scoped exactly like their pages
(``selectors_needs``): anonymous 401, no staff role 403, another area's survey 404; a
station reads its own villages' share of a township survey (``results.results_scope``).
Schema names carry the ``Survey`` prefix (the OpenAPI document keeps one component per
name across apps)."""

from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import NotFound, ValidationFailed
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import DbId, Limit

from .. import results
from .. import selectors_needs as sel
from ..models import NeedStatus
from .surveys import router


class SurveyResultRow(Schema):
    key: str = Field(..., description="choice key, rating value or village id")
    label: str
    count: int = Field(..., description="answers with this key")
    share: float | None = Field(
        None, description="of the question's respondents (0–1); a multiple choice's add up to more"
    )


class SurveyQuestionResult(Schema):
    name: str
    label: str
    type: str
    answered: int = Field(..., description="respondents who answered it")
    mean: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    rows: list[SurveyResultRow]


class SurveyCrosstabRow(Schema):
    key: str | None = Field(..., description="village id, age band or sex; null: no village")
    label: str
    cells: list[int] = Field(..., description="counts in the order of columns")
    total: int


class SurveyCrosstab(Schema):
    question: str
    by: str
    columns: list[SurveyResultRow]
    rows: list[SurveyCrosstabRow]


class SurveyResponseRate(Schema):
    village_id: int | None
    village: str
    responses: int
    target: int | None
    rate: float | None


class SurveyResultsOut(Schema):
    survey_id: int
    responses: int
    partial: bool = Field(..., description="only the villages of the reader's staff area")
    questions: list[SurveyQuestionResult]
    crosstab: SurveyCrosstab | None
    response_rates: list[SurveyResponseRate]


class SurveyClusterOut(Schema):
    id: int
    question_name: str
    label: str
    terms: list[str]
    count: int
    village_count: int
    examples: list[str]
    need_id: int | None


class SurveyNeedRow(Schema):
    id: int
    survey_id: int
    survey_title: str
    title: str
    category: str
    status: str
    people: int
    villages: int
    region: str
    project_ids: list[int]


class SurveyNeedPage(Schema):
    items: list[SurveyNeedRow]
    next_cursor: str | None


@router.get("/needs", response=SurveyNeedPage, auth=signed_in, summary="Needs of the surveys I see")
def list_needs(request, status: str | None = None, cursor: str | None = None, limit: Limit = 50):
    """The needs made from the clusters of the surveys on the reader's staff list."""
    qs = sel.need_list(user=request.auth)
    if status:
        if status not in NeedStatus.values:
            msg = _("状态无效，可选：%(values)s") % {"values": ", ".join(NeedStatus.values)}
            raise ValidationFailed(msg, code="status")
        qs = qs.filter(status=status)
    items, nxt = keyset_page(qs.prefetch_related("projects"), cursor=cursor, limit=limit)
    rows = [
        {
            "id": n.pk,
            "survey_id": n.survey_id,
            "survey_title": n.survey.title,
            "title": n.title,
            "category": n.category,
            "status": n.status,
            "people": n.people,
            "villages": n.villages,
            "region": n.region.name,
            "project_ids": sorted(p.pk for p in n.projects.all()),
        }
        for n in items
    ]
    return {"items": rows, "next_cursor": nxt}


@router.get(
    "/{survey_id}/results",
    response=SurveyResultsOut,
    auth=signed_in,
    summary="A survey's results: per question counts and shares, a cross-tab, response rates",
)
def get_results(
    request,
    survey_id: DbId,
    crosstab: str | None = Query(None, max_length=64, description="question name to cross-tab"),
    by: str = Query("village", description="village, age_band or sex"),
):
    """The figures of the results page. ``crosstab``: a choice or rating question's name
    (400 for another); ``by``: ``village``, ``age_band`` or ``sex`` (400 otherwise)."""
    survey = sel.results_survey(user=request.auth, survey_id=survey_id)
    if by not in results.CROSSTAB_DIMENSIONS:
        msg = _("交叉表维度无效，可选：village, age_band, sex。")
        raise ValidationFailed(msg, code="by", fields={"by": msg})
    villages = results.results_scope(request.auth, survey)
    total, groups = results.question_results(survey, villages)
    cross = None
    if crosstab:
        group = next((g for g in groups if g.name == crosstab and g.rows), None)
        if group is None:
            msg = _("没有可交叉分析的题目“%(name)s”（须为选择题或评分题）。") % {"name": crosstab}
            raise ValidationFailed(msg, code="crosstab", fields={"crosstab": msg})
        table = results.crosstab(survey, group, by, villages)
        cross = {
            "question": group.name,
            "by": by,
            "columns": [vars(c) for c in table["columns"]],
            "rows": [
                {**r, "key": None if r["key"] is None else str(r["key"])} for r in table["rows"]
            ],
        }
    return {
        "survey_id": survey.pk,
        "responses": total,
        "partial": villages is not None,
        "questions": [
            {
                "name": g.name,
                "label": g.label,
                "type": g.qtype,
                "answered": g.answered,
                "mean": g.mean,
                "minimum": g.minimum,
                "maximum": g.maximum,
                "rows": [vars(r) for r in g.rows],
            }
            for g in groups
        ],
        "crosstab": cross,
        "response_rates": results.response_rates(survey, villages),
    }


@router.get(
    "/{survey_id}/clusters",
    response=list[SurveyClusterOut],
    auth=signed_in,
    summary="Clusters of a free-text question's answers",
)
def list_clusters(
    request,
    survey_id: DbId,
    question: str | None = Query(
        None, max_length=64, description="a text question's name; default: the first"
    ),
):
    """Largest first, like the clusters page; 404 when the survey has no such text question."""
    survey = sel.results_survey(user=request.auth, survey_id=survey_id)
    names = [n for n, _label in results.text_question_names(survey)]
    name = question or (names[0] if names else "")
    if name not in names:
        raise NotFound()
    return [
        {
            "id": c.pk,
            "question_name": c.question_name,
            "label": c.label,
            "terms": [str(t) for t in c.terms or []],
            "count": c.count,
            "village_count": c.village_count,
            "examples": c.shown_examples,
            "need_id": getattr(getattr(c, "need", None), "pk", None),
        }
        for c in sel.clusters_for(user=request.auth, survey=survey, question_name=name)
    ]

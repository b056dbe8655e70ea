"""Survey definitions for the phone, answers (signed in or anonymous), the staff list."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.utils import check_csrf

from xinfeng.accounts.api_auth import signed_in
from xinfeng.accounts.scope import is_staff_anywhere
from xinfeng.core.audit import client_ip
from xinfeng.core.errors import PermissionDenied, ValidationFailed
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import DbId, Limit, SearchText

from .. import selectors
from ..choices import Channel, SurveyStatus
from ..services.answering import Submission, response_submit, survey_taking_answers
from ..views.common import DEVICE_COOKIE, english, survey_title

router = Router(tags=["surveys"])


class ChoiceOut(Schema):
    key: str
    label: str


class QuestionOut(Schema):
    name: str
    label: str
    hint: str
    type: str = Field(
        ...,
        description="select_one, select_multiple, rating, integer, decimal, text, long_text, village, image",
    )
    required: bool
    relevant: str = Field(..., description="show-if, XLSForm syntax; empty: always shown")
    choices: list[ChoiceOut]


class VillageOut(Schema):
    id: int
    name: str
    township: str


class SurveyOut(Schema):
    id: int
    title: str
    kind: str
    site: str
    status: str
    taking_answers: bool
    allow_anonymous: bool
    opens_at: datetime | None
    closes_at: datetime | None
    version: int
    questions: list[QuestionOut]
    villages: list[VillageOut]


class ResponseIn(Schema):
    village_id: DbId
    age_band: str = Field("", max_length=8)
    sex: str = Field("", max_length=1)
    guardian_consent: bool = False
    # bool first: a JSON true stays a bool (refused by the service), not a rating of 1.
    answers: dict[str, bool | str | int | float | list[str] | None] = Field(
        ..., description="question name → value (a key list for select_multiple)"
    )
    device_id: str = Field("", max_length=64, description="a stable random id of the device")


class ResponseOut(Schema):
    id: int
    version: int


class SurveyRow(Schema):
    id: int
    title: str
    kind: str
    status: str
    site_id: int
    site_name: str
    closes_at: datetime | None


class SurveyPage(Schema):
    items: list[SurveyRow]
    next_cursor: str | None


def _present(survey) -> dict:
    en = english()
    questions = selectors.questions_of(survey.current_version)
    try:
        survey_taking_answers(survey)
        taking = True
    except Exception:
        taking = False
    villages = selectors.coverage_villages(survey)
    return {
        "id": survey.pk,
        "title": survey_title(survey),
        "kind": survey.kind,
        "site": survey.site.name,
        "status": survey.status,
        "taking_answers": taking,
        "allow_anonymous": survey.allow_anonymous,
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "version": survey.current_version.number,
        "questions": [
            {
                "name": q.name,
                "label": q.label_en if en and q.label_en else q.label_zh,
                "hint": q.hint_en if en and q.hint_en else q.hint_zh,
                "type": q.qtype,
                "required": q.required,
                "relevant": q.relevant,
                "choices": [
                    {
                        "key": c["key"],
                        "label": c.get("label_en") if en and c.get("label_en") else c["label_zh"],
                    }
                    for c in q.choices
                ],
            }
            for q in questions
        ],
        "villages": [
            {"id": v.pk, "name": v.name, "township": v.parent.name if v.parent_id else ""}
            for v in villages
        ],
    }


@router.get("/", response=SurveyPage, auth=signed_in, summary="Surveys of my staff area")
def list_surveys(
    request,
    q: SearchText | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    if not is_staff_anywhere(request.auth):
        raise PermissionDenied(_("问卷管理仅限实践中心、所、站的工作人员。"), code="staff_only")
    if status and status not in SurveyStatus.values:
        # like the needs list: an unknown filter is a mistake to hear about, not an empty page
        msg = _("状态无效，可选：%(values)s") % {"values": ", ".join(SurveyStatus.values)}
        raise ValidationFailed(msg, code="status", fields={"status": msg})
    qs = selectors.staff_survey_list(user=request.auth, q=q or None, status=status or None)
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("-id",))
    rows = [
        {
            "id": s.pk,
            "title": s.title,
            "kind": s.kind,
            "status": s.status,
            "site_id": s.site_id,
            "site_name": s.site.name,
            "closes_at": s.closes_at,
        }
        for s in items
    ]
    return {"items": rows, "next_cursor": nxt}


@router.get(
    "/{int:survey_id}",
    response=SurveyOut,
    auth=None,
    summary="A published survey, for the phone",
)
def get_survey(request, survey_id: DbId):
    """The questions (current version), show-if conditions and the villages to pick from.
    Drafts are 404."""
    return _present(selectors.public_survey(survey_id=survey_id))


def _respondent(request):
    """The signed-in person answering: by token, or by session when the CSRF check
    passes (this endpoint is open to anonymous callers, so ninja does not check it)."""
    if getattr(request, "auth_via_token", False):
        return request.user
    if request.user.is_authenticated and check_csrf(request) is None:
        return request.user
    return None


@router.post(
    "/{survey_id}/responses",
    response={201: ResponseOut},
    auth=None,
    summary="Answer a survey (signed in or anonymous)",
)
def post_response(request, survey_id: DbId, payload: ResponseIn):
    """400 wrong answers (``fields`` per question), 401 when the survey needs sign-in, 404
    unknown or draft, 409 closed / not yet open / duplicate."""
    survey = selectors.answering_survey(survey_id)
    device = payload.device_id or request.COOKIES.get(DEVICE_COOKIE, "")
    response = response_submit(
        survey=survey,
        submission=Submission(
            values=dict(payload.answers),
            village_id=payload.village_id,
            age_band=payload.age_band,
            sex=payload.sex,
            guardian_consent=payload.guardian_consent,
            strict_names=True,
        ),
        respondent=_respondent(request),
        device_id=device,
        ip=client_ip(request) or "",
        channel=Channel.API,
    )
    return Status(201, {"id": response.pk, "version": response.version.number})

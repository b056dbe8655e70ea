"""Taking answers: one function for the phone page, the API and paper entry (代填).

``response_submit`` checks, in this order: the survey takes answers now (409
``survey_not_open`` / ``survey_closed``), who answers (sign-in when required: 401; paper
entry only by staff of the village: 403), the respondent's village, age band (minors per
``policy.age_band_allowed``) and sex, duplicates (409 ``duplicate``, see below), then every
answer against the version's questions (400 with one message per question). Questions
hidden by their show-if are ignored whatever was sent; a required one that shows must be
answered.

Duplicates (not for paper entry, which staff make on behalf of many people):
``per_person`` — a signed-in person answers once (anonymous answers fall back to the
device rule when the survey allows them); ``per_device`` — one answer per device cookie
within ``duplicate_window_hours``, and at most ``max_per_address`` from one network
address in that window (a village hall's Wi-Fi is one address). A person's or a device's
repeat is refused by one upsert on ``ResponseClaim``'s unique key at the end of the
transaction (``_claim``), exact under concurrency; a refused duplicate rolls the whole
answer back, so a duplicate with wrong answers is told about the answers first (400). The
address cap is a count stopped at the cap, without a lock (``_address_cap``).

Write path per answer: the address count, the response INSERT, one INSERT of its answer
rows (plain values, no model instances: ``_insert_answers``), one upsert of the tally
(``services.tally``), one upsert of the claims.
"""

import json
import math
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfeng.core.crypto import keyed_hash
from xinfeng.core.errors import Conflict, NotAuthenticated, ValidationFailed
from xinfeng.core.inserts import insert
from xinfeng.orders.services.serve import validate_photo
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region, subtree_q

from .. import policy
from ..choices import (
    AgeBand,
    Channel,
    DuplicatePolicy,
    QuestionType,
    Sex,
    SurveyStatus,
)
from ..models import Answer, Question, Response, ResponseClaim, Survey
from ..relevant import evaluate, parse
from .tally import tally_add

MAX_TEXT = 500
MAX_LONG_TEXT = 5000
MAX_INTEGER = 10**9
MAX_DECIMAL = 10**12

SURVEY_CLOSED = gettext_lazy("问卷已结束，不再接受作答。")
SURVEY_NOT_OPEN = gettext_lazy("问卷尚未开始收集。")
DUPLICATE = gettext_lazy("您已经提交过这份问卷，感谢参与！")
TOO_MANY_FROM_ADDRESS = gettext_lazy("同一网络地址提交的答卷已达上限，请稍后再试或换用手机网络。")
SIGN_IN_REQUIRED = gettext_lazy("这份问卷需要登录后作答。")
REQUIRED = gettext_lazy("此题必答。")


@dataclass
class Submission:
    """What a respondent (or staff entering a paper form) sent."""

    values: dict[str, Any]
    files: dict[str, Any] = field(default_factory=dict)
    village_id: int | None = None
    age_band: str = ""
    sex: str = ""
    guardian_consent: bool = False
    strict_names: bool = False  # the API refuses names that are not questions


def survey_taking_answers(survey: Survey, now=None) -> None:
    """409 unless ``survey`` takes answers now."""
    now = now or timezone.now()
    if survey.status == SurveyStatus.CLOSED or (survey.closes_at and survey.closes_at <= now):
        raise Conflict(SURVEY_CLOSED, code="survey_closed")
    if survey.status != SurveyStatus.OPEN or (survey.opens_at and survey.opens_at > now):
        raise Conflict(SURVEY_NOT_OPEN, code="survey_not_open")


def device_hash(device_id: str) -> str:
    return keyed_hash("sv:" + device_id) if device_id else ""


def address_hash(ip: str) -> str:
    return keyed_hash("ip:" + ip) if ip else ""


_COVERAGE: dict[int, tuple[float, tuple, frozenset[int]]] = {}
COVERAGE_SECONDS = 60


def coverage_village_ids(survey: Survey) -> frozenset[int]:
    """Ids of the villages the survey covers, kept per process for ``COVERAGE_SECONDS`` (a
    survey's regions are set while drafting; a change is seen within that time, at once in
    the process that made it — ``forget_coverage``)."""
    now = time.monotonic()
    hit = _COVERAGE.get(survey.pk)
    stamp = (survey.token, survey.region_id)  # a reused id (tests) is another survey
    if hit and now - hit[0] < COVERAGE_SECONDS and hit[1] == stamp:
        return hit[2]
    ids = frozenset(
        Region.objects.filter(level=RegionLevel.VILLAGE)
        .filter(subtree_q(policy.coverage_paths(survey)))
        .values_list("pk", flat=True)
    )
    if len(_COVERAGE) >= 256:
        _COVERAGE.clear()
    _COVERAGE[survey.pk] = (now, stamp, ids)
    return ids


def forget_coverage(survey_id: int) -> None:
    _COVERAGE.pop(survey_id, None)


def _village(survey: Survey, village_id, entered_by) -> int:
    """The respondent's village id (checked against the survey's coverage)."""
    message = _("请选择您所在的村（社区）：须在本问卷的调查范围内。")
    try:
        vid = int(village_id)
    except (TypeError, ValueError):
        raise ValidationFailed(message, code="village", fields={"village": message}) from None
    if entered_by is not None:
        if not policy.paper_villages(entered_by, survey).filter(pk=vid).exists():
            message = _("只能为您负责、且在调查范围内的村（社区）代填。")
            raise ValidationFailed(message, code="village", fields={"village": message})
        return vid
    if vid not in coverage_village_ids(survey):
        raise ValidationFailed(message, code="village", fields={"village": message})
    return vid


def _address_cap(survey: Survey, respondent, addr: str) -> None:
    """At most ``max_per_address`` answers from one network address in the window: a count
    that stops at the cap (an index range of at most that many rows), no lock — a whole
    village hall shares the address, so a locked counter row would queue every answer from
    it. A soft cap: two answers in the same instant may both pass it."""
    if survey.duplicate_policy == DuplicatePolicy.NONE or not addr:
        return
    if respondent is not None and survey.duplicate_policy == DuplicatePolicy.PER_PERSON:
        return
    since = timezone.now() - timedelta(hours=survey.duplicate_window_hours)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM surveys_response WHERE survey_id = %s"
            " AND ip_hash = %s AND is_proxy = %s AND created_at >= %s LIMIT %s) AS seen",
            [
                survey.pk,
                addr,
                False,
                connection.ops.adapt_datetimefield_value(since),
                survey.max_per_address,
            ],
        )
        (seen,) = cur.fetchone()
    if seen >= survey.max_per_address:
        raise Conflict(TOO_MANY_FROM_ADDRESS, code="too_many_from_address")


def _claim(survey: Survey, respondent, dev: str) -> None:
    """The duplicate rules for a person and a device as one upsert on ``ResponseClaim``
    (survey × key unique): each key counts the answers in its current window (a window
    older than ``duplicate_window_hours`` starts again at 1), returned by the same
    statement. Exact under concurrency; the rows it locks are the answerer's own."""
    if survey.duplicate_policy == DuplicatePolicy.NONE:
        return
    now = timezone.now()
    keys = []
    if respondent is not None:
        keys.append(f"u:{respondent.pk}")
    if dev and (respondent is None or survey.duplicate_policy == DuplicatePolicy.PER_DEVICE):
        keys.append(f"d:{dev}")
    if not keys:
        return
    if respondent is not None and survey.duplicate_policy == DuplicatePolicy.PER_PERSON:
        since = now - timedelta(days=365 * 1000)  # once, ever
    else:
        since = now - timedelta(hours=survey.duplicate_window_hours)
    keys.sort()
    at, cutoff = (connection.ops.adapt_datetimefield_value(t) for t in (now, since))
    values = ", ".join(["(%s, %s, %s, 1)"] * len(keys))
    params: list = []
    for k in keys:
        params += [survey.pk, k, at]
    table = ResponseClaim._meta.db_table
    sql = (
        f"INSERT INTO {table} (survey_id, key, claimed_at, n) VALUES {values}"  # noqa: S608
        f" ON CONFLICT (survey_id, key) DO UPDATE SET"
        f" n = CASE WHEN {table}.claimed_at < %s THEN 1 ELSE {table}.n + 1 END,"
        f" claimed_at = CASE WHEN {table}.claimed_at < %s THEN excluded.claimed_at"
        f" ELSE {table}.claimed_at END"
        f" RETURNING n"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*params, cutoff, cutoff])
        if any(n > 1 for (n,) in cur.fetchall()):
            raise Conflict(DUPLICATE, code="duplicate")


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _clean_value(q: Question, value, upload, survey: Survey):
    """(value for show-if, list of Answer field dicts) or raise ValueError(message)."""
    t = q.qtype
    if t == QuestionType.SINGLE:
        if isinstance(value, list):
            if len(value) != 1:
                raise ValueError(_("只能选一项。"))
            value = value[0]
        key = str(value).strip()
        if key not in q.choice_keys():
            raise ValueError(_("请从选项中选择。"))
        return key, [{"choice": key}]
    if t == QuestionType.MULTIPLE:
        keys = value.split() if isinstance(value, str) else value
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise ValueError(_("请从选项中选择。"))
        allowed = q.choice_keys()
        keys = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
        if any(k not in allowed for k in keys):
            raise ValueError(_("请从选项中选择。"))
        return keys, [{"choice": k} for k in keys]
    if t in (QuestionType.RATING, QuestionType.INTEGER):
        if isinstance(value, bool):
            raise ValueError(_("请填写整数。"))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValueError(_("请填写整数。")) from None
        if t == QuestionType.RATING and not 1 <= number <= 5:
            raise ValueError(_("评分须在 1 到 5 之间。"))
        if abs(number) > MAX_INTEGER:
            raise ValueError(_("数值太大。"))
        return float(number), [{"number": float(number)}]
    if t == QuestionType.DECIMAL:
        if isinstance(value, bool):
            raise ValueError(_("请填写数字。"))
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError(_("请填写数字。")) from None
        if not math.isfinite(number) or abs(number) > MAX_DECIMAL:
            raise ValueError(_("数值超出范围。"))
        return number, [{"number": number}]
    if t in (QuestionType.TEXT, QuestionType.LONG_TEXT):
        if not isinstance(value, str):
            raise ValueError(_("请填写文字。"))
        text = value.strip()
        limit = MAX_TEXT if t == QuestionType.TEXT else MAX_LONG_TEXT
        if len(text) > limit:
            raise ValueError(_("最多 %(n)d 个字。") % {"n": limit})
        if "\x00" in text:
            raise ValueError(_("包含无效字符。"))
        return text, [{"text": text}]
    if t == QuestionType.VILLAGE:
        try:
            vid = int(str(value).strip())
        except ValueError:
            raise ValueError(_("请选择村（社区）。")) from None
        if vid not in coverage_village_ids(survey):
            raise ValueError(_("所选村（社区）不在调查范围内。"))
        return str(vid), [{"region_id": vid, "choice": str(vid)}]
    if t == QuestionType.PHOTO:
        if upload is None:
            raise ValueError(_("请上传照片。"))
        try:
            validate_photo(upload)
        except ValidationFailed as exc:
            raise ValueError(str(exc.detail)) from None
        return "photo", [{"photo": upload}]
    raise ValueError(_("不支持的题型。"))  # pragma: no cover - choices are closed


def clean_answers(survey: Survey, questions: list[Question], sub: Submission):
    """The Answer field dicts per question, after show-if; ``ValidationFailed`` naming each
    question that is wrong."""
    names = {q.name for q in questions}
    errors: dict[str, str] = {}
    if sub.strict_names:
        unknown = sorted(set(sub.values) - names)
        if unknown:
            msg = _("没有这些题目：%(names)s") % {"names": ", ".join(unknown[:10])}
            raise ValidationFailed(msg, code="unknown_questions")
    seen: dict[str, Any] = {}
    rows: list[tuple[Question, dict]] = []
    for q in questions:
        tree = _condition(q, seen.keys())
        if tree is not None and not evaluate(tree, seen):
            seen[q.name] = None
            continue
        value = sub.values.get(q.name)
        upload = sub.files.get(q.name)
        if q.qtype == QuestionType.PHOTO and upload is not None:
            value = "photo"
        if _is_missing(value):
            seen[q.name] = None
            if q.required:
                errors[q.name] = str(REQUIRED)
            continue
        try:
            show_value, parts = _clean_value(q, value, upload, survey)
        except ValueError as exc:
            errors[q.name] = str(exc)
            seen[q.name] = None
            continue
        seen[q.name] = show_value
        rows.extend((q, p) for p in parts)
    if errors:
        labels = {q.name: q.label_zh for q in questions}
        first = next(iter(errors))
        detail = _("有 %(n)d 道题需要修改。第一处：%(label)s — %(msg)s") % {
            "n": len(errors),
            "label": labels.get(first, first),
            "msg": errors[first],
        }
        raise ValidationFailed(detail, code="answers_invalid", fields=errors)
    return rows


_CONDITIONS: dict[tuple, Any] = {}


def _condition(q: Question, earlier) -> Any:
    """The question's show-if tree, parsed once per process for a saved question (its
    condition and the names before it do not change once answered)."""
    if not q.relevant.strip():
        return None
    key = (q.pk, q.version_id, q.position, q.relevant)
    if q.pk is not None and key in _CONDITIONS:
        return _CONDITIONS[key]
    try:
        tree = parse(q.relevant, earlier)
    except Exception:  # an answered version was checked when saved; be safe anyway
        tree = None
    if q.pk is not None:
        if len(_CONDITIONS) >= 4096:
            _CONDITIONS.clear()
        _CONDITIONS[key] = tree
    return tree


_FROZEN_QUESTIONS: dict[tuple, list[Question]] = {}


def _questions(version) -> list[Question]:
    """The version's questions; a frozen version's never change (``Question.save`` refuses),
    so they are kept per process, keyed by the version and its freeze time."""
    if version.frozen_at is None:
        return list(version.questions.order_by("position"))
    key = (version.pk, version.frozen_at)
    questions = _FROZEN_QUESTIONS.get(key)
    if questions is None:
        if len(_FROZEN_QUESTIONS) >= 256:
            _FROZEN_QUESTIONS.clear()
        questions = _FROZEN_QUESTIONS[key] = list(version.questions.order_by("position"))
    return questions


_ANSWER_COLUMNS = (
    "response_id, survey_id, village_id, age_band, sex,"
    " question_id, choice, number, text, region_id, photo"
)
_ANSWERS_FROM_JSON = (
    f"INSERT INTO surveys_answer ({_ANSWER_COLUMNS})"  # noqa: S608 - constants
    " SELECT %s, %s, %s, %s, %s, u.q, u.c, u.n, u.t, u.r, u.p FROM json_to_recordset(%s::json)"
    " AS u(q bigint, c varchar, n float8, t text, r bigint, p varchar)"
)


def _insert_answers(response: Response, rows: list[tuple[Question, dict]]) -> None:
    """The response's answer rows (``clean_answers``'s) in one statement of plain values —
    no model instance per row (~27 for a 20-question answer). On PostgreSQL one JSON
    parameter (the statement's text is the same for every answer, and the driver has one
    string to pass rather than an array per column); elsewhere ``executemany``."""
    values = []
    for q, part in rows:
        photo = part.get("photo")
        if photo is not None:  # the field names and stores the file, as a save would
            holder = Answer()
            holder.photo.save(f"photo.{validate_photo(photo)}", photo, save=False)
            photo = holder.photo.name
        values.append(
            (
                q.pk,
                part.get("choice", ""),
                part.get("number"),
                part.get("text", ""),
                part.get("region_id"),
                photo or "",
            )
        )
    if not values:
        return
    head = [response.pk, response.survey_id, response.village_id, response.age_band, response.sex]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            data = [dict(zip("qcntrp", v, strict=True)) for v in values]
            cur.execute(_ANSWERS_FROM_JSON, [*head, json.dumps(data, ensure_ascii=False)])
            return
        marks = ", ".join(["%s"] * 11)
        cur.executemany(
            f"INSERT INTO surveys_answer ({_ANSWER_COLUMNS}) VALUES ({marks})",  # noqa: S608
            [(*head, *v) for v in values],
        )


@transaction.atomic
def response_submit(
    *,
    survey: Survey,
    submission: Submission,
    respondent=None,
    device_id: str = "",
    ip: str = "",
    channel: str = Channel.LINK,
    entered_by=None,
) -> Response:
    """Record one answered questionnaire (see the module docstring for the checks).
    ``entered_by``: the staff member entering a paper form on a resident's behalf."""
    survey_taking_answers(survey)
    if respondent is not None and not respondent.is_authenticated:
        respondent = None
    if entered_by is not None:
        policy.require_may_enter_paper(entered_by, survey)
        respondent, channel, device_id = None, Channel.PAPER, ""
    elif respondent is None and not survey.allow_anonymous:
        raise NotAuthenticated(SIGN_IN_REQUIRED, code="sign_in_required")
    village = _village(survey, submission.village_id, entered_by)
    age_band = submission.age_band or ""
    if age_band and age_band not in AgeBand.values:
        raise ValidationFailed(
            _("年龄段无效。"), code="age_band", fields={"age_band": _("年龄段无效。")}
        )
    policy.age_band_allowed(age_band, submission.guardian_consent)
    sex = submission.sex or ""
    if sex not in Sex.values:
        raise ValidationFailed(_("性别无效。"), code="sex", fields={"sex": _("性别无效。")})
    dev, addr = device_hash(device_id), address_hash(ip)
    if entered_by is None:
        _address_cap(survey, respondent, addr)
    version = survey.current_version
    questions = _questions(version)
    rows = clean_answers(survey, questions, submission)
    response = Response(
        survey=survey,
        version=version,
        respondent=respondent,
        device_hash=dev,
        ip_hash=addr,
        village_id=village,
        age_band=age_band,
        sex=sex,
        guardian_consent=bool(submission.guardian_consent),
        is_proxy=entered_by is not None,
        entered_by=entered_by,
        channel=channel,
    )
    insert([response], signals_sent=True)  # Response.objects.create, its SQL compiled once
    _insert_answers(response, rows)
    tally_add(response, rows)
    if entered_by is None:
        _claim(survey, respondent, dev)
    if version.frozen_at is None:
        type(version).objects.filter(pk=version.pk, frozen_at__isnull=True).update(
            frozen_at=timezone.now()
        )
    return response

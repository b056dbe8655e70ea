"""Results of a survey: counts, shares, means, cross-tabs and response rates, aggregated in
SQL (``GROUP BY`` over ``Answer``, never a Python loop over answers).

Questions are grouped by ``Question.name`` across versions (a reworded question of version 2
adds to version 1's counts); labels and choice labels come from the newest version having
the name. Every figure can be limited to some villages (``villages``: ids, or ``None`` for
all) — the reader's scope (``results_scope``).

Shares: a single choice's share is of the question's answers; a multiple choice's share is of
the respondents who answered the question (``COUNT(DISTINCT response_id)``), so its shares
add up to more than 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import scope_paths
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region, subtree_q

from . import policy
from .choices import CHOICE_TYPES, NUMBER_TYPES, TEXT_TYPES, AgeBand, QuestionType, Sex
from .models import Answer, Question, Response, Survey, VillageTarget

CROSSTAB_DIMENSIONS = {
    "village": _("村（社区）"),
    "age_band": _("年龄段"),
    "sex": _("性别"),
}
NO_VALUE = _("未填")


@dataclass
class Row:
    key: str
    label: str
    count: int
    share: float | None = None  # 0..1


@dataclass
class QuestionResult:
    name: str
    label: str
    qtype: str
    question_ids: list[int]
    answered: int = 0  # respondents who answered it
    rows: list[Row] = field(default_factory=list)
    mean: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    always_answered: bool = True  # required and shown to everyone in every version
    version_ids: list[int] = field(default_factory=list)

    @property
    def is_chart(self) -> bool:
        return bool(self.rows)


def results_scope(user, survey: Survey) -> list[int] | None:
    """Villages whose answers ``user`` may read: all (``None``) for those who manage the
    survey (its owning region or above); else the villages of their own staff area (a
    station sees its village's share of a township survey it enters papers for)."""
    if policy.may_manage_survey(user, survey):
        return None
    paths = scope_paths(user, STAFF_ROLES)
    if paths is None:
        return None
    if not paths:
        return []
    return list(
        Region.objects.filter(subtree_q(paths), level=RegionLevel.VILLAGE).values_list(
            "pk", flat=True
        )
    )


def _answers(survey: Survey, villages: list[int] | None):
    qs = Answer.objects.filter(survey_id=survey.pk)
    if villages is not None:
        qs = qs.filter(village_id__in=villages)
    return qs


def _label(obj: dict, zh_key: str, en_key: str) -> str:
    if (get_language() or "zh-hans").startswith("en") and obj.get(en_key):
        return obj[en_key]
    return obj.get(zh_key) or ""


def question_groups(survey: Survey) -> list[QuestionResult]:
    """One entry per question name, in the current version's order (older names last)."""
    questions = list(
        Question.objects.filter(version__survey_id=survey.pk)
        .select_related("version")
        .order_by("-version__number", "position")
    )
    groups: dict[str, QuestionResult] = {}
    choice_labels: dict[str, dict[str, str]] = {}
    for q in questions:  # newest version first: its wording wins
        g = groups.get(q.name)
        if g is None:
            label = _label({"zh": q.label_zh, "en": q.label_en}, "zh", "en")
            g = groups[q.name] = QuestionResult(q.name, label, q.qtype, [])
            choice_labels[q.name] = {}
        g.question_ids.append(q.pk)
        g.version_ids.append(q.version_id)
        g.always_answered = g.always_answered and q.required and not q.relevant.strip()
        for c in q.choices or []:
            choice_labels[q.name].setdefault(str(c["key"]), _label(c, "label_zh", "label_en"))
    for name, g in groups.items():
        g._choice_labels = choice_labels[name]  # type: ignore[attr-defined]
    return list(groups.values())


def question_results(
    survey: Survey, villages: list[int] | None = None
) -> tuple[int, list[QuestionResult]]:
    """(responses, per-question results). At most three queries whatever the size:
    responses per version, one grouped pass over the answers, and distinct respondents of
    optional multiple-choice questions."""
    groups = question_groups(survey)
    by_qid = {qid: g for g in groups for qid in g.question_ids}
    answers = _answers(survey, villages)
    responses = Response.objects.filter(survey_id=survey.pk)
    if villages is not None:
        responses = responses.filter(village_id__in=villages)
    per_version = dict(responses.values_list("version_id").annotate(n=Count("id")).order_by())
    total = sum(per_version.values())

    multi_ids = [
        i
        for g in groups
        if g.qtype == QuestionType.MULTIPLE and not g.always_answered
        for i in g.question_ids
    ]
    counts: dict[str, dict[str, int]] = {}
    answered: dict[str, int] = {}
    stats: dict[str, dict] = {}
    # 1. one pass over the survey's answers: rows per question, choice and value. Gives
    # choice counts, rating distributions, the answered count of every one-row-per-response
    # question (text and photo rows fall in one group each), and exact means (Σ value × rows).
    rows = answers.values_list("question_id", "choice", "number").annotate(n=Count("id")).order_by()
    for qid, choice, number, n in rows:
        g = by_qid.get(qid)
        if g is None:
            continue
        if g.qtype != QuestionType.MULTIPLE:
            answered[g.name] = answered.get(g.name, 0) + n
        if g.qtype in NUMBER_TYPES:
            if number is None:
                continue
            st = stats.setdefault(g.name, {"sum": 0.0, "n": 0, "lo": number, "hi": number})
            st["sum"] += number * n
            st["n"] += n
            st["lo"], st["hi"] = min(st["lo"], number), max(st["hi"], number)
            if g.qtype != QuestionType.RATING:
                continue
            key = str(int(number))
        else:
            key = choice
        bucket = counts.setdefault(g.name, {})
        bucket[key] = bucket.get(key, 0) + n
    # 2. respondents of multiple-choice questions (several rows per response). A required
    # one without a show-if was answered by every response of the versions that have it (the
    # answering service refuses a response without it): counted from the responses per
    # version. Only optional or conditional ones need distinct (question, response) pairs.
    for g in groups:
        if g.qtype == QuestionType.MULTIPLE and g.always_answered:
            answered[g.name] = sum(per_version.get(v, 0) for v in g.version_ids)
    if multi_ids:
        pairs = answers.filter(question_id__in=multi_ids).values("question_id", "response_id")
        sql, params = pairs.distinct().order_by().query.sql_with_params()
        with connection.cursor() as cur:
            # distinct (question, response) pairs hashed, then counted: one scan
            cur.execute(
                f"SELECT question_id, COUNT(*) FROM ({sql}) pairs GROUP BY question_id",  # noqa: S608
                params,
            )
            for qid, n in cur.fetchall():
                answered[by_qid[qid].name] = answered.get(by_qid[qid].name, 0) + n

    village_names = {}
    village_keys = [
        k for g in groups if g.qtype == QuestionType.VILLAGE for k in counts.get(g.name, {})
    ]
    if village_keys:
        ids = [int(k) for k in village_keys if k.isdigit()]
        village_names = {
            str(pk): name
            for pk, name in Region.objects.filter(pk__in=ids).values_list("pk", "name")
        }

    for g in groups:
        g.answered = answered.get(g.name, 0)
        bucket = counts.get(g.name, {})
        labels = g._choice_labels  # type: ignore[attr-defined]
        if g.qtype in CHOICE_TYPES:
            keys = list(labels) + sorted(k for k in bucket if k not in labels)
            g.rows = [Row(k, labels.get(k, k), bucket.get(k, 0)) for k in keys]
        elif g.qtype == QuestionType.RATING:
            g.rows = [Row(str(v), str(v), bucket.get(str(v), 0)) for v in range(1, 6)]
        elif g.qtype == QuestionType.VILLAGE:
            g.rows = sorted(
                (Row(k, village_names.get(k, k), n) for k, n in bucket.items()),
                key=lambda r: (-r.count, r.label),
            )
        for r in g.rows:
            r.share = (r.count / g.answered) if g.answered else None
        s = stats.get(g.name)
        if s and s["n"]:
            g.mean, g.minimum, g.maximum = s["sum"] / s["n"], s["lo"], s["hi"]
    return total, groups


def crosstab(
    survey: Survey, group: QuestionResult, by: str, villages: list[int] | None = None
) -> dict:
    """Counts of one choice/rating question by village, age band or sex: ``{"columns":
    [Row…], "rows": [{"label", "cells": [n…], "total"}]}``. One grouped query."""
    if by not in CROSSTAB_DIMENSIONS:
        by = "village"
    dim = "village_id" if by == "village" else by
    value = "number" if group.qtype == QuestionType.RATING else "choice"
    data = (
        _answers(survey, villages)
        .filter(question_id__in=group.question_ids)
        .values_list(dim, value)
        .annotate(n=Count("id"))
        .order_by()
    )
    table: dict = {}
    for d, v, n in data:
        key = str(int(v)) if value == "number" and v is not None else v
        table.setdefault(d, {})
        table[d][key] = table[d].get(key, 0) + n
    columns = [r.key for r in group.rows] or sorted({k for row in table.values() for k in row})
    if by == "village":
        names = dict(
            Region.objects.filter(pk__in=[k for k in table if k]).values_list("pk", "name")
        )
        order = sorted(table, key=lambda k: (k is None, names.get(k, "")))
        label = lambda k: names.get(k, str(NO_VALUE)) if k else str(NO_VALUE)  # noqa: E731
    else:
        enum = AgeBand if by == "age_band" else Sex
        known = [c.value for c in enum]
        order = [k for k in known if k in table] + sorted(k for k in table if k not in known)
        label = lambda k: str(enum(k).label) if k in known else (k or str(NO_VALUE))  # noqa: E731
        if by == "age_band" and "" in table:
            order = [k for k in order if k != ""] + [""]
            label_base = label
            label = lambda k: str(NO_VALUE) if k == "" else label_base(k)  # noqa: E731
    rows = []
    for k in order:
        cells = [table[k].get(c, 0) for c in columns]
        rows.append({"key": k, "label": label(k), "cells": cells, "total": sum(cells)})
    return {
        "by": by,
        "columns": list(group.rows) if group.rows else [Row(c, c, 0) for c in columns],
        "rows": rows,
    }


def response_rates(survey: Survey, villages: list[int] | None = None) -> list[dict]:
    """Responses per village against its target (villages with a target or an answer)."""
    responses = Response.objects.filter(survey_id=survey.pk)
    targets = VillageTarget.objects.filter(survey_id=survey.pk)
    if villages is not None:
        responses = responses.filter(village_id__in=villages)
        targets = targets.filter(village_id__in=villages)
    got = dict(responses.values_list("village_id").annotate(n=Count("id")).order_by())
    aim = dict(targets.values_list("village_id", "target"))
    ids = set(aim) | {k for k in got if k}
    names = dict(Region.objects.filter(pk__in=ids).values_list("pk", "name"))
    out = []
    for pk in sorted(ids, key=lambda k: names.get(k, "")):
        target = aim.get(pk)
        n = got.get(pk, 0)
        out.append(
            {
                "village_id": pk,
                "village": names.get(pk, ""),
                "responses": n,
                "target": target,
                "rate": (n / target) if target else None,
            }
        )
    if got.get(None):
        out.append(
            {
                "village_id": None,
                "village": str(NO_VALUE),
                "responses": got[None],
                "target": None,
                "rate": None,
            }
        )
    return out


def text_question_names(survey: Survey) -> list[tuple[str, str]]:
    """(name, label) of the survey's free-text questions, for clustering."""
    return [(g.name, g.label) for g in question_groups(survey) if g.qtype in TEXT_TYPES]

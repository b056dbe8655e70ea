"""Results of a survey: counts, shares, means, cross-tabs and response rates, read from the
survey's running tally (``models/tally.py``, kept by the answering transaction and rebuilt
with one grouped query when stale) — a few thousand rows grouped in SQL, never a pass over
the answers.

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

from django.db.models import Max, Min, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import scope_paths
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region, subtree_q

from . import policy
from .choices import CHOICE_TYPES, NUMBER_TYPES, TEXT_TYPES, AgeBand, QuestionType, Sex
from .models import Question, Survey, Tally, VillageTarget
from .services.tally import DERIVED_TYPES, tally_ensure

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


def _tally(survey: Survey, villages: list[int] | None):
    """The survey's tally rows (rebuilt first if stale; read where reads go), limited to
    ``villages``. The same ``Survey`` instance checks the stamp once."""
    using = getattr(survey, "_tally_using", None)
    if using is None:
        using = survey._tally_using = tally_ensure(survey.pk)  # type: ignore[attr-defined]
    qs = Tally.objects.using(using).filter(survey_id=survey.pk)
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
    qtypes: dict[str, dict[int, str]] = {}  # question id → type, per name
    for q in questions:  # newest version first: its wording wins
        g = groups.get(q.name)
        if g is None:
            label = _label({"zh": q.label_zh, "en": q.label_en}, "zh", "en")
            g = groups[q.name] = QuestionResult(q.name, label, q.qtype, [])
            choice_labels[q.name] = {}
            qtypes[q.name] = {}
        g.question_ids.append(q.pk)
        qtypes[q.name][q.pk] = q.qtype
        g.version_ids.append(q.version_id)
        g.always_answered = g.always_answered and q.required and not q.relevant.strip()
        for c in q.choices or []:
            choice_labels[q.name].setdefault(str(c["key"]), _label(c, "label_zh", "label_en"))
    for name, g in groups.items():
        g._choice_labels = choice_labels[name]  # type: ignore[attr-defined]
        g._qtypes = qtypes[name]  # type: ignore[attr-defined]
    return list(groups.values())


def _stats(stats: dict, name: str, n: int, tot: float, lo, hi) -> None:
    """Add a question's numbers (``n`` answers, their sum, min, max) to its name's."""
    if lo is None:
        return  # no number among them
    st = stats.setdefault(name, {"sum": 0.0, "n": 0, "lo": lo, "hi": hi})
    st["sum"] += tot
    st["n"] += n
    st["lo"], st["hi"] = min(st["lo"], lo), max(st["hi"], hi)


def question_results(
    survey: Survey, villages: list[int] | None = None
) -> tuple[int, list[QuestionResult]]:
    """(responses, per-question results) from the survey's tally (``models/tally.py``): one
    grouped query over a few thousand rows whatever the number of answers."""
    groups = question_groups(survey)
    by_qid = {qid: g for g in groups for qid in g.question_ids}
    qtype = {qid: t for g in groups for qid, t in g._qtypes.items()}  # type: ignore[attr-defined]
    counts: dict[str, dict[str, int]] = {}
    answered: dict[str, int] = {}
    stats: dict[str, dict] = {}
    rated: dict[int, list] = {}  # a rating's [answers, Σ, min, max] over all its rows
    total = 0
    rows = (
        _tally(survey, villages)
        .values_list("question_id", "key")
        .annotate(sn=Sum("n"), st=Sum("total"), lo=Min("lo"), hi=Max("hi"))
        .order_by()
    )
    for qid, key, n, tot, lo, hi in rows:
        if qid == 0:
            total += n
            continue
        g = by_qid.get(qid)
        if g is None or not n:
            continue
        derived = qtype[qid] in DERIVED_TYPES
        if key:
            bucket = counts.setdefault(g.name, {})
            bucket[key] = bucket.get(key, 0) + n
            if not derived:
                continue
        # The respondents: the key-less row; for a single choice, rating or village its key
        # rows too (``models/tally.py``: answers that have a key have no row of their own).
        answered[g.name] = answered.get(g.name, 0) + n
        if g.qtype not in NUMBER_TYPES:
            continue
        if qtype[qid] == QuestionType.RATING:
            acc = rated.setdefault(qid, [0, 0.0, None, None])
            acc[0] += n
            acc[1] += tot
            if lo is not None:
                acc[2] = lo if acc[2] is None else min(acc[2], lo)
                acc[3] = hi if acc[3] is None else max(acc[3], hi)
            continue
        _stats(stats, g.name, n, tot, lo, hi)
    for qid, (n, tot, lo, hi) in rated.items():
        _stats(stats, by_qid[qid].name, n, tot, lo, hi)

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
    data = (
        _tally(survey, villages)
        .filter(question_id__in=group.question_ids)
        .exclude(key="")
        .values_list(dim, "key")
        .annotate(n=Sum("n"))
        .order_by()
    )
    table: dict = {}
    for d, key, n in data:
        d = d or None if by == "village" else d  # village 0: none given
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
    targets = VillageTarget.objects.filter(survey_id=survey.pk)
    if villages is not None:
        targets = targets.filter(village_id__in=villages)
    got = {
        (k or None): n
        for k, n in _tally(survey, villages)
        .filter(question_id=0)
        .values_list("village_id")
        .annotate(n=Sum("n"))
        .order_by()
    }
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

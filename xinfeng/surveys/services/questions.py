"""Checking a list of questions (from the editor or an XLSForm) before it becomes a version.

A question is a dict: ``name``, ``label_zh``, ``label_en``, ``hint_zh``, ``hint_en``,
``qtype``, ``required``, ``relevant``, ``choices`` (``[{"key", "label_zh", "label_en"}]``)
and optionally ``row`` (where it came from, for messages: "第 5 行").
"""

import re

from django.utils.translation import gettext as _

from xinfeng.core.errors import ValidationFailed

from ..choices import CHOICE_TYPES, QuestionType
from ..relevant import RelevantError, parse

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
KEY_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# What a survey never asks (#13: no ID numbers, ages in bands): a question whose name or
# wording asks for one is refused, naming its row — a township's paper form often has it.
FORBIDDEN_ASK = re.compile(
    r"身份证|证件号|出生日期|出生年月|(?:\b|_)id[ _-]?(?:card|number|no\b)|identity[ _-]?card"
    r"|date[ _-]of[ _-]birth|birth[ _-]?date|(?:\b|_)dob\b",
    re.IGNORECASE,
)
MAX_QUESTIONS = 200
MAX_CHOICES = 100


def _where(q: dict, i: int) -> str:
    if q.get("row"):
        return _("第 %(row)d 行（题目 %(name)s）") % {"row": q["row"], "name": q.get("name") or "?"}
    return _("第 %(n)d 题（%(name)s）") % {"n": i + 1, "name": q.get("name") or "?"}


def clean_questions(questions: list[dict]) -> list[dict]:
    """The questions, normalised; ``ValidationFailed`` listing every problem (each naming
    its row or question) otherwise."""
    errors: list[str] = []
    seen: set[str] = set()
    keys_of: dict[str, set[str]] = {}  # choice question → its keys, for show-if checks
    out: list[dict] = []
    if not questions:
        raise ValidationFailed(_("问卷至少需要一道题。"), code="no_questions")
    if len(questions) > MAX_QUESTIONS:
        raise ValidationFailed(
            _("题目太多：最多 %(n)d 道。") % {"n": MAX_QUESTIONS}, code="too_many_questions"
        )
    for i, raw in enumerate(questions):
        where = _where(raw, i)
        name = str(raw.get("name") or "").strip()
        qtype = str(raw.get("qtype") or "").strip()
        label = str(raw.get("label_zh") or "").strip()
        q = {
            "name": name,
            "label_zh": label[:300],
            "label_en": str(raw.get("label_en") or "").strip()[:300],
            "hint_zh": str(raw.get("hint_zh") or "").strip()[:300],
            "hint_en": str(raw.get("hint_en") or "").strip()[:300],
            "qtype": qtype,
            "required": bool(raw.get("required")),
            "relevant": str(raw.get("relevant") or "").strip(),
            "choices": [],
        }
        if not NAME_RE.match(name):
            errors.append(
                _("%(where)s：字段名须以字母开头，只含字母、数字、下划线，最长 64 位。")
                % {"where": where}
            )
        elif name in seen:
            errors.append(_("%(where)s：字段名重复。") % {"where": where})
        if qtype not in QuestionType.values:
            errors.append(_("%(where)s：不认识的题型“%(t)s”。") % {"where": where, "t": qtype})
        if not label:
            errors.append(_("%(where)s：缺少题目文字。") % {"where": where})
        elif FORBIDDEN_ASK.search(" ".join([name, label, q["label_en"]])):
            errors.append(
                _(
                    "%(where)s：问卷不收集身份证号、出生日期等个人证件信息；年龄请用系统自带的年龄段，请删除该题。"
                )
                % {"where": where}
            )
        if len(q["relevant"]) > 300:
            errors.append(_("%(where)s：显示条件太长。") % {"where": where})
        else:
            try:
                tree = parse(q["relevant"], seen)
            except RelevantError as exc:
                errors.append(
                    _("%(where)s：显示条件“%(expr)s”有误：%(why)s")
                    % {"where": where, "expr": q["relevant"], "why": exc}
                )
            else:
                for ref, key in _unknown_keys(tree, keys_of):
                    errors.append(
                        _(
                            "%(where)s：显示条件“%(expr)s”中的选项值“%(key)s”不是题目 %(ref)s 的选项，条件永远不会成立。"
                        )
                        % {"where": where, "expr": q["relevant"], "key": key, "ref": ref}
                    )
        if qtype in CHOICE_TYPES:
            keys: set[str] = set()
            choices = raw.get("choices") or []
            if not choices:
                errors.append(_("%(where)s：选择题至少需要一个选项。") % {"where": where})
            if len(choices) > MAX_CHOICES:
                errors.append(
                    _("%(where)s：选项太多（最多 %(n)d 个）。") % {"where": where, "n": MAX_CHOICES}
                )
            for c in choices[:MAX_CHOICES]:
                key = str(c.get("key") or "").strip()
                clabel = str(c.get("label_zh") or "").strip()
                if not KEY_RE.match(key):
                    errors.append(
                        _("%(where)s：选项值“%(key)s”只能含字母、数字、下划线、点和横线。")
                        % {"where": where, "key": key}
                    )
                elif key in keys:
                    errors.append(
                        _("%(where)s：选项值“%(key)s”重复。") % {"where": where, "key": key}
                    )
                keys.add(key)
                q["choices"].append(
                    {
                        "key": key,
                        "label_zh": (clabel or key)[:200],
                        "label_en": str(c.get("label_en") or "").strip()[:200],
                    }
                )
        if name:
            seen.add(name)
            if qtype in CHOICE_TYPES:
                keys_of[name] = {c["key"] for c in q["choices"]}
        out.append(q)
    if errors:
        raise problems_error(errors, code="questions_invalid")
    return out


def _unknown_keys(tree, keys_of: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(question, literal) for each comparison of a choice question with a value that is
    none of its keys ("" — unanswered — is always allowed)."""
    if tree is None:
        return []
    if tree[0] in ("and", "or"):
        return [hit for t in tree[1] for hit in _unknown_keys(t, keys_of)]
    if tree[0] == "not":
        return _unknown_keys(tree[1], keys_of)
    name, lit = tree[1], tree[-1]
    if name not in keys_of or (tree[0] == "cmp" and tree[2] not in ("=", "!=")):
        return []
    if isinstance(lit, float):
        lit = str(int(lit)) if lit == int(lit) else str(lit)
    if lit == "" or all(k in keys_of[name] for k in lit.split()):
        return []
    return [(name, lit)]


def problems_error(errors: list[str], *, code: str) -> ValidationFailed:
    """One 400 carrying every problem: ``detail`` joins them, ``problems`` lists them (a
    page shows the list)."""
    exc = ValidationFailed("；".join(errors[:20]) + ("……" if len(errors) > 20 else ""), code=code)
    exc.problems = errors[:50]  # type: ignore[attr-defined]
    return exc

"""What the answer page and the paper-entry page share: questions ready for a template
(labels in the reader's language, show-if as JSON for the script, posted values and
errors) and reading a submission from a POST."""

import json

from django.utils.translation import get_language

from ..choices import AgeBand, QuestionType, Sex
from ..relevant import parse
from ..services.answering import Submission

DEVICE_COOKIE = "xf_sv"


def english() -> bool:
    return (get_language() or "").startswith("en")


def survey_title(survey) -> str:
    return survey.title_en if english() and survey.title_en else survey.title


def question_rows(questions, *, posted=None, errors=None) -> list[dict]:
    en = english()
    errors = errors or {}
    rows, earlier = [], []
    for i, q in enumerate(questions, start=1):
        if posted is None:
            values = []
        elif q.qtype == QuestionType.MULTIPLE:
            values = posted.getlist(q.name)
        else:
            values = [posted.get(q.name, "")]
        try:
            tree = parse(q.relevant, earlier)
        except Exception:
            tree = None
        earlier.append(q.name)
        rows.append(
            {
                "n": i,
                "q": q,
                "label": (q.label_en if en and q.label_en else q.label_zh),
                "hint": (q.hint_en if en and q.hint_en else q.hint_zh),
                "choices": [
                    {
                        "key": c["key"],
                        "label": c.get("label_en") if en and c.get("label_en") else c["label_zh"],
                        "checked": c["key"] in values,
                        "n": j,
                    }
                    for j, c in enumerate(q.choices, start=1)
                ],
                "value": values[0] if values else "",
                "error": errors.get(q.name, ""),
                "relevant_json": json.dumps(tree, ensure_ascii=False) if tree else "",
                "stars": [{"n": s, "checked": str(s) in values} for s in range(1, 6)],
            }
        )
    return rows


def submission_from_post(request, questions) -> Submission:
    post = request.POST
    values = {}
    files = {}
    for q in questions:
        if q.qtype == QuestionType.MULTIPLE:
            values[q.name] = post.getlist(q.name)
        elif q.qtype == QuestionType.PHOTO:
            if q.name in request.FILES:
                files[q.name] = request.FILES[q.name]
        else:
            values[q.name] = post.get(q.name)
    return Submission(
        values=values,
        files=files,
        village_id=post.get("village") or None,
        age_band=post.get("age_band", ""),
        sex=post.get("sex", ""),
        guardian_consent=post.get("guardian_consent") == "1",
    )


def demographics_context(villages, posted=None, default_village=None) -> dict:
    posted = posted or {}
    chosen = str(posted.get("village") or default_village or "")
    groups: dict[str, list] = {}
    for v in villages:
        groups.setdefault(v.parent.name if v.parent_id else "", []).append(
            {"id": v.pk, "name": v.name, "selected": str(v.pk) == chosen}
        )
    return {
        "village_groups": sorted(groups.items()),
        "age_bands": [
            {"value": v, "label": label, "selected": posted.get("age_band") == v}
            for v, label in AgeBand.choices
        ],
        "sexes": [
            {"value": v, "label": label, "selected": posted.get("sex", "") == v and bool(posted)}
            for v, label in sorted(Sex.choices, key=lambda c: c[0] != "")
        ],
        "guardian_consent": posted.get("guardian_consent") == "1",
    }

"""Keeping ``Tally`` (``models/tally.py``) equal to the answers.

- ``tally_add``: in the answering transaction, one upsert statement adds the new response
  and its answers (rows in key order, so two answering transactions lock shared rows in the
  same order and never deadlock).
- ``tally_ensure``: before results are read, one statement compares the tally's stamp
  (responses counted, sum of their ids) with the responses table; when they differ (answers
  written by a bulk insert, responses deleted) the survey's tally is rebuilt from the
  answers with one grouped ``INSERT … SELECT``.

On PostgreSQL a rebuild locks the tally table against writers (``SHARE ROW EXCLUSIVE``:
it waits for answering transactions that already added to it, and those that come next
wait for it; rebuilds are rare — only after a write past the answering service), so a
rebuild never counts an answer twice or misses one. The answering path takes no lock of its
own: answering transactions wait for each other only on tally rows they share.
"""

from __future__ import annotations

import json

from django.db import connection, connections, router, transaction

from ..choices import NUMBER_TYPES, QuestionType
from ..models import Tally

KEYED_TYPES = (
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.RATING,
    QuestionType.VILLAGE,
)
# One answer row per respondent, whose key says it all: the question's respondents are the
# sum of its key rows (no row of their own, ``models/tally.py``).
DERIVED_TYPES = (QuestionType.SINGLE, QuestionType.RATING, QuestionType.VILLAGE)
COLUMNS = "survey_id, question_id, key, village_id, age_band, sex, n, total, lo, hi"
CONFLICT = "(survey_id, question_id, key, village_id, age_band, sex)"


def _upsert_tail() -> str:
    if connection.vendor == "postgresql":
        lo = "LEAST(surveys_tally.lo, excluded.lo)"  # LEAST/GREATEST skip NULLs
        hi = "GREATEST(surveys_tally.hi, excluded.hi)"
    else:
        lo = "COALESCE(MIN(surveys_tally.lo, excluded.lo), surveys_tally.lo, excluded.lo)"
        hi = "COALESCE(MAX(surveys_tally.hi, excluded.hi), surveys_tally.hi, excluded.hi)"
    return (
        f" ON CONFLICT {CONFLICT} DO UPDATE SET n = surveys_tally.n + excluded.n,"
        f" total = surveys_tally.total + excluded.total, lo = {lo}, hi = {hi}"
    )


def _lock_for_rebuild() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: one writer at a time anyway
    with connection.cursor() as cur:
        cur.execute("LOCK TABLE surveys_tally IN SHARE ROW EXCLUSIVE MODE")


def _add(rows: dict, at: tuple, number) -> None:
    row = rows.get(at)
    if row is None:
        rows[at] = [1, number or 0.0, number, number]
        return
    row[0] += 1
    if number is not None:
        row[1] += number
        row[2] = number if row[2] is None else min(row[2], number)
        row[3] = number if row[3] is None else max(row[3], number)


def tally_add(response, answers) -> None:
    """Add ``response`` (saved) and its ``answers`` — (question, field dict) pairs as
    ``answering.clean_answers`` gives them, several per question for a multiple choice —
    to the survey's tally. A single choice, rating or village answer adds its key row only
    (``models/tally.py``: the question's respondents are the sum of its key rows)."""
    rows: dict[tuple, list] = {(0, ""): [1, float(response.pk), None, None]}
    for q, part in answers:
        t = q.qtype
        number = part.get("number") if t in NUMBER_TYPES else None
        if t == QuestionType.RATING:
            key = "" if number is None else str(int(number))
        else:
            key = (part.get("choice") or "") if t in KEYED_TYPES else ""
        if key:
            _add(rows, (q.pk, key), number)
            if t != QuestionType.MULTIPLE or (q.pk, "") in rows:
                continue  # a multiple choice's respondents: once, on its first key
            number = None
        _add(rows, (q.pk, ""), number)
    ordered = [
        {"q": qid, "k": key, "n": n, "t": total, "lo": lo, "hi": hi}
        for (qid, key), (n, total, lo, hi) in sorted(rows.items())
    ]
    head = [
        response.survey_id,
        response.village_id or 0,
        response.age_band or "",
        response.sex or "",
    ]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # One JSON parameter: the statement's text is the same for every answer, so the
            # driver converts it once (a VALUES list of ~30 rows × 10 placeholders is too
            # long for psycopg's cache and was parsed anew for every answer), and it passes
            # one string rather than an array per column.
            cur.execute(
                _JSON_INSERT + _upsert_tail(), [*head, json.dumps(ordered, ensure_ascii=False)]
            )
            return
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(ordered))
        params = []
        for r in ordered:
            params += [head[0], r["q"], r["k"], *head[1:], r["n"], r["t"], r["lo"], r["hi"]]
        cur.execute(
            f"INSERT INTO surveys_tally ({COLUMNS}) VALUES {values}" + _upsert_tail(),  # noqa: S608
            params,
        )


_JSON_INSERT = (
    f"INSERT INTO surveys_tally ({COLUMNS})"  # noqa: S608 - constants
    " SELECT %s, u.q, u.k, %s, %s, %s, u.n, u.t, u.lo, u.hi FROM json_to_recordset(%s::json)"
    " AS u(q bigint, k varchar, n bigint, t float8, lo float8, hi float8)"
)


def _stamps(survey_id: int, using: str = "default") -> tuple:
    """(responses, id sum) of the responses table and of the tally: one statement, so one
    snapshot (an answer committing in between cannot make a fresh tally look stale)."""
    with connections[using].cursor() as cur:
        cur.execute(
            "SELECT (SELECT COUNT(*) FROM surveys_response WHERE survey_id = %s),"
            " (SELECT COALESCE(SUM(id), 0) FROM surveys_response WHERE survey_id = %s),"
            " (SELECT COALESCE(SUM(n), 0) FROM surveys_tally"
            "  WHERE survey_id = %s AND question_id = 0),"
            " (SELECT COALESCE(SUM(total), 0) FROM surveys_tally"
            "  WHERE survey_id = %s AND question_id = 0)",
            [survey_id] * 4,
        )
        n, ids, tn, tids = cur.fetchone()
    return int(n), int(ids), int(tn), int(round(tids))


def tally_is_fresh(survey_id: int, using: str = "default") -> bool:
    n, ids, tn, tids = _stamps(survey_id, using)
    return n == tn and ids == tids


def tally_ensure(survey_id: int) -> str:
    """The database alias to read the survey's tally from: where reads go (a replica, if
    any) when the tally there is fresh; else the primary, after rebuilding it there if its
    stamp is behind the responses."""
    using = router.db_for_read(Tally) or "default"
    if tally_is_fresh(survey_id, using):
        return using
    if using != "default" and tally_is_fresh(survey_id):
        return "default"  # the replica lags behind a rebuild
    with transaction.atomic():
        _lock_for_rebuild()
        if not tally_is_fresh(survey_id):  # else another reader rebuilt it while we waited
            tally_rebuild(survey_id)
    return "default"


def tally_rebuild(survey_id: int) -> None:
    """The survey's tally from its responses and answers: one grouped statement (the
    caller holds the survey's lock, see ``tally_ensure``)."""
    rating = "CAST(CAST(a.number AS INTEGER) AS TEXT)"
    keyed = ", ".join(f"'{t.value}'" for t in KEYED_TYPES)
    numbers = ", ".join(f"'{t.value}'" for t in NUMBER_TYPES)
    demo = "COALESCE(a.village_id, 0), a.age_band, a.sex"
    derived = ", ".join(f"'{t.value}'" for t in DERIVED_TYPES)
    has_key = "CASE WHEN q.qtype = 'rating' THEN a.number IS NOT NULL ELSE a.choice <> '' END"
    rated = "CASE WHEN q.qtype = 'rating' THEN a.number END"
    sql = f"""
        INSERT INTO surveys_tally ({COLUMNS})
        SELECT * FROM (
            SELECT r.survey_id, 0, '', COALESCE(r.village_id, 0), r.age_band, r.sex,
                   COUNT(*), SUM(r.id), NULL, NULL
              FROM surveys_response r WHERE r.survey_id = %s
             GROUP BY COALESCE(r.village_id, 0), r.age_band, r.sex, r.survey_id
            UNION ALL
            SELECT a.survey_id, a.question_id, '', {demo},
                   COUNT(DISTINCT a.response_id),
                   COALESCE(SUM(CASE WHEN q.qtype IN ({numbers}) THEN a.number END), 0),
                   MIN(CASE WHEN q.qtype IN ({numbers}) THEN a.number END),
                   MAX(CASE WHEN q.qtype IN ({numbers}) THEN a.number END)
              FROM surveys_answer a JOIN surveys_question q ON q.id = a.question_id
             WHERE a.survey_id = %s AND (q.qtype NOT IN ({derived}) OR NOT {has_key})
             GROUP BY a.survey_id, a.question_id, {demo}
            UNION ALL
            SELECT a.survey_id, a.question_id,
                   CASE WHEN q.qtype = 'rating' THEN {rating} ELSE a.choice END, {demo},
                   COUNT(*), COALESCE(SUM({rated}), 0), MIN({rated}), MAX({rated})
              FROM surveys_answer a JOIN surveys_question q ON q.id = a.question_id
             WHERE a.survey_id = %s AND q.qtype IN ({keyed}) AND {has_key}
             GROUP BY a.survey_id, a.question_id,
                   CASE WHEN q.qtype = 'rating' THEN {rating} ELSE a.choice END, {demo}
        ) AS t WHERE 1 = 1
    """  # noqa: S608 - constants only; the survey id is a parameter
    with connection.cursor() as cur:
        cur.execute("DELETE FROM surveys_tally WHERE survey_id = %s", [survey_id])
        cur.execute(sql + _upsert_tail(), [survey_id] * 3)

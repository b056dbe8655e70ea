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

from django.db import connection, connections, router, transaction

from ..choices import NUMBER_TYPES, QuestionType
from ..models import Tally

KEYED_TYPES = (
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.RATING,
    QuestionType.VILLAGE,
)
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


def tally_add(response, answers) -> None:
    """Add ``response`` (saved) and its ``answers`` (Answer instances with ``question``
    set; several per question for a multiple choice) to the survey's tally."""
    v, a, s = response.village_id or 0, response.age_band or "", response.sex or ""
    rows: dict[tuple, list] = {(0, ""): [1, float(response.pk), None, None]}
    for ans in answers:
        q = ans.question
        head = rows.get((q.pk, ""))
        number = ans.number if q.qtype in NUMBER_TYPES else None
        if head is None:
            rows[(q.pk, "")] = [1, number or 0.0, number, number]
        elif q.qtype != QuestionType.MULTIPLE:  # pragma: no cover - one row per question
            head[0] += 1
        if q.qtype in KEYED_TYPES:
            key = str(int(ans.number)) if q.qtype == QuestionType.RATING else ans.choice
            if key:
                rows.setdefault((q.pk, key), [0, 0.0, None, None])[0] += 1
    ordered = [
        (response.survey_id, qid, key, v, a, s, n, total, lo, hi)
        for (qid, key), (n, total, lo, hi) in sorted(rows.items())
    ]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # One array a column: the statement's text is the same for every answer, so the
            # driver converts it once (a VALUES list of ~45 rows × 10 placeholders is too
            # long for psycopg's cache and cost ~2.4 ms to parse on every answer).
            cur.execute(
                _UNNEST_INSERT + _upsert_tail(), [list(col) for col in zip(*ordered, strict=True)]
            )
            return
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(ordered))
        cur.execute(
            f"INSERT INTO surveys_tally ({COLUMNS}) VALUES {values}" + _upsert_tail(),  # noqa: S608
            [value for row in ordered for value in row],
        )


_UNNEST_INSERT = (
    f"INSERT INTO surveys_tally ({COLUMNS}) SELECT * FROM unnest("  # noqa: S608 - constants
    "%s::bigint[], %s::bigint[], %s::varchar[], %s::bigint[], %s::varchar[], %s::varchar[],"
    " %s::bigint[], %s::float8[], %s::float8[], %s::float8[])"
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
             WHERE a.survey_id = %s
             GROUP BY a.survey_id, a.question_id, {demo}
            UNION ALL
            SELECT a.survey_id, a.question_id,
                   CASE WHEN q.qtype = 'rating' THEN {rating} ELSE a.choice END, {demo},
                   COUNT(*), 0, NULL, NULL
              FROM surveys_answer a JOIN surveys_question q ON q.id = a.question_id
             WHERE a.survey_id = %s AND q.qtype IN ({keyed})
               AND CASE WHEN q.qtype = 'rating' THEN a.number IS NOT NULL
                        ELSE a.choice <> '' END
             GROUP BY a.survey_id, a.question_id,
                   CASE WHEN q.qtype = 'rating' THEN {rating} ELSE a.choice END, {demo}
        ) AS t WHERE 1 = 1
    """  # noqa: S608 - constants only; the survey id is a parameter
    with connection.cursor() as cur:
        cur.execute("DELETE FROM surveys_tally WHERE survey_id = %s", [survey_id])
        cur.execute(sql + _upsert_tail(), [survey_id] * 3)

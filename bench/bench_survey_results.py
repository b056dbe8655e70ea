"""Benchmark: the results page of a survey with 100,000 responses × 20 questions.

Target (issue #13): < 1 s on this 2-core machine. Uses PostgreSQL
(``XINFENG_BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/xinfeng_bench_sv_results``, created if missing; ``sqlite``
for a throw-away SQLite file): one township with 20 villages and targets, a survey of 20
questions (8 single choice, 4 multiple choice, 4 ratings, 2 numbers, 2 texts; all required
but the last text) and ``BENCH_SURVEY_RESPONSES`` responses (default 100,000, ~2.4 M answer
rows). Villages, age bands and sexes are skewed as a township's are (bigger villages,
older respondents), choices follow a per-question skewed distribution, ratings lean to 4,
a quarter leave the optional text empty.

The database is kept: a later run that finds the survey with that many responses measures
it again (``BENCH_SURVEY_REBUILD=1`` builds anew). The build writes responses and answers
with PostgreSQL ``COPY`` (one stream per 10,000 responses; bulk_create on SQLite) — not
the answering service per answer — then the survey's tally is built once with one grouped
query (``tally_build_s``), as the first reader after a bulk insert would.

Measured (the township administrator, Django's test client, server-side time, ``BENCH_RUNS``
times, default 5; nothing cached between requests): ``/surveys/<id>/results/`` (per-question
counts, shares and means, one cross-tab, response rates) and, as a baseline in the same run,
the one grouped pass over the answers the page used to make (``answers_group_by_s``).

Prints one JSON line.

    .venv/bin/python bench/bench_survey_results.py
"""

import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _harness import setup_django  # noqa: E402
from django.db.models import Count  # noqa: E402

RESPONSES = int(os.environ.get("BENCH_SURVEY_RESPONSES", 100_000))
RUNS = int(os.environ.get("BENCH_RUNS", 5))
BATCH = 10_000
URL = os.environ.get(
    "XINFENG_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xinfeng_bench_sv_results"
)
SPECS_N = 20


def _weights(rng: random.Random, n: int) -> list[float]:
    """A skewed distribution over n options (some answers much more common than others)."""
    w = [rng.paretovariate(1.2) for _ in range(n)]
    return [x / sum(w) for x in w]


def _draw(rng: random.Random, villages, specs):
    """Generators of one respondent's demographics and answers (plain values)."""
    from xinfeng.surveys.choices import AgeBand, Sex

    village_w = _weights(rng, len(villages))
    ages = list(AgeBand.values)[2:]
    age_w = [0.08, 0.22, 0.3, 0.25, 0.15][: len(ages)] + [0.05] * max(0, len(ages) - 5)
    sexes = [Sex.FEMALE, Sex.MALE, Sex.UNSAID]
    choice_w = [_weights(rng, max(n, 1)) for _, n in specs]
    texts = ["希望给老人送餐", "免费法律咨询", "广场舞培训", "孩子放学后作业辅导", "义诊", "修路灯"]

    def respondent():
        return (
            rng.choices(villages, village_w)[0],
            rng.choices(ages, age_w)[0],
            rng.choices(sexes, [0.52, 0.45, 0.03])[0],
        )

    def answers():
        """[(question index, choice, number, text)]"""
        out = []
        for i, (qtype, n) in enumerate(specs):
            if qtype == "select_one":
                out.append((i, f"c{rng.choices(range(n), choice_w[i])[0]}", None, ""))
            elif qtype == "select_multiple":
                keys = set(rng.choices(range(n), choice_w[i], k=rng.randint(1, 3)))
                out.extend((i, f"c{k}", None, "") for k in sorted(keys))
            elif qtype == "rating":
                out.append((i, "", float(rng.choices(range(1, 6), [3, 7, 20, 45, 25])[0]), ""))
            elif qtype == "integer":
                out.append((i, "", float(int(rng.triangular(0, 90, 55))), ""))
            elif i != len(specs) - 1 or rng.random() > 0.25:
                out.append((i, "", None, rng.choice(texts)))
        return out

    return respondent, answers


def build():
    from django.db import connection

    from xinfeng.accounts.choices import Role
    from xinfeng.accounts.models import RoleAssignment, User
    from xinfeng.places.choices import SiteLevel
    from xinfeng.places.models import Site
    from xinfeng.regions.choices import RegionLevel
    from xinfeng.regions.models import Region
    from xinfeng.surveys.choices import QuestionType, SurveyKind, SurveyStatus
    from xinfeng.surveys.models import Question, Survey, SurveyVersion, VillageTarget

    def region(name, code, level, parent=None):
        r = Region(name=name, code=code, level=level, parent=parent)
        r.save()
        return r

    county = region("共青城市", "360482000000", RegionLevel.COUNTY)
    town = region("苏家垱乡", "360482201000", RegionLevel.TOWNSHIP, county)
    villages = [
        region(f"第{i}村", f"360482201{200 + i:03d}", RegionLevel.VILLAGE, town) for i in range(20)
    ]
    site = Site.objects.create(name="苏家垱乡实践所", level=SiteLevel.INSTITUTE, region=town)
    admin = User.objects.create_user(username="town", password="x")
    RoleAssignment.objects.create(user=admin, role=Role.INSTITUTE_ADMIN, region=town)
    survey = Survey.objects.create(
        title="问需调查", kind=SurveyKind.NEEDS, site=site, status=SurveyStatus.OPEN
    )
    version = SurveyVersion.objects.create(survey=survey, number=1)
    specs = (
        [(QuestionType.SINGLE, 5)] * 8
        + [(QuestionType.MULTIPLE, 8)] * 4
        + [(QuestionType.RATING, 0)] * 4
        + [(QuestionType.INTEGER, 0)] * 2
        + [(QuestionType.TEXT, 0)] * 2
    )
    questions = []
    for i, (qtype, nchoices) in enumerate(specs):
        questions.append(
            Question.objects.create(
                version=version,
                position=i + 1,
                name=f"q{i + 1}",
                label_zh=f"第{i + 1}题",
                qtype=qtype,
                # required, as a 问需 form's questions usually are; the last text one optional
                required=i != len(specs) - 1,
                choices=[
                    {"key": f"c{k}", "label_zh": f"选项{k}", "label_en": f"Option {k}"}
                    for k in range(nchoices)
                ],
            )
        )
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    VillageTarget.objects.bulk_create(
        [VillageTarget(survey=survey, village=v, target=RESPONSES // 20) for v in villages]
    )
    rng = random.Random(13)
    respondent, answers = _draw(rng, [v.pk for v in villages], specs)
    fill = _copy if connection.vendor == "postgresql" else _bulk_create
    rows = fill(survey, version, questions, respondent, answers)
    return survey, admin, rows


def _copy(survey, version, questions, respondent, answers) -> int:
    """Responses and answers with COPY, 10,000 responses at a time."""
    from django.db import connection
    from django.utils import timezone

    qids = [q.pk for q in questions]
    start = timezone.now() - timedelta(days=30)
    rows = 0
    raw = connection.connection  # the psycopg connection under Django's
    for begin in range(0, RESPONSES, BATCH):
        n = min(BATCH, RESPONSES - begin)
        demo = [respondent() for _ in range(n)]
        with raw.cursor() as cur:
            with cur.copy(
                "COPY surveys_response (survey_id, version_id, device_hash, ip_hash, village_id,"
                " age_band, sex, guardian_consent, is_proxy, channel, created_at) FROM STDIN"
            ) as copy:
                for k, (v, a, s) in enumerate(demo):
                    at = start + timedelta(seconds=(begin + k) * 25)
                    copy.write_row(
                        (survey.pk, version.pk, "", "", v, a, s, False, False, "link", at)
                    )
            cur.execute(
                "SELECT id FROM surveys_response WHERE survey_id = %s ORDER BY id DESC LIMIT %s",
                [survey.pk, n],
            )
            ids = [r[0] for r in cur.fetchall()][::-1]
            buf = []
            for rid, (v, a, s) in zip(ids, demo, strict=True):
                for i, choice, number, text in answers():
                    num = "\\N" if number is None else repr(number)
                    buf.append(
                        f"{rid}\t{survey.pk}\t{qids[i]}\t{choice}\t{num}\t{text}\t\t{v}\t{a}\t{s}\n"
                    )
            rows += len(buf)
            with cur.copy(
                "COPY surveys_answer (response_id, survey_id, question_id, choice, number, text,"
                " photo, village_id, age_band, sex) FROM STDIN"
            ) as copy:
                copy.write("".join(buf).encode())
    return rows


def _bulk_create(survey, version, questions, respondent, answers) -> int:
    from xinfeng.surveys.choices import Channel
    from xinfeng.surveys.models import Answer, Response

    rows = 0
    for begin in range(0, RESPONSES, BATCH):
        n = min(BATCH, RESPONSES - begin)
        demo = [respondent() for _ in range(n)]
        responses = Response.objects.bulk_create(
            [
                Response(
                    survey=survey, version=version, village_id=v, age_band=a, sex=s,
                    channel=Channel.LINK,
                )
                for v, a, s in demo
            ]
        )  # fmt: skip
        objs = [
            Answer(
                response=r, survey=survey, question=questions[i], choice=choice,
                number=number, text=text, village_id=v, age_band=a, sex=s,
            )
            for r, (v, a, s) in zip(responses, demo, strict=True)
            for i, choice, number, text in answers()
        ]  # fmt: skip
        Answer.objects.bulk_create(objs, batch_size=2000)
        rows += len(objs)
    return rows


def reuse():
    """The survey an earlier run filled, if it has ``RESPONSES`` responses."""
    from xinfeng.accounts.models import User
    from xinfeng.surveys.models import Answer, Response, Survey

    survey = Survey.objects.filter(title="问需调查").first()
    if survey is None or Response.objects.filter(survey=survey).count() != RESPONSES:
        return None, None, 0
    return survey, User.objects.get(username="town"), Answer.objects.filter(survey=survey).count()


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="xinfeng-bench-survey-results-")
    env = {}
    if URL != "sqlite":
        from _harness import ensure_database

        ensure_database(URL)
        env["XINFENG_BENCH_DATABASE_URL"] = URL
    else:
        os.environ.pop("XINFENG_BENCH_DATABASE_URL", None)
    setup_django(tmp, env=env)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from xinfeng.surveys.models import Answer
    from xinfeng.surveys.services.tally import tally_ensure

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    reused = False
    survey, admin, rows = (None, None, 0)
    if not os.environ.get("BENCH_SURVEY_REBUILD"):
        survey, admin, rows = reuse()
        reused = survey is not None
    if survey is None:
        call_command("flush", verbosity=0, interactive=False)
        survey, admin, rows = build()
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("ANALYZE")
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    tally_ensure(survey.pk)  # a bulk insert leaves the tally behind: rebuilt once
    tally_build_s = time.perf_counter() - t
    client = Client()
    client.force_login(admin)
    url = f"/surveys/{survey.pk}/results/"
    assert client.get(url).status_code == 200
    times, baseline = [], []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            resp = client.get(url)
            times.append(time.perf_counter() - t)
        assert resp.status_code == 200
        t = time.perf_counter()
        list(
            Answer.objects.filter(survey_id=survey.pk)
            .values_list("question_id", "choice", "number")
            .annotate(n=Count("id"))
            .order_by()
        )
        baseline.append(time.perf_counter() - t)
    median, base = statistics.median(times), statistics.median(baseline)
    print(
        json.dumps(
            {
                "bench": "survey_results",
                "database": connection.vendor,
                "responses": RESPONSES,
                "questions": SPECS_N,
                "answer_rows": rows,
                "runs": RUNS,
                "median_s": round(median, 3),
                "max_s": round(max(times), 3),
                "target_s": 1.0,
                "meets": median < 1.0,
                "answers_group_by_s": round(base, 3),
                "page_vs_group_by": round(median / base, 3) if base else None,
                "queries": len(queries),
                "reused_database": reused,
                "build_s": round(build_s, 1),
                "tally_build_s": round(tally_build_s, 2),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_avg_1m": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()

"""Benchmark: the results page of a survey with 100,000 responses × 20 questions.

Target (issue #13): < 1 s on this 2-core machine. Builds a throw-away database (SQLite, or
``XINFENG_BENCH_DATABASE_URL`` — an empty PostgreSQL database), one township with 20
villages and targets, a survey of 20 questions (8 single choice, 4 multiple choice, 4
ratings, 2 numbers, 2 texts; all required but the last text) and ``BENCH_SURVEY_RESPONSES`` responses (default 100,000)
with bulk_create (~2.4 M answer rows). Then the township administrator requests
``/surveys/<id>/results/`` ``BENCH_RUNS`` times (default 5; the page: per-question counts,
shares and means, one cross-tab by village, response rates) — nothing is cached between
requests — and the server-side time of each is measured with Django's test client.

Prints one JSON line: median and max page time, responses, answer rows, queries.
``BENCH_SURVEY_REUSE=1`` measures a database an earlier run filled (see ``reuse``).
"""

import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _harness import setup_django  # noqa: E402

RESPONSES = int(os.environ.get("BENCH_SURVEY_RESPONSES", 100_000))
RUNS = int(os.environ.get("BENCH_RUNS", 5))
BATCH = 5_000


def build():
    from xinfeng.accounts.choices import Role
    from xinfeng.accounts.models import RoleAssignment, User
    from xinfeng.places.choices import SiteLevel
    from xinfeng.places.models import Site
    from xinfeng.regions.choices import RegionLevel
    from xinfeng.regions.models import Region
    from xinfeng.surveys.choices import (
        AgeBand,
        Channel,
        QuestionType,
        Sex,
        SurveyKind,
        SurveyStatus,
    )
    from xinfeng.surveys.models import (
        Answer,
        Question,
        Response,
        Survey,
        SurveyVersion,
        VillageTarget,
    )

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
    ages = list(AgeBand.values)[2:]
    sexes = [Sex.FEMALE, Sex.MALE, Sex.UNSAID]
    texts = ["希望给老人送餐", "免费法律咨询", "广场舞培训", "孩子放学后作业辅导", "义诊"]
    rows = 0
    for start in range(0, RESPONSES, BATCH):
        n = min(BATCH, RESPONSES - start)
        demo = [(rng.choice(villages), rng.choice(ages), rng.choice(sexes)) for _ in range(n)]
        responses = Response.objects.bulk_create(
            [
                Response(
                    survey=survey,
                    version=version,
                    village=v,
                    age_band=a,
                    sex=s,
                    channel=Channel.LINK,
                )
                for v, a, s in demo
            ]
        )
        answers = []
        for resp, (v, a, s) in zip(responses, demo, strict=True):
            base = {"response": resp, "survey": survey, "village": v, "age_band": a, "sex": s}
            for q, (qtype, nchoices) in zip(questions, specs, strict=True):
                if qtype == QuestionType.SINGLE:
                    answers.append(Answer(question=q, choice=f"c{rng.randrange(nchoices)}", **base))
                elif qtype == QuestionType.MULTIPLE:
                    for k in rng.sample(range(nchoices), rng.randint(1, 3)):
                        answers.append(Answer(question=q, choice=f"c{k}", **base))
                elif qtype == QuestionType.RATING:
                    answers.append(Answer(question=q, number=float(rng.randint(1, 5)), **base))
                elif qtype == QuestionType.INTEGER:
                    answers.append(Answer(question=q, number=float(rng.randint(0, 90)), **base))
                else:
                    answers.append(Answer(question=q, text=rng.choice(texts), **base))
        Answer.objects.bulk_create(answers, batch_size=BATCH)
        rows += len(answers)
    return survey, admin, rows


def reuse():
    """With ``BENCH_SURVEY_REUSE=1`` and a database an earlier run filled (PostgreSQL: the
    build takes ~25 min on a loaded 2-core machine), measure it again instead of rebuilding."""
    from xinfeng.accounts.models import User
    from xinfeng.surveys.models import Answer, Question, Response, Survey

    survey = Survey.objects.filter(title="问需调查").first()
    if survey is None or Response.objects.filter(survey=survey).count() != RESPONSES:
        return None, None, 0
    last = Question.objects.filter(version__survey=survey).order_by("-position").first()
    Question.objects.filter(version__survey=survey).exclude(pk=last.pk).update(required=True)
    return survey, User.objects.get(username="town"), Answer.objects.filter(survey=survey).count()


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="xinfeng-bench-survey-results-")
    setup_django(tmp)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    survey, admin, rows = reuse() if os.environ.get("BENCH_SURVEY_REUSE") else (None, None, 0)
    if survey is None:
        survey, admin, rows = build()
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    build_s = time.perf_counter() - t
    client = Client()
    client.force_login(admin)
    url = f"/surveys/{survey.pk}/results/"
    assert client.get(url).status_code == 200
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            resp = client.get(url)
            times.append(time.perf_counter() - t)
        assert resp.status_code == 200
    print(
        json.dumps(
            {
                "bench": "survey_results",
                "database": connection.vendor,
                "responses": RESPONSES,
                "questions": 20,
                "answer_rows": rows,
                "runs": RUNS,
                "median_s": round(statistics.median(times), 3),
                "max_s": round(max(times), 3),
                "target_s": 1.0,
                "queries": len(queries),
                "build_s": round(build_s, 1),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_avg_1m": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()

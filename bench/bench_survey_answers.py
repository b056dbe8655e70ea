"""Benchmark: answers to a 20-question survey submitted over HTTP (issue #13).

Target: 200 answers/s with 0 errors on this 2-core machine (PostgreSQL, gunicorn).

A private PostgreSQL database (``XINFENG_BENCH_SV_ANSWERS_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/xinfeng_bench_sv_answers``; created if missing, its
data replaced) holds one township with 20 villages and an open, anonymous 问需 survey of 20
questions (8 single choice, 4 multiple choice, 4 ratings, 2 numbers, 2 texts; all required
but the last text). Its duplicate rule stays on (``per_device``): every answer comes from
a different device id, so the device check runs and passes; all clients share 127.0.0.1,
so the per-address cap is set above what a run can reach.

gunicorn serves it (``XINFENG_BENCH_WORKERS`` workers, default 2, ``XINFENG_BENCH_THREADS``
threads each, default 8) with ``XINFENG_DEBUG=0``. ``CLIENTS`` phones (threads on
keep-alive connections) post full answers to ``POST /api/v1/surveys/<id>/responses`` as
fast as answers come back for ``DURATION`` seconds; acknowledged = HTTP 201, stored =
responses in the database (answers wiped between runs); median of ``RUNS`` runs.
``healthz_per_s``: the same clients on ``/healthz`` just before (the machine's ceiling
right now, the floor to read the rate against). ``cpu_ms_per_answer_runs``: CPU
milliseconds per acknowledged answer of the gunicorn workers, the database's PostgreSQL
backends (when the server runs on this machine) and this process's clients, per run — what
the rate costs, which the load of other work moves much less than the rate.

Prints one JSON line.

    .venv/bin/python bench/bench_survey_answers.py
    XINFENG_BENCH_DURATION=5 XINFENG_BENCH_RUNS=1 .venv/bin/python bench/bench_survey_answers.py
"""

import json
import os
import platform
import random
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import (  # noqa: E402
    client_loop,
    ensure_database,
    gunicorn,
    healthz_per_s,
    setup_django,
)

URL = os.environ.get(
    "XINFENG_BENCH_SV_ANSWERS_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/xinfeng_bench_sv_answers",
)
CLIENTS = int(os.environ.get("XINFENG_BENCH_CLIENTS", "16"))
DURATION = float(os.environ.get("XINFENG_BENCH_DURATION", "20"))
RUNS = int(os.environ.get("XINFENG_BENCH_RUNS", "3"))
WORKERS = int(os.environ.get("XINFENG_BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("XINFENG_BENCH_THREADS", "8"))
TARGET = 200

SPECS = (
    [("select_one", 5)] * 8
    + [("select_multiple", 8)] * 4
    + [("rating", 0)] * 4
    + [("integer", 0)] * 2
    + [("text", 0)] * 2
)


def build():
    """The township, its villages and the open survey (rebuilt every run: cheap)."""
    from django.core.management import call_command

    from xinfeng.places.choices import SiteLevel
    from xinfeng.places.models import Site
    from xinfeng.regions.choices import RegionLevel
    from xinfeng.regions.models import Region
    from xinfeng.surveys.choices import DuplicatePolicy, SurveyKind, SurveyStatus
    from xinfeng.surveys.models import Question, Survey, SurveyVersion

    call_command("migrate", verbosity=0)
    call_command("flush", verbosity=0, interactive=False)

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
    survey = Survey.objects.create(
        title="问需调查",
        kind=SurveyKind.NEEDS,
        site=site,
        status=SurveyStatus.OPEN,
        allow_anonymous=True,
        duplicate_policy=DuplicatePolicy.PER_DEVICE,
        max_per_address=10**9,  # every client is 127.0.0.1
    )
    survey.regions.set([town])
    version = SurveyVersion.objects.create(survey=survey, number=1)
    for i, (qtype, n) in enumerate(SPECS):
        Question.objects.create(
            version=version,
            position=i + 1,
            name=f"q{i + 1}",
            label_zh=f"第{i + 1}题",
            qtype=qtype,
            required=i != len(SPECS) - 1,
            choices=[
                {"key": f"c{k}", "label_zh": f"选项{k}", "label_en": f"Option {k}"}
                for k in range(n)
            ],
        )
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    return survey, [v.pk for v in villages]


def answers(rng: random.Random) -> dict:
    texts = ["希望给老人送餐", "免费法律咨询", "广场舞培训", "孩子放学后作业辅导", "义诊"]
    out: dict = {}
    for i, (qtype, n) in enumerate(SPECS):
        name = f"q{i + 1}"
        if qtype == "select_one":
            out[name] = f"c{rng.randrange(n)}"
        elif qtype == "select_multiple":
            out[name] = [f"c{k}" for k in rng.sample(range(n), rng.randint(1, 3))]
        elif qtype == "rating":
            out[name] = rng.randint(1, 5)
        elif qtype == "integer":
            out[name] = rng.randint(0, 90)
        else:
            out[name] = rng.choice(texts)
    return out


def answers_run(base: str, survey_id: int, villages: list[int], run: int) -> dict:
    """CLIENTS phones post answers as fast as they come back for DURATION seconds (the
    shared keep-alive client loop, ``_harness.client_loop``)."""
    path = f"/api/v1/surveys/{survey_id}/responses"
    rngs = [random.Random(run * 1000 + i) for i in range(CLIENTS)]

    def next_request(i: int, k: int):
        rng = rngs[i]
        body = {
            "village_id": rng.choice(villages),
            "age_band": rng.choice(["18_34", "35_59", "60_69", "70_79", "80_up"]),
            "sex": rng.choice(["f", "m", ""]),
            "answers": answers(rng),
            "device_id": uuid.uuid4().hex,
        }
        return "POST", path, body, None

    r = client_loop(base, clients=CLIENTS, seconds=DURATION, next_request=next_request, ok=(201,))
    return {
        "answers_per_s": r["per_s"],
        "acknowledged": r["acknowledged"],
        "errors": r["errors"],
        "first_error": r["first_error"],
    }


def _cpu_s(pid: int) -> float:
    """utime + stime of ``pid`` (seconds), 0 when it is gone or not on this machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(master: int) -> dict:
    """CPU seconds so far of the gunicorn workers (children of ``master``), the PostgreSQL
    backends of the bench database (when the server runs on this machine) and this
    process (the clients)."""
    from django.db import connection

    workers = [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    with connection.cursor() as c:
        c.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in c.fetchall()]
    t = os.times()
    return {
        "gunicorn": {p: _cpu_s(p) for p in workers},
        "postgres": {p: _cpu_s(p) for p in backends},
        "client": t.user + t.system,
    }


def cpu_ms_per_answer(before: dict, after: dict, answers: int) -> dict:
    """Milliseconds of CPU per answer between two snapshots (a backend that appeared in
    between counts from 0)."""
    out = {}
    for side in ("gunicorn", "postgres"):
        used = sum(cpu - before[side].get(p, 0.0) for p, cpu in after[side].items())
        out[side] = round(used * 1000 / max(answers, 1), 2)
    out["client"] = round((after["client"] - before["client"]) * 1000 / max(answers, 1), 2)
    out["total"] = round(sum(out.values()), 2)
    return out


def main() -> None:
    ensure_database(URL)
    setup_django(
        tempfile.mkdtemp(prefix="xinfeng-bench-survey-answers-"),
        hosts="testserver,127.0.0.1",
        env={"XINFENG_BENCH_DATABASE_URL": URL},
    )
    from django.db import connection

    from xinfeng.surveys.models import Answer, Response

    survey, villages = build()
    with connection.cursor() as c:
        c.execute("SHOW server_version")
        pg = c.fetchone()[0]
    runs = []
    server = gunicorn(WORKERS, THREADS)
    with server as base:
        healthz = healthz_per_s(base, clients=CLIENTS)
        for run in range(RUNS):
            Answer.objects.filter(survey=survey).delete()
            Response.objects.filter(survey=survey).delete()
            before = cpu_snapshot(server.proc.pid)
            r = answers_run(base, survey.pk, villages, run)
            r["cpu_ms_per_answer"] = cpu_ms_per_answer(
                before, cpu_snapshot(server.proc.pid), r["acknowledged"]
            )
            r["stored"] = Response.objects.filter(survey=survey).count()
            r["answer_rows"] = Answer.objects.filter(survey=survey).count()
            runs.append(r)
    rates = [r["answers_per_s"] for r in runs]
    errors = sum(r["errors"] for r in runs)
    stored_ok = all(r["stored"] == r["acknowledged"] for r in runs)
    print(
        json.dumps(
            {
                "bench": "survey_answers",
                "database": f"PostgreSQL {pg}",
                "gunicorn": {"workers": WORKERS, "threads": THREADS},
                "questions": len(SPECS),
                "clients": CLIENTS,
                "duration_s": DURATION,
                "answers_per_s": round(statistics.median(rates), 1),
                "answers_per_s_runs": [round(x, 1) for x in rates],
                "errors": errors,
                "first_error": next((r["first_error"] for r in runs if r["first_error"]), None),
                "acknowledged": [r["acknowledged"] for r in runs],
                "stored": [r["stored"] for r in runs],
                "answer_rows": [r["answer_rows"] for r in runs],
                "stored_equals_acknowledged": stored_ok,
                "healthz_per_s": round(healthz, 1),
                "cpu_ms_per_answer_runs": [r["cpu_ms_per_answer"] for r in runs],
                "target_answers_per_s": TARGET,
                "meets": statistics.median(rates) >= TARGET and errors == 0 and stored_ok,
                "loadavg_1m": round(os.getloadavg()[0], 2),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()

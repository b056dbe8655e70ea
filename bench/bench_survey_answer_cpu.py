"""What one survey answer costs, old code against new in one run (#13).

``bench_survey_answers`` measures answers/s over HTTP on a shared 2-core machine; this
measures what each answer costs, which load does not move much: the same answers (the
20-question survey of ``bench_survey_answers``, one new device each) posted one after the
other through Django's test client (every middleware, the API, the answering transaction
and its commit), and per answer

- ``django_ms``: CPU milliseconds of the Django thread (``time.thread_time``, median of
  ``--rounds`` rounds of ``--answers`` answers);
- ``postgres_ms``: CPU milliseconds of the PostgreSQL backend serving that connection
  (``/proc/<pid>/stat`` utime + stime, so only when the server runs on this machine);
- ``statements``: statements per answer (``CaptureQueriesContext``, the commit not counted).

The baseline is a copy of the working tree's ``xinfeng`` with the files under ``--scope``
(default ``xinfeng/surveys``) as they were at ``--baseline`` (a git revision), so other
work in the tree is in both; it runs in a child process, alternating with the working tree,
on a private PostgreSQL database (``XINFENG_BENCH_SV_CPU_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/xinfeng_bench_sv_cpu``; created if missing, data
replaced). ``old``: the baseline, ``new``: the working tree. ``--profile N``: the current code's top N functions (cProfile on CPU time, by cumulative and own time) on
stderr.

    .venv/bin/python bench/bench_survey_answer_cpu.py --baseline e9b8839 [--answers 300 --rounds 3]
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get(
    "XINFENG_BENCH_SV_CPU_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/xinfeng_bench_sv_cpu",
)


def _proc_cpu(pid: int) -> float:
    """utime + stime of ``pid`` in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(code: Path, answers: int, rounds: int, profile: int) -> dict:
    """Run in a child whose ``sys.path`` starts at ``code``."""
    sys.path.insert(0, str(code))
    sys.path.insert(1, str(ROOT / "bench"))
    from _harness import ensure_database, setup_django

    ensure_database(URL)
    setup_django(
        tempfile.mkdtemp(prefix="xf-bench-sv-cpu-"),
        env={"XINFENG_BENCH_DATABASE_URL": URL},
    )
    from bench_survey_answers import answers as answer_values
    from bench_survey_answers import build
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from xinfeng.surveys.models import Response

    assert Path(sys.modules["xinfeng"].__file__).is_relative_to(code)
    survey, villages = build()
    path = f"/api/v1/surveys/{survey.pk}/responses"
    rng = random.Random(1)
    bands = ["18_34", "35_59", "60_69", "70_79", "80_up"]

    def body() -> dict:
        return {
            "village_id": rng.choice(villages),
            "age_band": rng.choice(bands),
            "sex": rng.choice(["f", "m", ""]),
            "answers": answer_values(rng),
            "device_id": uuid.uuid4().hex,
        }

    client = Client()

    def post(b: dict) -> None:
        r = client.post(path, b, content_type="application/json")
        assert r.status_code == 201, (r.status_code, r.content[:300])

    for _ in range(30):  # warm caches, the connection, psycopg's statement cache
        post(body())
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        (backend,) = cur.fetchone()
    local = Path(f"/proc/{backend}/stat").exists()
    with CaptureQueriesContext(connection) as ctx:
        post(body())
        texts = [q["sql"][:160] for q in ctx.captured_queries]  # the next request resets them
    statements = len(texts)
    django_ms, pg_ms = [], []
    for _ in range(rounds):
        bodies = [body() for _ in range(answers)]
        pg0 = _proc_cpu(backend) if local else 0.0
        t0 = time.thread_time()
        for b in bodies:
            post(b)
        django_ms.append((time.thread_time() - t0) * 1000 / answers)
        if local:
            pg_ms.append((_proc_cpu(backend) - pg0) * 1000 / answers)
    if profile:
        import cProfile
        import io
        import pstats

        bodies = [body() for _ in range(answers)]
        prof = cProfile.Profile(time.thread_time)  # CPU, not time waiting for the server
        prof.enable()
        for b in bodies:
            post(b)
        prof.disable()
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        stats.sort_stats("cumulative").print_stats(profile)
        stats.sort_stats("tottime").print_stats(profile)
        print(out.getvalue(), file=sys.stderr)
    return {
        "django_ms": statistics.median(django_ms),
        "postgres_ms": statistics.median(pg_ms) if pg_ms else None,
        "statements": statements,
        "statement_texts": texts,
        "responses": Response.objects.filter(survey=survey).count(),
    }


def child(code: Path, args) -> dict:
    cmd = [sys.executable, __file__, "--child", str(code), "--answers", str(args.answers)]
    cmd += ["--rounds", str(args.rounds)]
    if args.profile and code == ROOT:
        cmd += ["--profile", str(args.profile)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"child {code} failed:\n{proc.stderr[-3000:]}")
    if args.profile and code == ROOT:
        print(proc.stderr, file=sys.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="e9b8839")
    ap.add_argument("--scope", default="xinfeng/surveys")
    ap.add_argument("--answers", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--alternations", type=int, default=2)
    ap.add_argument("--profile", type=int, default=0)
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(Path(args.child), args.answers, args.rounds, args.profile)))
        return
    from _harness import baseline_tree

    base = baseline_tree(args.baseline, args.scope.split(","), "xf-bench-sv-base-")
    load_before = os.getloadavg()
    runs: dict[str, list[dict]] = {"old": [], "new": []}
    try:
        for _ in range(args.alternations):
            runs["old"].append(child(base, args))
            runs["new"].append(child(ROOT, args))
    finally:
        shutil.rmtree(base)
    load_after = os.getloadavg()
    result: dict = {
        "bench": "survey_answer_cpu",
        "baseline": f"{args.baseline}:{args.scope}",
        "answers": args.answers,
        "rounds": args.rounds,
        "alternations": args.alternations,
    }
    for side, rs in runs.items():
        result[side] = {
            "django_ms": round(statistics.median(r["django_ms"] for r in rs), 2),
            "postgres_ms": (
                round(statistics.median(r["postgres_ms"] for r in rs), 2)
                if rs[0]["postgres_ms"] is not None
                else None
            ),
            "statements": rs[0]["statements"],
        }
    if os.environ.get("XINFENG_BENCH_SHOW_STATEMENTS"):
        for side, rs in runs.items():
            result[side]["statement_texts"] = rs[0]["statement_texts"]
    result["load_before"] = [round(x, 2) for x in load_before]
    result["load_after"] = [round(x, 2) for x in load_after]
    result["database"] = URL.rsplit("/", 1)[1]
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Benchmark: assessment results (issue 15).

Targets: every automatic standard for every township and village of the province demo for
one quarter in < 60 s; the results page of a province in < 200 ms (from stored results).

Builds a throw-away SQLite database (or ``XINFENG_BENCH_DATABASE_URL``, an empty database)
with ``seed_demo --scale XINFENG_BENCH_SCALE`` (default ``city``: 6 townships, 69 villages;
the province scale is for CI hardware, not a shared two-core machine), then measures with
``XINFENG_DEBUG=0``:

- ``compute_s``: ``results_compute`` of the default scheme for ``XINFENG_BENCH_PERIOD``
  (default the first quarter of the scheme's year): every automatic figure for every place,
  scores, ranks, stored;
- ``results_page_ms`` (townships), ``results_page_site_ms``, ``results_page_team_ms``: the
  median render of the ranking page of that level for the center administrator
  (``XINFENG_BENCH_REQUESTS`` requests, default 20);
- ``units_by_level``: results stored per level (townships, villages, sites, teams);
- ``places``, ``standards``.

Prints one JSON line.

    .venv/bin/python bench/bench_assessment.py
"""

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _harness import setup_django as _setup_django  # noqa: E402

SCALE = os.environ.get("XINFENG_BENCH_SCALE", "city")
REQUESTS = int(os.environ.get("XINFENG_BENCH_REQUESTS", "20"))


def setup_django(tmp: str) -> None:
    _setup_django(tmp, hosts="testserver,127.0.0.1")


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="xinfeng-bench-assessment-")
    setup_django(tmp)
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    from xinfeng.accounts.models import User
    from xinfeng.assessment.choices import Method, NodeKind
    from xinfeng.assessment.models import Result, Scheme
    from xinfeng.assessment.services.results import results_compute

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--scale", SCALE, stdout=StringIO())
    build_s = time.perf_counter() - t
    scheme = Scheme.objects.order_by("pk").first()
    period = os.environ.get("XINFENG_BENCH_PERIOD", f"{scheme.year}-Q1")
    t = time.perf_counter()
    places = results_compute(scheme=scheme, period_key=period)
    compute_s = time.perf_counter() - t

    client = Client()
    client.force_login(User.objects.get(username="center"))

    def median_ms(url: str) -> float:
        assert client.get(url).status_code == 200
        times = []
        for _ in range(REQUESTS):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        return round(statistics.median(times), 1)

    url = f"/assessment/schemes/{scheme.pk}/results/?period={period}"
    page_ms = {level: median_ms(f"{url}&level={level}") for level in ("township", "site", "team")}
    by_level = dict(
        Result.objects.filter(scheme=scheme, period=period)
        .values_list("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    print(
        json.dumps(
            {
                "bench": "assessment",
                "scale": SCALE,
                "period": period,
                "places": places,
                "results_stored": Result.objects.count(),
                "standards": scheme.nodes.filter(kind=NodeKind.STANDARD).count(),
                "automatic": scheme.nodes.filter(method=Method.AUTOMATIC).count(),
                "build_s": round(build_s, 1),
                "compute_s": round(compute_s, 2),
                "units_by_level": by_level,
                "results_page_ms": page_ms["township"],
                "results_page_site_ms": page_ms["site"],
                "results_page_team_ms": page_ms["team"],
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()

"""Benchmark: relay outbox rows to a local receiving server (issue 17: 100,000 rows in
< 60 s, 0 lost, 0 duplicates).

Builds a throw-away SQLite database (or ``XINFENG_BENCH_DATABASE_URL``, an empty database),
inserts ``XINFENG_BENCH_SYNC_ROWS`` outbox rows (default 100,000; two events per volunteer,
so per-entity order is exercised), starts tests/sync/receiver.py as a separate process on
127.0.0.1 and runs the relay (``Relay().run()``) until every row is sent. The relay sends
batches of ``XINFENG_BENCH_SYNC_BATCH`` rows per request (default 500; 1 = one request per
row). ``lost`` = rows not marked sent or keys the receiver never got; ``duplicates`` = keys
the receiver got more than once. Prints one JSON line.

    .venv/bin/python bench/bench_sync.py
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _harness import setup_django as _setup_django  # noqa: E402

ROWS = int(os.environ.get("XINFENG_BENCH_SYNC_ROWS", "100000"))
BATCH = int(os.environ.get("XINFENG_BENCH_SYNC_BATCH", "500"))


def setup_django(tmp: str, url: str) -> None:
    _setup_django(
        tmp,
        env={
            "XINFENG_SYNC_TARGETS": "provincial",
            "XINFENG_SYNC_PROVINCIAL_URL": url,
            "XINFENG_SYNC_PROVINCIAL_TOKEN": "bench",
            "XINFENG_SYNC_PROVINCIAL_BATCH": str(BATCH),
        },
    )


def payload(i: int) -> dict:
    return {
        "id": i // 2,
        "number": f"ZY{i // 2:010d}",
        "name": f"志愿者{i // 2}",
        "gender": "female",
        "birth_date": "1990-05-17",
        "political_status": "masses",
        "region_code": "360482201200",
        "skills": ["health"],
        "is_active": True,
        "registered_at": "2026-12-01T08:00:00+08:00",
    }


def main() -> None:
    rx = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/sync/receiver.py"), "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    url = rx.stdout.readline().strip()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            setup_django(tmp, url)
            from django.core.management import call_command
            from django.db import connection

            from xinfeng.sync.models import OutboxRow
            from xinfeng.sync.services.relay import Relay

            call_command("migrate", verbosity=0)
            t0 = time.perf_counter()
            OutboxRow.objects.bulk_create(
                (
                    OutboxRow(
                        target="provincial",
                        entity_type="volunteer",
                        entity_id=i // 2,
                        event="created" if i % 2 == 0 else "updated",
                        payload=payload(i),
                    )
                    for i in range(ROWS)
                ),
                batch_size=2000,
            )
            insert_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            cpu0 = time.process_time()
            stats = Relay(worker_id="bench", batch=max(BATCH * 4, 50)).run()
            relay_s = time.perf_counter() - t0
            cpu_s = time.process_time() - cpu0
            sent = OutboxRow.objects.filter(status="sent").count()
            with urllib.request.urlopen(url + "/_stats") as r:
                got = json.loads(r.read())
            result = {
                "bench": "sync_relay",
                "database": connection.vendor,
                "rows": ROWS,
                "batch": BATCH,
                "insert_s": round(insert_s, 2),
                "relay_s": round(relay_s, 2),
                "relay_cpu_s": round(cpu_s, 2),
                "rows_per_s": round(ROWS / relay_s) if relay_s else None,
                "requests": stats.requests,
                "sent": sent,
                "received_unique": got["unique"],
                "lost": ROWS - min(sent, got["unique"]),
                "duplicates": got["duplicates"],
                "target_s": 60,
                "ok": relay_s < 60
                and sent == ROWS
                and got["unique"] == ROWS
                and got["duplicates"] == 0,
                "cpus": os.cpu_count(),
                "load1": round(os.getloadavg()[0], 2),
            }
            print(json.dumps(result))
    finally:
        rx.terminate()
        rx.wait()


if __name__ == "__main__":
    main()

"""A job for the worker-pool tests: appends lines to a file around an optional pause.

The pause ends early once a file ``<path>.go`` exists, so a test can hold a job "running"
for as long as it needs and then let the re-run finish at once.

Imported by the worker processes the tests start (the repository root is on their path).
"""

import os
import time

from django_tasks import task


@task()
def probe(path: str, mark: str, pause: float = 0.0) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"start {mark} {os.getpid()}\n")
    deadline = time.monotonic() + pause
    while time.monotonic() < deadline and not os.path.exists(path + ".go"):
        time.sleep(0.05)
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"done {mark} {os.getpid()}\n")

"""gunicorn settings for serving Xinfeng (docs/operations.md, "Serving" and "Sustained mixed
load"); the benchmarks serve with this file too (``bench/_harness.py``), so what is measured
is what runs in production:

    .venv/bin/gunicorn -c scripts/gunicorn.conf.py xinfeng.wsgi:application

Environment: ``XINFENG_BIND`` (default ``127.0.0.1:8000``), ``WEB_CONCURRENCY`` (worker
processes, default 2 per core), ``XINFENG_WEB_THREADS`` (threads per worker, default 2).
Command-line options override this file.

Measured on the mixed load (issue #18, 2026-12-06, 2 cores): the server around Django (HTTP
parsing, the gthread poller, hand-offs between threads) costs ~0.3 ms of CPU per request
whether 2×1, 3×1, 4×1, 2×4 or 4×2 workers×threads; the GIL does not show as CPU. Threads only
overlap database waits; processes use both cores. So: 2 workers per core, 2 threads each.
"""

import os

bind = os.environ.get("XINFENG_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1))))
threads = int(os.environ.get("XINFENG_WEB_THREADS", "2"))
# gthread even with one thread: it keeps client connections alive (the sync worker closes
# each after one request); behind nginx the idle connections are few.
worker_class = "gthread"
# Seconds an idle keep-alive connection is held. Longer than any client's idle gap between
# requests on a kept connection (nginx's upstream keepalive_timeout is 60 s): when the
# server closes first, a request the client sends at that moment meets a closed socket and
# fails. At 5 s, users pausing 5 s or more between requests now and then lost one that way
# in the mixed load (1 in 60,147).
keepalive = 75
timeout = 30
graceful_timeout = 30
# No max_requests: a worker's memory grew at most 5 % in a 5-minute mixed run, and a restart
# would cost ~1 s of a core (and break the bench's per-worker figures).
# No access log by default (nginx logs the same requests); XINFENG_ACCESS_LOG=- turns it on.
accesslog = os.environ.get("XINFENG_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("XINFENG_GUNICORN_LOG_LEVEL", "warning")

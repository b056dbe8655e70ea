"""A measuring wrapper around ``xinfeng.wsgi`` for benchmarks only (never used by the app):
``XINFENG_BENCH_WSGI=bench.wsgi_probe:application`` makes ``_harness.gunicorn`` serve it.

Each request's wall time inside the application (``wall_ms``: how long the app held it,
against what the load generator saw) and its CPU inside the application (``time.thread_time`` around the app call and the
iteration of its body, in the thread that serves it) is summed per request type, and the
worker process's whole CPU (``time.process_time``) beside it, so ``process − in-app`` is
what the server around Django costs (HTTP parsing, gthread's poller and hand-offs, the GIL).
``XINFENG_PROBE_PROFILE=1`` also runs every request under cProfile (one profiler per thread).
Written as JSON to ``XINFENG_PROBE_DIR/<pid>.json`` every 500 requests and at exit (the
``.prof`` at exit only).
"""

import atexit
import cProfile
import json
import os
import pstats
import re
import threading
import time

from xinfeng.wsgi import application as _app

_DIR = os.environ.get("XINFENG_PROBE_DIR", "/tmp")
_PROFILE = os.environ.get("XINFENG_PROBE_PROFILE") == "1"
_lock = threading.Lock()
_stats: dict = {"n": 0, "app_s": 0.0, "by": {}, "gc": None, "wall_ms": []}
_WALL_KEPT = 100_000  # per process: each request's wall time inside the app, in ms
_local = threading.local()
_profilers: list = []
_t0 = (time.process_time(), time.monotonic())
_ID = re.compile(r"/\d+")


def _dump(final: bool = False) -> None:
    import gc

    with _lock:
        out = dict(_stats, pid=os.getpid(), threads=threading.active_count())
        out["process_s"] = time.process_time() - _t0[0]
        out["wall_s"] = time.monotonic() - _t0[1]
        out["gc"] = gc.get_stats()
    with open(f"{_DIR}/{os.getpid()}.json", "w") as f:
        json.dump(out, f)
    if final and _PROFILE and _profilers:
        st = None
        for p in list(_profilers):
            p.create_stats()
            st = pstats.Stats(p) if st is None else (st.add(p) or st)
        st.dump_stats(f"{_DIR}/{os.getpid()}.prof")


atexit.register(_dump, True)


def application(environ, start_response):
    prof = None
    if _PROFILE:
        prof = getattr(_local, "prof", None)
        if prof is None:
            prof = _local.prof = cProfile.Profile()
            with _lock:
                _profilers.append(prof)
        prof.enable()
    t0 = time.thread_time()
    w0 = time.monotonic()
    result = _app(environ, start_response)
    try:
        body = list(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    dt = time.thread_time() - t0
    wall = (time.monotonic() - w0) * 1000
    if prof is not None:
        prof.disable()
    key = environ["REQUEST_METHOD"] + " " + _ID.sub("/[id]", environ.get("PATH_INFO", ""))
    with _lock:
        _stats["n"] += 1
        _stats["app_s"] += dt
        b = _stats["by"].setdefault(key, [0, 0.0])
        b[0] += 1
        b[1] += dt
        if len(_stats["wall_ms"]) < _WALL_KEPT:
            _stats["wall_ms"].append(round(wall, 2))
        n = _stats["n"]
    if n % 500 == 0:
        _dump()
    return body

"""What every benchmark does first: run Django on a throw-away var/ directory with production
settings that speak plain HTTP to the test client (no HTTPS redirect, no HSTS), quiet logs,
fast password hashing, and the database of ``XINFENG_BENCH_DATABASE_URL`` (else SQLite)."""

import os
import secrets


def setup_django(tmp: str, *, hosts: str = "testserver", env: dict | None = None) -> None:
    os.environ["XINFENG_VAR_DIR"] = tmp
    os.environ["XINFENG_DEBUG"] = "0"
    os.environ["XINFENG_SSL_REDIRECT"] = "0"  # the test client speaks plain HTTP
    os.environ["XINFENG_HSTS_SECONDS"] = "0"
    os.environ.setdefault("XINFENG_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("XINFENG_FIELD_KEY", secrets.token_urlsafe(32))
    os.environ["XINFENG_ALLOWED_HOSTS"] = hosts
    os.environ["XINFENG_FAST_PASSWORD_HASHER"] = "1"
    os.environ["XINFENG_LOG_LEVEL"] = "ERROR"
    os.environ.update(env or {})
    if os.environ.get("XINFENG_BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["XINFENG_BENCH_DATABASE_URL"]
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "xinfeng.settings"
    import django

    django.setup()


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it does not exist."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(*args: str, **popen):
    """``manage.py <args>`` in a subprocess with this process's environment (same database,
    secret key and field key, so signed links and sessions made here are valid there)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    return subprocess.Popen([sys.executable, str(root / "manage.py"), *args], cwd=root, **popen)


class gunicorn:  # noqa: N801 - used as a context manager
    """gunicorn serving the app on a free 127.0.0.1 port with this process's environment
    (``setup_django`` first: production settings, ``XINFENG_DEBUG=0``). ``with gunicorn(2, 4)
    as base:`` yields ``http://127.0.0.1:<port>``."""

    def __init__(self, workers: int = 2, threads: int = 1):
        self.workers, self.threads = workers, threads

    def __enter__(self) -> str:
        import subprocess
        import time
        import urllib.request
        from pathlib import Path

        root = Path(__file__).resolve().parent.parent
        port = free_port()
        env = dict(os.environ, XINFENG_CONN_MAX_AGE="600", PYTHONWARNINGS="ignore")
        env["XINFENG_ALLOWED_HOSTS"] = env.get("XINFENG_ALLOWED_HOSTS", "") + ",127.0.0.1"
        self.proc = subprocess.Popen(
            [
                str(root / ".venv/bin/gunicorn"),
                # XINFENG_BENCH_WSGI=bench.wsgi_probe:application measures inside the worker
                os.environ.get("XINFENG_BENCH_WSGI", "xinfeng.wsgi"),
                "-c",  # the production settings (gthread, keep-alive, ...)
                str(root / "scripts/gunicorn.conf.py"),
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--log-level",
                "warning",
            ],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return base
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc) -> None:
        import subprocess

        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


# ── HTTP clients on keep-alive connections (answers benchmarks) ────────────────────────
def http_conn(base: str):
    """A keep-alive connection to ``http://host:port``."""
    import http.client

    host, port = base.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=60)


def http_request(conn, method: str, path: str, body=None, headers=None) -> tuple[int, bytes]:
    """One request on ``conn`` (``body``: sent as JSON); (status, response body)."""
    import json

    headers = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    return r.status, r.read()


def client_loop(base: str, *, clients: int, seconds: float, next_request, ok=(200,)) -> dict:
    """``clients`` threads, each on its own keep-alive connection, send requests as fast as
    answers come back for ``seconds``. ``next_request(i, k)`` gives client ``i``'s ``k``-th
    request as ``(method, path, body, headers)``, or None when it has no more. Every request
    started is finished (so acknowledged can be compared with what was stored); a broken
    connection is replaced. Returns ``per_s`` (acknowledged / wall seconds, the last
    requests included), ``acknowledged`` (status in ``ok``), ``errors``, ``first_error``,
    ``seconds``."""
    import http.client
    import threading
    import time

    stop = threading.Event()
    lock = threading.Lock()
    acked = [0]
    errors: list[str] = []

    def client(i: int) -> None:
        conn, n_ok, k = http_conn(base), 0, 0
        while not stop.is_set():
            req = next_request(i, k)
            if req is None:
                break
            k += 1
            method, path, body, headers = req
            try:
                status, resp = http_request(conn, method, path, body, headers)
                good = status in ok
                detail = "" if good else f"HTTP {status}: {resp[:200]!r}"
            except (OSError, http.client.HTTPException) as exc:
                good, detail = False, f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http_conn(base)
            if good:
                n_ok += 1
            else:
                with lock:
                    errors.append(detail)
        conn.close()
        with lock:
            acked[0] += n_ok

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(120)
    wall = time.perf_counter() - t0
    return {
        "per_s": acked[0] / wall,
        "acknowledged": acked[0],
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "seconds": wall,
    }


def healthz_per_s(base: str, *, clients: int, seconds: float = 5.0) -> float:
    """The same clients on ``/healthz`` (no database): what this machine serves right now at
    best, to read an answer rate against (other work on a shared machine moves both)."""
    out = client_loop(
        base,
        clients=clients,
        seconds=seconds,
        next_request=lambda i, k: ("GET", "/healthz", None, None),
    )
    return out["per_s"]


def baseline_tree(rev: str, scope: list[str], prefix: str = "xf-bench-base-"):
    """A copy of the working tree's ``xinfeng`` with the files under ``scope`` (paths from
    the repository root) as they were at ``rev`` (``git archive``; a path that did not
    exist then is left as it is now) — the "old code" side of an old-against-new bench,
    run in a child process with this directory first on its path. The caller removes it."""
    import shutil
    import subprocess
    import tarfile
    import tempfile
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    base = Path(tempfile.mkdtemp(prefix=prefix))
    shutil.copytree(
        root / "xinfeng", base / "xinfeng", ignore=shutil.ignore_patterns("__pycache__")
    )
    at_rev = [
        path
        for path in scope
        if not subprocess.run(
            ["git", "-C", str(root), "cat-file", "-e", f"{rev}:{path}"], capture_output=True
        ).returncode
    ]
    if at_rev:
        archive = base / "src.tar"
        subprocess.run(
            ["git", "-C", str(root), "archive", "-o", str(archive), rev, *at_rev], check=True
        )
        with tarfile.open(archive) as tar:
            tar.extractall(base, filter="data")
        archive.unlink()
    return base


def run_child(script: str, code, *args: str) -> dict:
    """Run ``script --child <code> <args>`` (one side of an old-against-new bench) and
    return the JSON of its last stdout line; stop the bench with the child's stderr tail if
    it fails."""
    import json
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, script, "--child", str(code), *args], capture_output=True, text=True
    )
    if proc.returncode:
        raise SystemExit(f"child {code} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])

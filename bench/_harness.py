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
                "xinfeng.wsgi",
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

"""The platform behind PgBouncer in transaction mode (issue 18, docs/operations.md).

A real PgBouncer (Debian's package) is started on a free local port with a pool of two
server connections; four processes at once run the ORM's hard cases through it —
transactions with row locks, a queryset streamed with `.iterator()`, the same statement many
times (psycopg would prepare it, and the next transaction may land on another server
connection) — with `XINFENG_DB_POOLER=pgbouncer`. All must finish without an error."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from xinfeng.regions.models import Region

from ..factories import RegionFactory

pytestmark = pytest.mark.django_db(transaction=True)

WORK = """
from django.db import transaction
from xinfeng.regions.models import Region
for i in range(40):
    with transaction.atomic():
        r = Region.objects.select_for_update().get(code="POOLTEST")
        Region.objects.filter(pk=r.pk).update(population=(r.population or 0) + 1)
    assert Region.objects.filter(code__startswith="POOL").count() >= 1
n = sum(1 for _ in Region.objects.order_by("pk").iterator(chunk_size=2))
assert n >= 1
print("ok", n)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def pgbouncer(postgres_only):
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.path.exists(binary):
        pytest.skip("PgBouncer is not installed (Debian package pgbouncer; .ci/run installs it)")
    port = _free_port()
    # Not under pytest's tmp_path: PgBouncer runs as postgres and cannot enter root's 0700 dirs.
    tmp_path = Path(tempfile.mkdtemp(prefix="xinfeng-pgbouncer-"))
    tmp_path.chmod(0o777)
    (tmp_path / "users.txt").write_text('"postgres" ""\n')
    ini = tmp_path / "pgbouncer.ini"
    ini.write_text(
        f"""[databases]
* = host=127.0.0.1 port={connection.settings_dict.get("PORT") or 5432}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {tmp_path / "users.txt"}
pool_mode = transaction
default_pool_size = 2
max_client_conn = 100
logfile = {tmp_path / "pgbouncer.log"}
pidfile = {tmp_path / "pgbouncer.pid"}
"""
    )
    for f in tmp_path.iterdir():
        f.chmod(0o666)
    cmd = [binary, str(ini)]
    if os.geteuid() == 0:
        cmd[1:1] = ["-u", "postgres"]  # PgBouncer refuses to run as root
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"PgBouncer did not start: {proc.stderr.read().decode()[:500]}")
    yield port
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_the_orm_works_through_pgbouncer_in_transaction_mode(pgbouncer):
    RegionFactory(code="POOLTEST", name="池测试")
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@127.0.0.1:{pgbouncer}/{db['NAME']}"
    env["XINFENG_DB_POOLER"] = "pgbouncer"  # without it: "cursor … does not exist"
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", WORK],
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err.decode()[-2000:]
        assert out.decode().splitlines()[-1].startswith("ok ")
    # Every locked increment landed: 4 processes × 40 transactions.
    assert Region.objects.get(code="POOLTEST").population == 160

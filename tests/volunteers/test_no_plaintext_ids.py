"""A dump of the whole database holds no ID number in plain text: not in the volunteer
rows, the audit log, the import jobs or their rejected rows."""

import json
import shutil
import subprocess

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tests.conftest import bearer_client
from tests.factories import UserFactory
from tests.volunteers.factories import make_id
from tests.volunteers.test_imports import run_worker, sheet
from xinfeng.volunteers.services.profiles import PRIVACY_NOTICE_VERSION


def dump_database() -> str:
    """The database as text: SQLite's own dump, or pg_dump (else every text column)."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    settings = connection.settings_dict
    if shutil.which("pg_dump"):
        env = {"PGPASSWORD": settings.get("PASSWORD") or ""}
        cmd = ["pg_dump", "--data-only", "-h", settings["HOST"] or "127.0.0.1"]
        cmd += ["-p", str(settings["PORT"] or 5432), "-U", settings["USER"], settings["NAME"]]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if done.returncode == 0:
            return done.stdout
    parts = []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'bytea')"
        )
        for table, column in cur.fetchall():
            cur.execute(f'SELECT "{column}"::text FROM "{table}"')  # noqa: S608
            parts.extend(str(row[0]) for row in cur.fetchall())
    return "\n".join(parts)


def test_dump_contains_no_plaintext_id_number(
    tree, owner, api_as, transactional_db, django_capture_on_commit_callbacks
):
    # Data must be committed for pg_dump (another connection) to see it.
    ids = [make_id(seq=301), make_id(seq=302), make_id(seq=303)]
    r = bearer_client(UserFactory(phone="13900000301")).post(
        "/api/v1/volunteers/register",
        json.dumps(
            {
                "name": "周文",
                "id_number": ids[0],
                "phone": "13900000301",
                "home_region_id": tree.v1.pk,
                "privacy_notice_version": PRIVACY_NOTICE_VERSION,
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201
    v = r.json()["id"]
    # An audited reveal, and an import with one good and one bad row.
    assert (
        api_as(owner)
        .post(
            f"/api/v1/volunteers/{v}/reveal",
            {"field": "id_number"},
            content_type="application/json",
        )
        .json()["value"]
        == ids[0]
    )
    content = sheet(
        [
            {"name": "钱一", "id_number": ids[1], "phone": "13900000302", "privacy_consent": "是"},
            {"name": "钱二", "id_number": ids[2], "phone": "bad", "privacy_consent": "是"},
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = api_as(owner).post(
            "/api/v1/volunteers/imports",
            {"region_id": tree.t1.pk, "file": SimpleUploadedFile("a.xlsx", content)},
        )
    assert r.status_code == 201
    run_worker()

    dump = dump_database()
    assert "钱一" in dump and "周文" in dump  # the dump really has the volunteers
    for number in ids:
        assert number not in dump
        assert number.lower() not in dump
        assert number[:6] + " " + number[6:] not in dump

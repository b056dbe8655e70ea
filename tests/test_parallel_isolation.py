"""`make test` runs under pytest-xdist: each worker must have its own test database and its
own upload directory, or two workers would see (and delete) each other's rows and files."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


def test_uploads_never_go_to_the_checkouts_var_media():
    media = Path(settings.MEDIA_ROOT).resolve()
    assert not media.is_relative_to(Path(settings.VAR_DIR).resolve()), media
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        assert worker in str(media), media  # pytest's basetemp is per worker: …/popen-gw0/


@pytest.mark.django_db
def test_each_worker_has_its_own_test_database():
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        pytest.skip("not running under pytest-xdist (make test runs it; -n0 does not)")
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return  # an in-memory database belongs to its process, i.e. to this worker
    assert connection.settings_dict["NAME"].endswith(f"_{worker}"), connection.settings_dict

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


def test_every_collected_test_has_its_own_node_id(request):
    """pytest-xdist schedules by node id: tests sharing one (schemathesis gives every API
    operation its function's id) ran once for all of them. ``tests/conftest.py`` gives each
    its own; this fails if two collected tests of this run still share an id."""
    items = request.session.items
    if not any(type(item).__name__ == "SchemathesisFunction" for item in items):
        pytest.skip("no schemathesis test is collected in this run (run the whole suite)")
    ids = [item.nodeid for item in items]
    shared = sorted({nodeid for nodeid in ids if ids.count(nodeid) > 1})
    assert not shared, shared[:5]

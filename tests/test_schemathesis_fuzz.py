"""The whole API under schemathesis with every check (``--checks all``): as an anonymous
caller and as a signed-in member of staff, every operation, positive and negative data.

Fails on any 5xx, an answer whose status, content type, headers or body the OpenAPI
document does not declare, a write that ignores its authentication, a request the schema
calls invalid that is accepted, and a valid one refused for a reason the schema does not
state — except 400 and 422, which are domain rules JSON Schema cannot express (the date
windows of ``core.validation``, cross-field rules, state machines); those are covered by
their own tests.

Bounded and deterministic for CI: no coverage phase (every boundary of every field takes
minutes; the bad-input tests cover boundaries), two examples per operation (each sent
anonymously and as staff; ``XINFENG_FUZZ_EXAMPLES`` raises it), Hypothesis derandomised
(the same cases on every run). Measured on the shared 2-core machine: 203 operations in
50 s on SQLite (load average 4.5), 86 s on PostgreSQL (load 6.5), with three examples;
271 operations: 359 s with three examples (load 15–17), 214 s with two (load 17–25).
"""

import os
from datetime import time

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from tests.test_openapi import keep_db_connection  # noqa: F401  (fixture)
from xinfeng.accounts.models import ApiToken
from xinfeng.wsgi import application

from .factories import VenueFactory
from .orders.factories import ProjectFactory, make_order

EXAMPLES = int(os.environ.get("XINFENG_FUZZ_EXAMPLES", "2"))

CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"mode": "all"},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422", "429"]
            }
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@pytest.fixture
def world(tree, owner, resident):
    """A little of everything, so some generated ids hit real rows."""
    project = ProjectFactory(name="白衣天使乡村行", site=tree.st1, region=tree.v1)
    make_order(project=project, region=tree.v1, site=tree.st1, requester=resident)
    VenueFactory(site=tree.st1, name="多功能厅", capacity=100, opens_at=time(8), closes_at=time(21))
    return tree


@pytest.fixture
def staff_headers(world, owner):
    """The institute admin of 苏家垱乡 (covers the station, the order and the venue)."""
    _token, raw = ApiToken.issue(user=owner, name="fuzz")
    return {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_with_every_check(case, staff_headers, keep_db_connection):  # noqa: F811
    """Each generated case is sent twice: anonymously, then as staff (one item per
    operation keeps the per-test database set-up to one)."""
    case.call_and_validate()
    case.call_and_validate(headers=staff_headers)

"""A short schemathesis fuzz of every volunteers endpoint: whatever the input, never a 5xx,
and JSON answers match the documented schemas."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.test_openapi import keep_db_connection  # noqa: F401  (fixture)
from tests.volunteers.factories import RewardFactory, TeamFactory, VolunteerFactory, credit
from xinfeng.accounts.models import ApiToken
from xinfeng.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex=r"^/api/v1/volunteers/"
)


@pytest.fixture
def world(tree, owner):
    v = VolunteerFactory(home_region=tree.v1, user=owner)
    credit(v, tree.v1, hours=5)
    TeamFactory(home_site=tree.st1)
    RewardFactory(site=tree.st1)
    _token, raw = ApiToken.issue(user=owner, name="fuzz")
    return raw


@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_volunteer_endpoints_never_answer_5xx(case, world, keep_db_connection):  # noqa: F811
    checks = [not_a_server_error]
    if not case.path.endswith((".xlsx", "/pdf")):
        checks.append(response_schema_conformance)
    case.call_and_validate(headers={"Authorization": f"Bearer {world}"}, checks=checks)

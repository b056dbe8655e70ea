"""A short schemathesis fuzz of every activities endpoint: whatever the input, never a 5xx,
and JSON answers match the documented schemas."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.activities.conftest import start_now
from tests.test_openapi import keep_db_connection  # noqa: F401  (fixture)
from xinfeng.accounts.models import ApiToken
from xinfeng.activities import services
from xinfeng.wsgi import application

# Fuzzing only: the coverage phase (every boundary value of every field, not bounded by
# max_examples) takes minutes over 40 operations; bad-input tests cover the boundaries.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG).include(
    path_regex=r"^/api/v1/activities/"
)


@pytest.fixture
def world(tree, owner, venue, make_activity, people):
    published = make_activity(venue=venue, mode="both", stream_url="https://live.example/1")
    running = start_now(make_activity(title="进行中"))
    (a,) = people(1)
    services.signup_create(actor=a, activity=published)
    services.attendance_check_in(
        actor=a, activity=running, method="code", code=running.checkin_code
    )
    services.news_create(actor=owner, site=tree.st1, kind="news", title="新闻", body="正文")
    _token, raw = ApiToken.issue(user=owner, name="fuzz")
    return raw


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_activity_endpoints_never_answer_5xx(case, world, keep_db_connection):  # noqa: F811
    case.call_and_validate(
        headers={"Authorization": f"Bearer {world}"},
        checks=[not_a_server_error, response_schema_conformance],
    )

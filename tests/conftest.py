"""Shared fixtures: a small region tree with the three users every scope test needs
(an owner with a role at the place, a member of the public, an outsider with a role
elsewhere), and API clients."""

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import ApiToken
from xinfeng.places.choices import SiteLevel
from xinfeng.regions.choices import RegionLevel

from .factories import RegionFactory, SiteFactory, UserFactory, grant


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Compile the .po catalogs (as `make test` does) so English pages can be tested from a
    bare `pytest` run too; reset Django's catalog cache if anything was (re)compiled."""
    out = StringIO()
    call_command("compile_catalogs", stdout=out)
    if not out.getvalue().startswith("catalogs: 0 "):
        from asgiref.local import Local
        from django.utils.translation import trans_real

        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = Local()


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """Hash test and demo passwords with a fast hasher (PBKDF2 costs ~0.3 s a password),
    whether or not XINFENG_FAST_PASSWORD_HASHER is set."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def default_language():
    """Start every test in the default language. A request through the test client leaves
    its language (e.g. English from Accept-Language) active in the thread afterwards, which
    would otherwise leak into the next test's service calls."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real row locks and concurrency; CI runs it there")


@pytest.fixture
def tree(db):
    """city → two townships → a village each; one institute and one station."""
    city = RegionFactory(name="共青城市", code="360482000000", level=RegionLevel.COUNTY)
    t1 = RegionFactory(
        name="苏家垱乡", code="360482201000", level=RegionLevel.TOWNSHIP, parent=city
    )
    t2 = RegionFactory(name="江益镇", code="360482101000", level=RegionLevel.TOWNSHIP, parent=city)
    v1 = RegionFactory(name="水口村", code="360482201200", level=RegionLevel.VILLAGE, parent=t1)
    v2 = RegionFactory(name="江益村", code="360482101201", level=RegionLevel.VILLAGE, parent=t2)
    center = SiteFactory(name="实践中心", level=SiteLevel.CENTER, region=city)
    inst1 = SiteFactory(name="苏家垱乡实践所", level=SiteLevel.INSTITUTE, region=t1, parent=center)
    inst2 = SiteFactory(name="江益镇实践所", level=SiteLevel.INSTITUTE, region=t2, parent=center)
    st1 = SiteFactory(name="水口村实践站", level=SiteLevel.STATION, region=v1, parent=inst1)
    st2 = SiteFactory(name="江益村实践站", level=SiteLevel.STATION, region=v2, parent=inst2)
    return SimpleNamespace(
        city=city,
        t1=t1,
        t2=t2,
        v1=v1,
        v2=v2,
        center=center,
        inst1=inst1,
        inst2=inst2,
        st1=st1,
        st2=st2,
    )


@pytest.fixture
def owner(tree):
    """Institute admin of 苏家垱乡 (covers 水口村)."""
    return grant(UserFactory(username="owner"), Role.INSTITUTE_ADMIN, tree.t1)


@pytest.fixture
def outsider(tree):
    """Institute admin of 江益镇: staff, but elsewhere."""
    return grant(UserFactory(username="outsider"), Role.INSTITUTE_ADMIN, tree.t2)


@pytest.fixture
def resident(tree):
    return grant(UserFactory(username="resident", phone="13800000001"), Role.RESIDENT, tree.v1)


@pytest.fixture
def sysadmin(tree):
    return grant(UserFactory(username="sysadmin"), Role.SYSTEM_ADMIN, tree.city)


def bearer_client(user) -> Client:
    _token, raw = ApiToken.issue(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def api_as():
    """``api_as(user)`` → a test client that authenticates with a bearer token."""
    return bearer_client

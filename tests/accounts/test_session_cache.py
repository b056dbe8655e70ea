"""Who a signed-in session names is kept per web process too (``accounts.middleware.
session_user``, used by ``PhoneOrUsernameBackend.get_user``), under the same version as
bearer tokens: a warm page reads no user or role row, and a deactivation, a new password,
a role change or a user id reused for someone else is seen by the very next request."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment, User

from ..factories import UserFactory, grant

pytestmark = pytest.mark.django_db

PAGE = "/accounts/me/"


def _signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _user_and_role_reads(ctx) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if 'FROM "accounts_user"' in q["sql"] or 'FROM "accounts_roleassignment"' in q["sql"]
    ]


def test_a_warm_page_reads_neither_the_user_nor_the_roles(tree):
    user = grant(UserFactory(username="s1", display_name="王站长"), Role.STATION_OPERATOR, tree.v1)
    c = _signed_in(user)
    assert c.get("/orders/queue/").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        r = c.get("/orders/queue/")
    assert r.status_code == 200 and "王站长" in r.content.decode()
    assert _user_and_role_reads(ctx) == []


def test_a_deactivated_user_is_signed_out_on_the_next_request(tree):
    user = grant(UserFactory(username="s2"), Role.STATION_OPERATOR, tree.v1)
    c = _signed_in(user)
    assert c.get(PAGE).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert c.get(PAGE).status_code == 302  # to the sign-in page


def test_a_new_password_ends_the_other_sessions_at_once(tree):
    user = grant(UserFactory(username="s3"), Role.STATION_OPERATOR, tree.v1)
    c = _signed_in(user)
    assert c.get(PAGE).status_code == 200
    user.set_password("another-secret-42")
    user.save()
    assert c.get(PAGE).status_code == 302


def test_a_role_change_is_seen_on_the_next_page(tree):
    user = grant(UserFactory(username="s4"), Role.STATION_OPERATOR, tree.v1)
    c = _signed_in(user)
    assert c.get("/orders/queue/").status_code == 200
    assert c.get("/orders/queue/").status_code == 200  # warm: roles from the entry
    RoleAssignment.objects.filter(user=user).delete()
    assert c.get("/orders/queue/").status_code in (403, 404)


def test_a_reused_user_id_never_shows_the_previous_person(tree):
    """An id can come back for another person (a rolled-back insert on SQLite; here a row
    removed behind the ORM's back): a new user bumps the version, so the entry is not used."""
    first = UserFactory(username="s5", display_name="第一人")
    c = _signed_in(first)
    assert "第一人" in c.get(PAGE).content.decode()
    pk = first.pk
    with connection.cursor() as cur:  # no signal: as if the row had never been committed
        cur.execute('DELETE FROM "accounts_user" WHERE id = %s', [pk])
    second = User(pk=pk, username="s6", display_name="第二人")
    second.set_password("x-secret-42")
    second.save()
    other = _signed_in(second)
    body = other.get(PAGE).content.decode()
    assert "第二人" in body and "第一人" not in body

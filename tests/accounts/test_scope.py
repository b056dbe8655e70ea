"""Accounts lists and details from three sides: a staff user whose scope holds the person
(``owner``), one from the sibling township (``outsider``) and an anonymous caller."""

import pytest
from django.test import Client

from tests.factories import UserFactory
from xinfeng.accounts.models import ApiToken


@pytest.fixture
def villager(tree):
    """Someone living in 水口村 (in the owner's scope), with a phone on file."""
    return UserFactory(username="villager", phone="13912345678", home_region=tree.v1)


def test_user_list_shows_people_in_my_scope_with_masked_phones(api_as, owner, villager):
    items = api_as(owner).get("/api/v1/accounts/users").json()["items"]
    assert [(u["username"], u["phone_masked"]) for u in items] == [("villager", "139****5678")]


def test_user_list_of_the_sibling_township_is_empty(api_as, outsider, villager):
    assert api_as(outsider).get("/api/v1/accounts/users").json()["items"] == []


def test_user_list_needs_login(client, villager):
    response = client.get("/api/v1/accounts/users")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_user_detail_from_three_sides(api_as, client, owner, outsider, villager):
    url = f"/api/v1/accounts/users/{villager.id}"
    assert api_as(owner).get(url).json()["home_region_name"] == "水口村"
    hidden = api_as(outsider).get(url)
    missing = api_as(outsider).get("/api/v1/accounts/users/987654")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert client.get(url).status_code == 401


def test_resident_sees_no_users(api_as, resident, villager):
    assert api_as(resident).get("/api/v1/accounts/users").json()["items"] == []


def test_user_list_query_count_is_constant(api_as, owner, tree, django_assert_num_queries):
    client = api_as(owner)
    client.get("/api/v1/accounts/me")  # first use of the token records last_used_at
    for i in range(3):
        UserFactory(home_region=tree.v1, phone=f"1390000000{i}")
    with django_assert_num_queries(3):  # token, roles, users (with home region)
        client.get("/api/v1/accounts/users")
    for i in range(3, 9):
        UserFactory(home_region=tree.v1, phone=f"1390000000{i}")
    with django_assert_num_queries(3):
        client.get("/api/v1/accounts/users")


@pytest.mark.parametrize("who", ["owner", "outsider"])
def test_me_is_always_myself(api_as, owner, outsider, who):
    user = {"owner": owner, "outsider": outsider}[who]
    body = api_as(user).get("/api/v1/accounts/me").json()
    assert body["username"] == who
    assert body["roles"][0]["role_label"] == "实践所管理员"


def test_me_needs_login(client, db):
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_tokens_are_private_to_their_owner(api_as, owner, outsider):
    mine, _raw = ApiToken.issue(user=owner, name="大屏")
    listed = api_as(outsider).get("/api/v1/accounts/tokens").json()
    assert "大屏" not in {t["name"] for t in listed}
    response = api_as(outsider).delete(f"/api/v1/accounts/tokens/{mine.id}")
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.revoked_at is None


def test_tokens_need_login(client, db):
    assert client.get("/api/v1/accounts/tokens").status_code == 401


@pytest.mark.parametrize("path", ["/accounts/me/", "/accounts/tokens/", "/accounts/password/"])
def test_account_pages_send_anonymous_to_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_tokens_page_lists_only_my_tokens(owner, outsider):
    ApiToken.issue(user=owner, name="我的令牌甲")
    ApiToken.issue(user=outsider, name="别人的令牌乙")
    client = Client()
    client.force_login(owner)
    html = client.get("/accounts/tokens/").content.decode()
    assert "我的令牌甲" in html and "别人的令牌乙" not in html


def test_revoking_someone_elses_token_on_the_page_is_404(owner, outsider):
    theirs, _raw = ApiToken.issue(user=outsider, name="别人的")
    client = Client()
    client.force_login(owner)
    assert client.post(f"/accounts/tokens/{theirs.id}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_staff_anywhere_and_reads_anywhere_are_one_rule_each(tree, owner):
    """accounts.scope.is_staff_anywhere / reads_anywhere: a staff role anywhere (or system
    admin) vs a reading role anywhere; a resident, a leader (read-only) and an anonymous
    visitor are not staff."""
    from django.contrib.auth.models import AnonymousUser

    from tests.factories import grant
    from xinfeng.accounts.choices import Role
    from xinfeng.accounts.scope import is_staff_anywhere, reads_anywhere

    leader = UserFactory()
    grant(leader, Role.LEADER, tree.city)
    resident = UserFactory()
    grant(resident, Role.RESIDENT, tree.v1)
    admin = UserFactory(is_superuser=True)
    assert is_staff_anywhere(owner) and reads_anywhere(owner)
    assert is_staff_anywhere(admin) and reads_anywhere(admin)
    assert not is_staff_anywhere(leader) and reads_anywhere(leader)
    assert not is_staff_anywhere(resident) and not reads_anywhere(resident)
    assert not is_staff_anywhere(AnonymousUser()) and not reads_anywhere(AnonymousUser())

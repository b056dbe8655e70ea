"""The Django admin speaks Chinese and shows non-superuser staff only their scope."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from xinfeng.places.models import Site


@pytest.fixture
def staff_admin(owner):
    """The 苏家垱乡 institute admin, allowed into the Django admin for sites and venues."""
    owner.is_staff = True
    owner.save()
    perms = Permission.objects.filter(
        content_type__app_label="places",
        codename__in=["view_site", "change_site", "view_venue", "view_region"],
    )
    owner.user_permissions.add(*perms)
    client = Client()
    client.force_login(owner)
    return client


def test_admin_is_in_chinese(staff_admin):
    html = staff_admin.get("/admin/").content.decode()
    assert "新风 · 管理后台" in html
    assert "<title>数据管理 | 新风管理后台</title>" in html


def test_admin_site_list_shows_only_the_scope(staff_admin, tree):
    html = staff_admin.get("/admin/places/site/").content.decode()
    shown = {s.name for s in Site.objects.all() if f"/admin/places/site/{s.id}/change/" in html}
    assert shown == {"水口村实践站", "苏家垱乡实践所"}


def test_admin_site_outside_scope_is_not_found(staff_admin, tree):
    response = staff_admin.get(f"/admin/places/site/{tree.st2.id}/change/")
    assert response.status_code == 302  # the admin redirects a missing object to its index
    assert response["Location"] == "/admin/"


def test_admin_users_are_for_system_admins_only(staff_admin, sysadmin):
    assert staff_admin.get("/admin/accounts/user/").status_code == 403
    client = Client()
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client.force_login(sysadmin)
    assert client.get("/admin/accounts/user/").status_code == 200


def test_superuser_sees_every_site(sysadmin, tree):
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client = Client()
    client.force_login(sysadmin)
    html = client.get("/admin/places/site/").content.decode()
    assert all(s.name in html for s in Site.objects.all())

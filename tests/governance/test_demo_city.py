"""The demo city's governance as the report has it: a 一把手 for every center, institute
and station (city, township and village secretaries), 6 full-time staff at the center,
60+ village propagandists, a leading group per level with meetings, the six departments'
accounts; the governance pages answer every demo account without a server error."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment, User
from xinfeng.demo.accounts import DEMO_ACCOUNTS
from xinfeng.demo.governance import DEPARTMENT_ACCOUNTS
from xinfeng.governance.models import LeadingGroup, Meeting, ResponsibleTerm, SiteStaff
from xinfeng.places.choices import SiteLevel
from xinfeng.places.models import Site

CENTER_POST = "市委书记（中心主任）"


def test_the_demo_city_has_the_reports_chain_of_responsibility(demo_city):
    center = Site.objects.get(level=SiteLevel.CENTER)
    assert ResponsibleTerm.objects.get(site=center, ends_on__isnull=True).post == CENTER_POST
    assert SiteStaff.objects.filter(site=center, kind="full_time").count() == 6
    propagandists = SiteStaff.objects.filter(kind="propagandist", site__level=SiteLevel.STATION)
    assert propagandists.count() >= 60
    governed = Site.objects.filter(level__in=("center", "institute", "station")).count()
    assert ResponsibleTerm.objects.values("site").distinct().count() == governed
    posts = set(ResponsibleTerm.objects.values_list("post", flat=True))
    assert {"乡镇党委书记", "村党支部书记"} <= posts
    city = demo_city.city
    assert LeadingGroup.objects.filter(region=city).exists()
    townships = city.children.count()
    assert LeadingGroup.objects.filter(region__parent=city).count() == townships
    assert Meeting.objects.filter(group__region=city).count() >= 3
    depts = RoleAssignment.objects.filter(role=Role.DEPARTMENT, region=city)
    assert sorted(depts.values_list("department", flat=True)) == sorted(
        d[3] for d in DEPARTMENT_ACCOUNTS
    )
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    for username, *_rest in DEPARTMENT_ACCOUNTS:
        assert re.search(rf"^  {username}\s+1380000001\d", out.getvalue(), re.M), username


@pytest.mark.parametrize(
    "username", [a[0] for a in DEMO_ACCOUNTS] + [a[0] for a in DEPARTMENT_ACCOUNTS]
)
def test_governance_pages_answer_every_demo_account(demo_city, username):
    c = Client(raise_request_exception=False)
    c.force_login(User.objects.get(username=username))
    center = Site.objects.get(level=SiteLevel.CENTER)
    group = LeadingGroup.objects.get(region=demo_city.city)
    for url in (
        "/governance/",
        "/governance/gaps/",
        "/governance/handovers/",
        "/governance/groups/",
        "/governance/departments/",
        f"/governance/sites/{center.pk}/",
        f"/governance/groups/{group.pk}/",
        f"/places/sites/{center.pk}/",
    ):
        r = c.get(url)
        assert r.status_code in (200, 302, 403, 404), (url, r.status_code)
    if username in ("center", "admin"):
        assert c.get("/governance/gaps/").content.decode().count("无在任一把手") >= 2

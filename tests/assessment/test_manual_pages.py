"""Manual scoring pages: staff of the assessing level (or an inspector) score a unit with
notes and evidence; the rule, range and year are checked with messages on the form; the
unit itself may not score itself; who scored and who confirmed is shown and audited; the
statement and confirmation work from the page; lists search, filter, page and say when
they are empty; scope from three sides."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import TeamFactory, UserFactory, VolunteerFactory, grant, join
from xinfeng.accounts.choices import Role
from xinfeng.assessment.models import ManualScore, Node
from xinfeng.assessment.services import manual, schemes
from xinfeng.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(tree):
    city_staff = grant(
        UserFactory(username="city-staff", display_name="市中心王干事"),
        Role.CENTER_ADMIN,
        tree.city,
    )
    s = schemes.default_scheme_build(actor=city_staff, region=tree.city, year=2026)
    visit = Node.objects.get(scheme=s, code="5.2.1")  # township, visit, yes/no, 5 points
    graded = Node.objects.get(scheme=s, code="1.1.2")  # village, visit, grade, 6 points
    lecture = Node.objects.get(scheme=s, code="3.1.2")  # township, deduction 2 per miss
    return s, city_staff, visit, graded, lecture


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_staff_of_the_assessing_level_scores_from_the_page(tree, setup, owner):
    s, city_staff, visit, graded, lecture = setup
    c = _client(city_staff)
    empty = c.get(f"/assessment/schemes/{s.pk}/manual/").content.decode()
    assert "还没有人工评分" in empty and "选择单位评分" in empty
    units = c.get(f"/assessment/schemes/{s.pk}/manual/units/?level=township&q=苏家").content
    assert "苏家垱乡" in units.decode() and "江益镇" not in units.decode()
    form_url = f"/assessment/schemes/{s.pk}/manual/new?level=township&region={tree.t1.pk}"
    form = c.get(form_url).content.decode()
    assert "5.2.1" in form and "3.1.2" in form and "1.1.2" not in form  # township standards
    evidence = SimpleUploadedFile("e.pdf", b"%PDF-1.4\n%%EOF", "application/pdf")
    r = c.post(
        f"/assessment/schemes/{s.pk}/manual/new",
        {
            "level": "township",
            "region": tree.t1.pk,
            "node": lecture.pk,
            "period": "2026-Q2",
            "value": "2",
            "note": "缺讲 2 次",
            "evidence": evidence,
        },
    )
    assert r.status_code == 302, r.content.decode()
    row = ManualScore.objects.get(node=lecture, region=tree.t1)
    # 6 points − 2 misses × 2.
    assert row.score == 2 and row.inspector == city_staff and row.evidence.name.endswith(".pdf")
    assert AuditEvent.objects.filter(
        action="assessment.manual_score", object_id=str(row.pk), actor=city_staff
    ).exists()
    detail = c.get(r["Location"]).content.decode()
    assert "缺讲 2 次" in detail and "市中心王干事" in detail and "待确认" in detail
    listed = c.get(f"/assessment/schemes/{s.pk}/manual/?q=苏家垱").content.decode()
    assert "苏家垱乡" in listed and "共 1 条" in listed
    none = c.get(f"/assessment/schemes/{s.pk}/manual/?status=confirmed").content.decode()
    assert "没有符合条件的评分记录" in none


@pytest.mark.parametrize(
    "field,data,message",
    [
        ("value", {"node": "lecture", "period": "2026", "value": "-1"}, "0"),
        ("value", {"node": "lecture", "period": "2026"}, "请填写数值"),
        ("grade", {"node": "visit", "period": "2026", "grade": "A"}, "该标准不按档次计分"),
        (
            "period",
            {"node": "visit", "period": "2025-Q1", "done": "on"},
            "考核期须在指标体系的年度内",
        ),
        ("period", {"node": "visit", "period": "2026-13"}, "考核期格式"),
    ],
)
def test_bad_scores_are_refused_on_the_form(tree, setup, field, data, message):
    s, city_staff, visit, graded, lecture = setup
    nodes = {"visit": visit, "lecture": lecture}
    body = {**data, "node": nodes[data["node"]].pk, "level": "township", "region": tree.t1.pk}
    r = _client(city_staff).post(f"/assessment/schemes/{s.pk}/manual/new", body)
    assert r.status_code == 400 and message in r.content.decode()
    assert not ManualScore.objects.exists()


def test_the_unit_itself_never_scores_itself(tree, setup, owner, outsider, resident):
    s, city_staff, visit, graded, lecture = setup
    # 苏家垱乡's institute admin, even when assigned as an inspector of the city.
    manual.inspector_assign(actor=city_staff, scheme=s, user=owner, region=tree.city)
    url = f"/assessment/schemes/{s.pk}/manual/new?level=township&region={tree.t1.pk}"
    assert _client(owner).get(url).status_code == 403
    own_village = f"/assessment/schemes/{s.pk}/manual/new?level=village&region={tree.v1.pk}"
    assert _client(owner).get(own_village).status_code == 403
    # As an inspector of the city it may score the other township.
    other = f"/assessment/schemes/{s.pk}/manual/new?level=township&region={tree.t2.pk}"
    assert _client(owner).get(other).status_code == 200
    # 江益镇's staff (no inspector): 苏家垱乡 is not theirs to see (404), theirs not to score.
    assert _client(outsider).get(url).status_code == 404
    assert _client(outsider).get(other).status_code == 403
    # A resident reads no scheme at all; staff who may read it but not score get 403.
    assert _client(resident).get(f"/assessment/schemes/{s.pk}/manual/units/").status_code == 404
    assert _client(outsider).get(f"/assessment/schemes/{s.pk}/manual/units/").status_code == 403
    assert Client().get(url).status_code == 302  # anonymous → sign in
    # A team's own member may not score the team.
    team = TeamFactory(home_site=tree.st2)
    member = UserFactory(username="member")
    join(team, VolunteerFactory(user=member, home_region=tree.v2))
    grant(member, Role.CENTER_ADMIN, tree.city)
    from xinfeng.assessment.units import Unit

    assert not manual.policy.may_score(member, s, Unit("team", tree.v2, team=team))
    assert manual.policy.may_score(city_staff, s, Unit("team", tree.v2, team=team))


def test_statement_and_confirmation_from_the_pages(tree, setup, owner):
    s, city_staff, visit, graded, lecture = setup
    inspector = UserFactory(username="inspector", display_name="督查员老陈")
    manual.inspector_assign(actor=city_staff, scheme=s, user=inspector, region=tree.t1)
    row = manual.manual_score_record(
        actor=inspector, scheme=s, node=visit, region=tree.t1, period="2026", done=False
    )
    url = f"/assessment/manual/{row.pk}/"
    page = _client(owner).get(url).content.decode()
    assert "补充说明" in page and "确认评分" not in page  # the place states, never confirms
    assert _client(owner).post(f"{url}confirm").status_code == 403
    r = _client(owner).post(f"{url}statement", {"statement": "任命文件已补报"})
    assert r.status_code == 302
    assert _client(inspector).post(f"{url}confirm").status_code == 403  # not the scorer
    page = _client(city_staff).get(url).content.decode()
    assert "任命文件已补报" in page and "确认评分" in page
    assert _client(city_staff).post(f"{url}confirm").status_code == 302
    row.refresh_from_db()
    assert row.status == "confirmed" and row.confirmed_by == city_staff
    # A late change: version 2, the page lists both with their scorers.
    second = manual.manual_score_record(
        actor=inspector, scheme=s, node=visit, region=tree.t1, period="2026", done=True
    )
    history = _client(city_staff).get(f"/assessment/manual/{second.pk}/").content.decode()
    assert history.count("督查员老陈") >= 2 and "市中心王干事" in history
    old = _client(city_staff).get(url).content.decode()
    assert "已被新版本取代" in old and "确认评分" not in old
    c = Client()
    c.force_login(UserFactory())
    assert c.get(url).status_code == 404


def test_manual_list_pages(tree, setup):
    s, city_staff, visit, graded, lecture = setup
    from xinfeng.assessment.views import manual as views

    for month in range(1, 13):
        manual.manual_score_record(
            actor=city_staff, scheme=s, node=visit, region=tree.t1, period=f"2026-{month:02d}"
        )
        manual.manual_score_record(
            actor=city_staff, scheme=s, node=visit, region=tree.t2, period=f"2026-{month:02d}"
        )
    for q in range(1, 5):
        for t in (tree.t1, tree.t2):
            manual.manual_score_record(
                actor=city_staff, scheme=s, node=lecture, region=t, period=f"2026-Q{q}", value=1
            )
    c = _client(city_staff)
    first = c.get(f"/assessment/schemes/{s.pk}/manual/").content.decode()
    assert "共 32 条" in first and f"第 1 / {-(-32 // views.PAGE_SIZE)} 页" in first
    last = c.get(f"/assessment/schemes/{s.pk}/manual/?page=2").content.decode()
    assert last.count("/assessment/manual/") == 32 - views.PAGE_SIZE
    q1 = c.get(f"/assessment/schemes/{s.pk}/manual/?period=2026-q1").content.decode()
    assert "共 2 条" in q1
    assert c.get(f"/assessment/schemes/{s.pk}/manual/?period=x").status_code == 400

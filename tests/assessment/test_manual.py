"""Manual standards: inspectors score only what they inspect, the assessed place adds a
statement, the level above confirms (never the place itself, nor the inspector), a late
change is a new version, and results count the latest confirmed score."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.assessment.models import ManualScore, Node, Result
from xinfeng.assessment.services import manual, schemes
from xinfeng.assessment.services.results import results_compute
from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(tree):
    city_staff = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    s = schemes.default_scheme_build(actor=city_staff, region=tree.city, year=2026)
    inspector = UserFactory(username="inspector")
    manual.inspector_assign(actor=city_staff, scheme=s, user=inspector, region=tree.t1)
    visit = Node.objects.get(scheme=s, code="5.2.1")  # township, visit, yes/no, 5 points
    graded = Node.objects.get(scheme=s, code="1.1.2")  # village, visit, grade, 6 points
    return s, city_staff, inspector, visit, graded


def test_inspectors_score_only_what_they_inspect(tree, setup, owner):
    s, city_staff, inspector, visit, graded = setup
    with pytest.raises(PermissionDenied):
        manual.manual_score_record(
            actor=inspector, scheme=s, node=visit, region=tree.t2, period="2026", done=True
        )
    with pytest.raises(PermissionDenied):
        manual.inspector_assign(actor=owner, scheme=s, user=owner, region=tree.t1)
    with pytest.raises(ValidationFailed):
        manual.manual_score_record(
            actor=inspector, scheme=s, node=visit, region=tree.v1, period="2026", done=True
        )
    with pytest.raises(ValidationFailed):
        manual.manual_score_record(
            actor=inspector, scheme=s, node=graded, region=tree.v1, period="2026"
        )
    auto = Node.objects.get(scheme=s, metric="funding_executed")
    with pytest.raises(ValidationFailed):
        manual.manual_score_record(
            actor=inspector, scheme=s, node=auto, region=tree.t1, period="2026", value=1
        )
    evidence = SimpleUploadedFile("e.pdf", b"%PDF-1.4\n%%EOF", "application/pdf")
    row = manual.manual_score_record(
        actor=inspector,
        scheme=s,
        node=graded,
        region=tree.v1,
        period="2026",
        grade="B",
        evidence=evidence,
    )
    assert row.score == Decimal("3.96") and row.evidence.name.endswith(".pdf")


def test_statement_confirmation_and_versions(tree, setup, owner):
    s, city_staff, inspector, visit, graded = setup
    first = manual.manual_score_record(
        actor=inspector,
        scheme=s,
        node=visit,
        region=tree.t1,
        period="2026",
        done=False,
        note="未见任命文件",
    )
    manual.manual_statement_add(actor=owner, score=first, statement="文件已补报")
    # The township cannot confirm its own score, nor the inspector.
    with pytest.raises(PermissionDenied):
        manual.manual_score_confirm(actor=owner, score=first)
    with pytest.raises(PermissionDenied):
        manual.manual_score_confirm(actor=inspector, score=first)
    manual.manual_score_confirm(actor=city_staff, score=first)
    with pytest.raises(Conflict):
        manual.manual_statement_add(actor=owner, score=first, statement="x")
    results_compute(scheme=s, period_key="2026")
    line = Result.objects.get(region=tree.t1, level="township").lines.get(node=visit)
    assert line.score == 0 and not line.pending
    # A late change: a new version; the confirmed one counts until it is confirmed.
    second = manual.manual_score_record(
        actor=inspector, scheme=s, node=visit, region=tree.t1, period="2026", done=True
    )
    assert second.version == 2 and second.supersedes_id == first.pk
    results_compute(scheme=s, period_key="2026")
    assert Result.objects.get(region=tree.t1, level="township").lines.get(node=visit).score == 0
    manual.manual_score_confirm(actor=city_staff, score=second)
    results_compute(scheme=s, period_key="2026")
    assert Result.objects.get(region=tree.t1, level="township").lines.get(
        node=visit
    ).score == Decimal("5.00")
    assert ManualScore.objects.filter(node=visit, region=tree.t1).count() == 2
    with pytest.raises(Conflict):
        manual.manual_score_confirm(actor=city_staff, score=first)


def test_manual_api_scope(tree, setup, owner, outsider, api_as):
    s, city_staff, inspector, visit, graded = setup
    base = "/api/v1/assessment"
    body = {"node_id": visit.pk, "region_id": tree.t1.pk, "period": "2026", "done": "true"}
    r = api_as(inspector).post(f"{base}/schemes/{s.pk}/manual-scores", body)
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    assert api_as(outsider).post(f"{base}/schemes/{s.pk}/manual-scores", body).status_code == 403
    assert Client().post(f"{base}/schemes/{s.pk}/manual-scores", body).status_code == 401
    # Inspectors see only what they inspect; staff their scope.
    assert [
        x["id"] for x in api_as(inspector).get(f"{base}/schemes/{s.pk}/manual-scores").json()
    ] == [sid]
    assert api_as(outsider).get(f"{base}/schemes/{s.pk}/manual-scores").json() == []
    assert api_as(owner).post(f"{base}/manual-scores/{sid}/confirm").status_code == 403
    assert api_as(outsider).post(f"{base}/manual-scores/{sid}/confirm").status_code == 404
    ok = api_as(owner).post(
        f"{base}/manual-scores/{sid}/statement",
        {"statement": "已整改"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["statement"] == "已整改"
    assert (
        api_as(city_staff).post(f"{base}/manual-scores/{sid}/confirm").json()["status"]
        == "confirmed"
    )

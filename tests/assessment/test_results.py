"""Stored results: computed for every township and village, ranked, the 一把手 named,
each line with figure, target and link; scope from three sides; Excel and PDF."""

from decimal import Decimal

import pytest
from django.test import Client

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.assessment.models import Result
from xinfeng.assessment.services import schemes
from xinfeng.assessment.services.results import results_compute
from xinfeng.places.models import Site

from .test_compute import seeded  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(seeded):  # noqa: F811
    staff = grant(UserFactory(username="city-staff"), Role.CENTER_ADMIN, seeded.city)
    Site.objects.filter(pk=seeded.inst1.pk).update(
        responsible_name="张书记", responsible_title="乡党委书记"
    )
    return schemes.default_scheme_build(actor=staff, region=seeded.city, year=2026)


def test_results_are_computed_ranked_and_named(seeded, scheme):  # noqa: F811
    # 2 townships, 2 villages and the 4 sites below the center (no teams in this world).
    assert results_compute(scheme=scheme, period_key="2026") == 8
    townships = list(Result.objects.filter(level="township").order_by("rank"))
    assert [r.rank for r in townships] == [1, 2]
    assert {r.region_id for r in townships} == {seeded.t1.pk, seeded.t2.pk}
    t1 = Result.objects.get(region=seeded.t1, level="township")
    assert t1.leader == "张书记（乡党委书记）"
    assert t1.max_points == sum(
        n.points for n in scheme.nodes.filter(kind="standard", level="township")
    )
    assert t1.total == sum(line.score for line in t1.lines.all())
    funding = t1.lines.get(node__metric="funding_executed")
    assert funding.figure == Decimal("25.00") and funding.link.startswith("/assessment/funding/")
    assert t1.lines.filter(pending=True).exists()  # manual and not-yet-computed standards
    # Computing again replaces the period's rows.
    results_compute(scheme=scheme, period_key="2026")
    assert Result.objects.filter(scheme=scheme, period="2026").count() == 8


def test_results_three_sides_pages_and_api(seeded, scheme, owner, outsider, api_as):  # noqa: F811
    base = "/api/v1/assessment"
    assert (
        api_as(owner)
        .post(
            f"{base}/schemes/{scheme.pk}/results",
            {"period": "2026"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    city = api_as(grant(UserFactory(), Role.CENTER_ADMIN, seeded.city))
    assert (
        city.post(
            f"{base}/schemes/{scheme.pk}/results",
            {"period": "2026-13"},
            content_type="application/json",
        ).status_code
        == 400
    )
    answer = city.post(
        f"{base}/schemes/{scheme.pk}/results", {"period": "2026"}, content_type="application/json"
    ).json()
    assert answer["places"] == 8 and answer["status"] == "done"
    mine = api_as(owner).get(f"{base}/schemes/{scheme.pk}/results?period=2026").json()
    assert {r["region_id"] for r in mine} == {seeded.t1.pk, seeded.v1.pk}
    t1 = Result.objects.get(region=seeded.t1, level="township")
    detail = api_as(owner).get(f"{base}/results/{t1.pk}").json()
    assert detail["lines"][0]["code"] and detail["trend"] == [
        {"period": "2026", "total": str(t1.total), "rank": t1.rank}
    ]
    assert api_as(outsider).get(f"{base}/results/{t1.pk}").status_code == 404
    assert Client().get(f"{base}/results/{t1.pk}").status_code == 401

    c = Client()
    assert c.get(f"/assessment/results/{t1.pk}/").status_code == 302
    c.force_login(outsider)
    assert c.get(f"/assessment/results/{t1.pk}/").status_code == 404
    assert c.get(f"/assessment/results/{t1.pk}/report.pdf").status_code == 404
    c.force_login(owner)
    page = c.get(f"/assessment/schemes/{scheme.pk}/results/?period=2026")
    assert page.status_code == 200 and "张书记" in page.content.decode()
    detail_page = c.get(f"/assessment/results/{t1.pk}/").content.decode()
    assert "/assessment/funding/" in detail_page and "已入账支出" in detail_page
    pdf = c.get(f"/assessment/results/{t1.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = c.get(f"/assessment/schemes/{scheme.pk}/results.xlsx?period=2026")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert (
        c.post(f"/assessment/schemes/{scheme.pk}/results/compute", {"period": "2026"}).status_code
        == 403
    )

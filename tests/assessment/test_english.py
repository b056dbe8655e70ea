"""The assessment pages in English carry no Chinese beyond the data (names, titles)."""

import re

import pytest

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.assessment.services import schemes
from xinfeng.assessment.services.results import results_compute

from .factories import posted_allocation, posted_budget, posted_expenditure

pytestmark = pytest.mark.django_db


def test_assessment_pages_are_complete_in_english(tree, client):
    posted_budget(tree)
    posted_allocation(tree, tree.t1, amount_fen=100_000)
    posted_expenditure(tree, tree.t1, amount_fen=1000)
    staff = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    s = schemes.default_scheme_build(actor=staff, region=tree.city, year=2026)
    results_compute(scheme=s, period_key="2026")
    from xinfeng.assessment.models import Node, Result
    from xinfeng.assessment.services import manual

    visit = Node.objects.get(scheme=s, code="5.2.1")
    score = manual.manual_score_record(
        actor=staff, scheme=s, node=visit, region=tree.t1, period="2026", done=True
    )
    site_result = Result.objects.filter(scheme=s, site=tree.st1).get()

    r = Result.objects.filter(region=tree.t1).first()
    client.force_login(staff)
    names = {
        tree.city.name,
        tree.t1.name,
        tree.t2.name,
        tree.v1.name,
        tree.v2.name,
        tree.st1.name,
        tree.st2.name,
        tree.inst1.name,
        tree.inst2.name,
        staff.display_name,
        "文具店",
        "活动物资",
        s.title,
    }
    names |= set(s.nodes.values_list("title", flat=True))
    for url in [
        "/assessment/funding/",
        "/assessment/",
        f"/assessment/schemes/{s.pk}/",
        f"/assessment/schemes/{s.pk}/results/?period=2026",
        f"/assessment/results/{r.pk}/",
        f"/assessment/schemes/{s.pk}/results/?period=2026&level=site",
        f"/assessment/schemes/{s.pk}/results/?period=2026&level=team&q=x",
        f"/assessment/results/{site_result.pk}/",
        f"/assessment/schemes/{s.pk}/manual/",
        f"/assessment/schemes/{s.pk}/manual/?status=confirmed",
        f"/assessment/schemes/{s.pk}/manual/units/?level=village",
        f"/assessment/schemes/{s.pk}/manual/new?level=village&region={tree.v1.pk}",
        f"/assessment/manual/{score.pk}/",
    ]:
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        main = html.split("<main", 1)[-1].split("</main>", 1)[0]
        for n in sorted(names, key=len, reverse=True):
            main = main.replace(n, "")
        main = re.sub(r"<option[^>]*>[^<]*</option>", "", main)
        assert re.findall(r"[\u4e00-\u9fff]+", main) == [], url

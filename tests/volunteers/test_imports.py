"""Excel import: good rows in, bad rows reported with reasons, a rerun imports nothing
twice, a broken sheet imports nothing; the worker runs it and the page shows progress."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import Workbook, load_workbook

from tests.volunteers.factories import make_id
from xinfeng.core.models import AuditEvent
from xinfeng.volunteers.models import Volunteer, VolunteerImport
from xinfeng.volunteers.services.imports import COLUMNS


def sheet(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([str(label) for _f, label, _r in COLUMNS])
    fields = [f for f, _l, _r in COLUMNS]
    for row in rows:
        ws.append([row.get(f, "") for f in fields])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD_1 = {
    "name": "张建华",
    "id_number": make_id(seq=11),
    "phone": "13900000011",
    "privacy_consent": "是",
}
GOOD_2 = {
    "name": "刘晓梅",
    "id_number": make_id(seq=22),
    "phone": "13900000022",
    "region_code": "360482201200",
    "political_status": "中共党员",
    "skills": "急救、摄影",
    "privacy_consent": "是",
}
BAD_ROWS = [
    {
        "name": "校验错",
        "id_number": make_id(seq=33)[:-1] + ("0" if make_id(seq=33)[-1] != "0" else "1"),
        "phone": "13900000033",
        "privacy_consent": "是",
    },
    {"name": "电话错", "id_number": make_id(seq=44), "phone": "12345", "privacy_consent": "是"},
    {
        "name": "未同意",
        "id_number": make_id(seq=55),
        "phone": "13900000055",
        "privacy_consent": "否",
    },
    {
        "name": "重复行",
        "id_number": make_id(seq=11),
        "phone": "13900000066",
        "privacy_consent": "是",
    },
    {
        "name": "区划外",
        "id_number": make_id(seq=77),
        "phone": "13900000077",
        "region_code": "360482101201",
        "privacy_consent": "是",
    },
]


# The worker closes its database connection between rounds, as it must in production;
# on PostgreSQL that would end a test's wrapping transaction, so tests running it commit.
WORKER = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--queue-name",
        "*",
        "--max-tasks",
        "10",
        verbosity=0,
    )


@pytest.fixture
def staff_client(owner):
    c = Client()
    c.force_login(owner)
    return c


def _upload(staff_client, tree, content, capture):
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("志愿者.xlsx", content)
    with capture(execute=True):
        r = staff_client.post("/volunteers/manage/imports/", {"region": tree.t1.pk, "file": f})
    assert r.status_code == 302, r.content.decode()[:500]
    return VolunteerImport.objects.order_by("-id").first()


@WORKER
def test_good_rows_in_bad_rows_reported_rerun_imports_nothing(
    tree, owner, staff_client, django_capture_on_commit_callbacks
):
    content = sheet([GOOD_1, *BAD_ROWS, GOOD_2])
    job = _upload(staff_client, tree, content, django_capture_on_commit_callbacks)
    page = staff_client.get(f"/volunteers/manage/imports/{job.pk}/")
    assert "排队中" in page.content.decode()
    run_worker()
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert (job.created_count, job.rejected_count, job.total_rows) == (2, 5, 7)
    assert job.content_encrypted == ""  # the sheet is not kept
    names = set(Volunteer.objects.values_list("name", flat=True))
    assert names == {"张建华", "刘晓梅"}
    liu = Volunteer.objects.get(name="刘晓梅")
    assert liu.home_region == tree.v1 and liu.political_status == "party_member"
    assert liu.registration_channel == "import" and liu.number.startswith("ZY")
    assert Volunteer.objects.get(name="张建华").home_region == tree.t1

    progress = staff_client.get(f"/volunteers/manage/imports/{job.pk}/?partial=1").content.decode()
    assert "导入 2 名志愿者，5 行未导入" in progress and "hx-trigger" not in progress

    r = staff_client.get(f"/volunteers/manage/imports/{job.pk}/?download=rejected")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    reasons = {row[2]: row[1] for row in rows[1:]}  # name column follows row/reason
    assert "校验位" in reasons["校验错"]
    assert "手机号码" in reasons["电话错"]
    assert "个人信息保护声明" in reasons["未同意"]
    assert "第 2 行" in reasons["重复行"]
    assert "360482101201" in reasons["区划外"]
    assert AuditEvent.objects.filter(action="import_rejects_downloaded").count() == 1

    # Same sheet again: nothing is imported twice.
    job2 = _upload(staff_client, tree, content, django_capture_on_commit_callbacks)
    run_worker()
    job2.refresh_from_db()
    assert (job2.created_count, job2.rejected_count) == (0, 7)
    assert Volunteer.objects.count() == 2
    _h, rows2 = __import__("xinfeng.volunteers.services.imports", fromlist=["x"]).rejected_rows(
        job2
    )
    assert any("未重复导入" in r["reason"] for r in rows2)


@WORKER
def test_sheet_without_required_columns_imports_nothing(
    tree, staff_client, django_capture_on_commit_callbacks
):
    wb = Workbook()
    wb.active.append(["名字", "电话"])
    wb.active.append(["张三", "13900000000"])
    out = io.BytesIO()
    wb.save(out)
    job = _upload(staff_client, tree, out.getvalue(), django_capture_on_commit_callbacks)
    run_worker()
    job.refresh_from_db()
    assert job.status == "failed" and "缺少必填列" in job.error
    assert not Volunteer.objects.exists()


def test_failure_midway_leaves_nothing_half_imported(tree, owner):
    """The database refuses a row in the second insert batch (its volunteer number is
    taken): the first batch, already written, is rolled back with it."""
    from django.utils import timezone

    from tests.volunteers.factories import VolunteerFactory
    from xinfeng.volunteers.services import imports

    year = timezone.localdate().year
    VolunteerFactory(home_region=tree.v1, number=f"ZY{year}000550")  # entered by hand earlier
    rows = [
        {
            "name": f"志愿者{i}",
            "id_number": make_id(seq=i),
            "phone": f"139{i:08d}",
            "privacy_consent": "是",
        }
        for i in range(1, 561)
    ]
    job = imports.import_create(
        actor=owner, region=tree.t1, file_name="x.xlsx", content=sheet(rows)
    )
    imports.import_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.created_count == 0
    assert Volunteer.objects.count() == 1  # only the one entered by hand


def test_not_an_excel_file_is_400(tree, staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = staff_client.post(
        "/volunteers/manage/imports/",
        {"region": tree.t1.pk, "file": SimpleUploadedFile("a.xlsx", b"hello")},
    )
    assert r.status_code == 400
    assert "Excel" in r.content.decode()


@WORKER
def test_import_api_scoped(tree, owner, outsider, api_as, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = api_as(outsider).post(
        "/api/v1/volunteers/imports",
        {"region_id": tree.t1.pk, "file": SimpleUploadedFile("a.xlsx", sheet([GOOD_1]))},
    )
    assert r.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        r = api_as(owner).post(
            "/api/v1/volunteers/imports",
            {"region_id": tree.t1.pk, "file": SimpleUploadedFile("a.xlsx", sheet([GOOD_1]))},
        )
    assert r.status_code == 201, r.content
    run_worker()
    job_id = r.json()["id"]
    got = api_as(owner).get(f"/api/v1/volunteers/imports/{job_id}").json()
    assert got["status"] == "done" and got["percent"] == 100 and got["created_count"] == 1
    assert api_as(outsider).get(f"/api/v1/volunteers/imports/{job_id}").status_code == 404


def test_template_downloads(staff_client):
    r = staff_client.get("/volunteers/manage/imports/template.xlsx")
    header = next(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert header[0] == "姓名*" and "证件号码*" in header

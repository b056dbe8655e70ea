"""Certificates: a numbered Chinese PDF (rendered with pdftoppm, text read with pdftotext),
its QR payload leading to the public verification page, and revocation."""

import json
import shutil
import subprocess

import pytest
import segno
from django.test import Client
from PIL import Image

from tests.factories import UserFactory
from tests.volunteers.factories import TeamFactory, VolunteerFactory, credit
from xinfeng.volunteers.models import Certificate
from xinfeng.volunteers.services.certificates import certificate_issue, verify_url


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def served(tree):
    v = VolunteerFactory(home_region=tree.v1, name="王小明", user=UserFactory())
    team = TeamFactory(home_site=tree.st1, name="水口村志愿服务队")
    credit(v, tree.v1, hours=3, days_ago=10, team=team, description="关爱留守儿童")
    credit(v, tree.v1, hours=2.5, days_ago=5, team=team, description="文明劝导")
    credit(v, tree.v2, hours=4, days_ago=4)  # served elsewhere: not the issuer's to certify
    return v


def test_issue_snapshot_counts_issuer_region_only(served, tree, owner, api_as):
    r = post(
        api_as(owner),
        "/api/v1/volunteers/certificates",
        {"volunteer_id": served.pk, "site_id": tree.inst1.pk},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"].startswith("ZM") and body["hours"] == "5.50"
    assert body["record_count"] == 2
    assert "水口村志愿服务队" in body["summary"]


def test_issue_outside_scope_or_with_nothing_to_certify(served, tree, outsider, owner, api_as):
    data = {"volunteer_id": served.pk, "site_id": tree.inst1.pk}
    assert post(api_as(outsider), "/api/v1/volunteers/certificates", data).status_code == 403
    fresh = VolunteerFactory(home_region=tree.v1)
    data = {"volunteer_id": fresh.pk, "site_id": tree.inst1.pk}
    r = post(api_as(owner), "/api/v1/volunteers/certificates", data)
    assert r.status_code == 400 and r.json()["code"] == "nothing_to_certify"
    data["period_end"] = "2999-01-01"  # outside the record window (core.validation.RECORD)
    assert post(api_as(owner), "/api/v1/volunteers/certificates", data).status_code == 422


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_pdf_is_chinese_with_embedded_font_and_renders(served, tree, owner, tmp_path):
    cert = certificate_issue(actor=owner, volunteer=served, issuer_site=tree.inst1)
    client = Client()
    client.force_login(served.user)
    r = client.get(f"/volunteers/certificates/{cert.pk}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(r.content)

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    squashed = "".join(text.split())
    assert "志愿服务证明" in squashed
    assert "王小明" in squashed and served.number in squashed
    assert cert.number in squashed and "5.50" in squashed
    assert "苏家垱乡实践所" in squashed

    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and " yes " in cjk[0]  # embedded

    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    img = Image.open(png).convert("L")
    dark = sum(img.histogram()[:128])
    assert dark > 0.01 * img.width * img.height  # text, frame and QR code were drawn

    # Downloaded again: the stored PDF, byte for byte.
    assert client.get(f"/volunteers/certificates/{cert.pk}.pdf").content == r.content
    # Someone else's certificate answers 404.
    other = Client()
    other.force_login(UserFactory())
    assert other.get(f"/volunteers/certificates/{cert.pk}.pdf").status_code == 404


def test_qr_payload_leads_to_verify_page_with_masked_name(served, tree, owner):
    cert = certificate_issue(actor=owner, volunteer=served, issuer_site=tree.inst1)
    payload = verify_url(cert, "http://testserver/")
    qr = segno.make(payload, error="m")
    assert qr.designator  # the payload fits a QR code
    assert payload == f"http://testserver/verify/{cert.number}"
    r = Client().get(payload.removeprefix("http://testserver"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "王*明" in html and "王小明" not in html
    assert cert.number in html and served.number in html and "5.5" in html
    assert "有效" in html


def test_revoked_certificate_says_so(served, tree, owner, outsider, api_as):
    cert = certificate_issue(actor=owner, volunteer=served, issuer_site=tree.inst1)
    url = f"/api/v1/volunteers/certificates/{cert.pk}/revoke"
    assert post(api_as(outsider), url, {"reason": "x"}).status_code == 404
    assert post(api_as(owner), url, {"reason": ""}).status_code == 400
    assert post(api_as(owner), url, {"reason": "时长录入错误"}).status_code == 200
    assert post(api_as(owner), url, {"reason": "again"}).status_code == 409
    html = Client().get(f"/verify/{cert.number}").content.decode()
    assert "已撤销" in html and "时长录入错误" in html
    api = Client().get(f"/api/v1/volunteers/verify/{cert.number}").json()
    assert api["status"] == "revoked" and api["volunteer_name"] == "王*明"
    assert Certificate.objects.get().revoked_by == owner


def test_unknown_certificate_number_is_404(db):
    r = Client().get("/verify/ZM2024999999")
    assert r.status_code == 404
    assert "没有编号为" in r.content.decode()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)")
def test_each_pdf_of_a_process_draws_with_its_own_glyphs(tree, owner, tmp_path):
    """Two certificates with different characters, made one after the other in one process,
    both read back right: every embedded subset is its own face (ReportLab keeps one font
    per face name, so a second subset under the first one's name drew with its glyphs)."""
    texts = []
    for i, name in enumerate(["王小明", "欧阳翠鹂"]):
        v = VolunteerFactory(home_region=tree.v1, name=name, user=UserFactory())
        team = TeamFactory(home_site=tree.inst1)
        credit(v, tree.v1, team=team, hours=2)
        cert = certificate_issue(actor=owner, volunteer=v, issuer_site=tree.inst1)
        client = Client()
        client.force_login(v.user)
        pdf = tmp_path / f"c{i}.pdf"
        pdf.write_bytes(client.get(f"/volunteers/certificates/{cert.pk}.pdf").content)
        out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
        texts.append("".join(out.stdout.split()))
    assert "王小明" in texts[0] and "志愿服务证明" in texts[0]
    assert "欧阳翠鹂" in texts[1] and "志愿服务证明" in texts[1]

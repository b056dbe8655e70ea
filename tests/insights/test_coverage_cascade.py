"""The 15-minute-circle page picks its region with the places cascade: the chain to the
chosen region and one parent's children per select; junk ids fall back to the top region."""

import re

import pytest


def cascade(html: str) -> list[tuple[str, list[str]]]:
    out = []
    for sel_id, body in re.findall(
        r'<select id="(cov-region[-\d]*)" name="region".*?>(.*?)</select>', html, re.S
    ):
        label = re.search(rf'<label for="{sel_id}">([^<]*)</label>', html).group(1)
        out.append((label, re.findall(r"<option [^>]*>([^<]*)</option>", body)))
    return out


def selected(html: str) -> list[str]:
    return re.findall(r'<option value="\d+" selected>([^<]*)</option>', html)


def test_coverage_cascade_shows_the_chain_and_siblings_only(client, tree):
    html = client.get("/insights/coverage/", {"region": tree.v2.pk}).content.decode()
    assert cascade(html) == [
        ("乡镇/街道", ["全部", "苏家垱乡", "江益镇"]),
        ("村/社区", ["全部", "江益村"]),  # not 水口村 of the other township
    ]
    assert selected(html) == ["江益镇", "江益村"]
    assert "15分钟文明实践圈 · 江益村" in html


@pytest.mark.parametrize("value", ["abc", "99999999", "123456789012345678901", "-5"])
def test_junk_region_falls_back_to_the_top_region(client, tree, value):
    response = client.get("/insights/coverage/", {"region": value})
    assert response.status_code == 200
    html = response.content.decode()
    assert "15分钟文明实践圈 · 共青城市" in html
    assert cascade(html) == [("乡镇/街道", ["全部", "苏家垱乡", "江益镇"])]


def test_coverage_cascade_in_english(client, tree):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/insights/coverage/", {"region": tree.t1.pk}).content.decode()
    assert ">Region</legend>" in html
    assert cascade(html) == [
        ("Township / street", ["All", "苏家垱乡", "江益镇"]),
        ("Village / community", ["All", "水口村"]),
    ]

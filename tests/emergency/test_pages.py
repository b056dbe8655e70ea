"""Pages: declare from the form, the incident page and its forms, the banner for staff of
the affected area only, the board fragment htmx polls, the answer page without signing
in, the station pages, the roster page, sitrep files; English without Chinese UI text."""

import re

from django.test import Client

from xinfeng.emergency.models import CalloutRecipient, Incident, Station
from xinfeng.emergency.services.callouts import (
    answer_token,
    callout_answer,
    callout_create,
    callout_send,
)
from xinfeng.emergency.services.sitreps import sitrep_create


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_declare_from_the_form(ew):
    c = _client(ew.owner)
    page = c.get("/emergency/new/")
    assert page.status_code == 200
    bad = c.post(
        "/emergency/new/", {"title": "x", "kind": "flood", "level": 2, "region": ew.tree.t1.pk}
    )
    assert bad.status_code == 400
    r = c.post(
        "/emergency/new/",
        {
            "title": "水口村洪涝",
            "kind": "flood",
            "level": 2,
            "region": ew.tree.t1.pk,
            "affected_regions": [ew.tree.v1.pk],
        },
    )
    inc = Incident.objects.get(title="水口村洪涝")
    assert r.status_code == 302 and r["Location"] == f"/emergency/{inc.pk}/"
    # a station operator may declare nowhere: the page refuses (and the list offers no link)
    assert _client(ew.operator).get("/emergency/new/").status_code == 403
    assert b"/emergency/new/" not in _client(ew.operator).get("/emergency/").content


def test_banner_shows_to_staff_of_the_affected_area_only(ew, flood):
    assert b"data-emergency-banner" in _client(ew.operator).get("/emergency/").content
    assert b"data-emergency-banner" in _client(ew.owner).get("/notifications/").content
    assert b"data-emergency-banner" not in _client(ew.outsider).get("/emergency/").content
    assert b"data-emergency-banner" not in Client().get("/").content
    dashboard = _client(ew.owner).get("/insights/", follow=True)
    assert dashboard.status_code == 200 and b"data-emergency-banner" in dashboard.content


def test_incident_page_forms_and_out_of_scope(ew, flood):
    c = _client(ew.owner)
    assert c.get(f"/emergency/{flood.pk}/").status_code == 200
    assert _client(ew.outsider).get(f"/emergency/{flood.pk}/").status_code == 404
    r = c.post(
        f"/emergency/{flood.pk}/",
        {
            "form": "callout",
            "callout-title": "潜水",
            "callout-skills": ["diving"],
            "callout-escalate_after_minutes": 15,
        },
    )
    assert r.status_code == 400 and "没有符合条件的召集对象" in r.content.decode()
    r = c.post(
        f"/emergency/{flood.pk}/",
        {
            "form": "callout",
            "callout-title": "抢险",
            "callout-teams": [ew.rescue.pk],
            "callout-risky": "on",
            "callout-escalate_after_minutes": 15,
        },
    )
    assert r.status_code == 302 and "/emergency/callouts/" in r["Location"]
    r = c.post(
        f"/emergency/{flood.pk}/",
        {"form": "station", "station-name": "安置点分站", "station-region": ew.tree.v1.pk},
    )
    station = Station.objects.get(incident=flood)
    assert r["Location"] == f"/emergency/stations/{station.pk}/"
    assert c.get(r["Location"]).status_code == 200
    qr = c.get(f"/emergency/stations/{station.pk}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert _client(ew.outsider).get(f"/emergency/stations/{station.pk}/qr.svg").status_code == 404
    rep = sitrep_create(actor=ew.owner, incident=flood, text="")
    pdf = c.get(f"/emergency/sitreps/{rep.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert c.get(f"/emergency/sitreps/{rep.pk}.xlsx").status_code == 200
    assert c.get(f"/emergency/sitreps/{rep.pk}.exe").status_code == 404
    assert _client(ew.outsider).get(f"/emergency/sitreps/{rep.pk}.pdf").status_code == 404


def test_board_and_answer_pages(ew, flood):
    co = callout_create(actor=ew.owner, incident=flood, title="抢险", teams=[ew.rescue])
    callout_send(co.pk)
    row = CalloutRecipient.objects.get(callout=co, volunteer=ew.a)
    phone = Client()
    page = phone.get(f"/emergency/a/{answer_token(row.pk)}/")
    assert page.status_code == 200 and "抢险" in page.content.decode()
    r = phone.post(f"/emergency/a/{answer_token(row.pk)}/", {"answer": "coming"})
    assert r.status_code == 200
    assert phone.get("/emergency/a/1:forged/").status_code == 404
    frag = _client(ew.owner).get(f"/emergency/callouts/{co.pk}/board/").content.decode()
    assert re.search(r'data-count="coming">1<', frag)
    assert "<html" not in frag
    board = _client(ew.owner).get(f"/emergency/callouts/{co.pk}/").content.decode()
    assert 'hx-trigger="every 3s"' in board
    assert _client(ew.outsider).get(f"/emergency/callouts/{co.pk}/board/").status_code == 404


def test_board_lists_latest_answers_first_then_the_rest_in_roster_order(ew, flood):
    co = callout_create(actor=ew.owner, incident=flood, title="抢险", teams=[ew.rescue])
    callout_send(co.pk)
    rows = list(CalloutRecipient.objects.filter(callout=co).order_by("rank"))
    last, first = rows[2], rows[1]
    callout_answer(recipient=first, answer="coming")
    callout_answer(recipient=last, answer="declined")  # the latest answer
    frag = _client(ew.owner).get(f"/emergency/callouts/{co.pk}/board/").content.decode()
    names = re.findall(r'<span class="list-title">([^<]+)', frag)
    assert [n.strip() for n in names] == [
        last.volunteer.name,
        first.volunteer.name,
        rows[0].volunteer.name,  # no answer yet: after every answer
    ]
    # Each not-yet-arrived person has a working 到达 button (its own form and link).
    r = _client(ew.owner).post(f"/emergency/callouts/{co.pk}/arrived/{rows[0].pk}/")
    assert r.status_code == 302
    assert f'action="/emergency/callouts/{co.pk}/arrived/{last.pk}/"' in frag
    frag = _client(ew.owner).get(f"/emergency/callouts/{co.pk}/board/").content.decode()
    assert f"/arrived/{rows[0].pk}/" not in frag and re.search(r'data-count="arrived">1<', frag)


def test_roster_and_me_pages(ew):
    leader = _client(ew.leader.user)
    assert leader.get(f"/emergency/teams/{ew.rescue.pk}/roster/").status_code == 200
    r = leader.post(
        f"/emergency/teams/{ew.rescue.pk}/roster/",
        {
            "name": "全天",
            "weekdays": ["0", "1"],
            "start_time": "08:00",
            "end_time": "08:00",
            "members": [ew.a.pk],
        },
    )
    assert r.status_code == 302
    r = leader.post(
        f"/emergency/teams/{ew.rescue.pk}/roster/",
        {"name": "重叠", "weekdays": ["1"], "start_time": "09:00", "end_time": "10:00"},
    )
    assert r.status_code == 400 and "重叠" in r.content.decode()
    assert _client(ew.a.user).get(f"/emergency/teams/{ew.rescue.pk}/roster/").status_code == 403
    roster_link = f"/emergency/teams/{ew.rescue.pk}/roster/".encode()
    assert roster_link in leader.get("/emergency/").content
    assert roster_link not in _client(ew.a.user).get("/emergency/").content
    me = _client(ew.a.user)
    assert me.get("/emergency/me/").status_code == 200
    r = me.post(
        "/emergency/me/", {"form": "profile", "skills": ["drone"], "home_village": ew.tree.v1.pk}
    )
    assert r.status_code == 302


def test_english_pages_have_no_chinese_ui(ew, flood):
    from xinfeng.emergency.services.needs import need_create
    from xinfeng.emergency.services.stations import station_open

    c = _client(ew.owner)
    co = callout_create(actor=ew.owner, incident=flood, title="抢险", teams=[ew.rescue])
    callout_send(co.pk)
    row = CalloutRecipient.objects.get(callout=co, volunteer=ew.a)
    station = station_open(actor=ew.owner, incident=flood, name="分站", region=ew.tree.v1)
    need_create(actor=ew.owner, incident=flood, title="巡堤", region=ew.tree.v1, places=2)
    sitrep_create(actor=ew.owner, incident=flood)
    pages = [
        (c, "/emergency/"),
        (c, f"/emergency/{flood.pk}/"),
        (c, "/emergency/new/"),
        (c, f"/emergency/callouts/{co.pk}/"),
        (c, f"/emergency/stations/{station.pk}/"),
        (Client(), f"/emergency/a/{answer_token(row.pk)}/"),
        (_client(ew.leader.user), f"/emergency/teams/{ew.rescue.pk}/roster/"),
        (_client(ew.a.user), "/emergency/me/"),
        (_client(ew.a.user), "/emergency/"),
        (_client(ew.a.user), f"/emergency/s/{station.checkin_token}/"),
    ]
    for who, url in pages:
        html = who.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        text = re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1])
        for user_text in (
            "苏家垱乡洪涝",
            "苏家垱乡",
            "水口村防汛队",
            "水口村",
            "江益镇",
            "江益村",
            "共青城市",
            "蓝天救援队",
            "抢险",
            "分站",
            "巡堤",
            "张三",
            "李四",
            "王五",
            "小明",
            "队长",
            "中文",
        ):
            text = text.replace(user_text, "")
        text = re.sub(r"用户\d+", "", text)  # people's names are user content
        leftover = re.findall(r"[\u4e00-\u9fff]+", text)
        assert not leftover, (url, leftover[:20])

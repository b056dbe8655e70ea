"""Situation reports (numbered, figures from the data, PDF and Excel) and the public CAP
1.2 feed, validated against the OASIS CAP 1.2 schema shipped with the tests."""

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from xinfeng.core.spreadsheet import read_xlsx_rows
from xinfeng.emergency.cap import CAP_NS
from xinfeng.emergency.services.callouts import callout_answer, callout_create, callout_send
from xinfeng.emergency.services.incidents import incident_declare, notice_publish
from xinfeng.emergency.services.needs import need_create
from xinfeng.emergency.services.sitreps import sitrep_create, sitrep_pdf, sitrep_xlsx

SCHEMA = Path(__file__).parent / "CAP-v1.2.xsd"


def test_sitreps_are_numbered_with_figures_from_the_data(ew, flood):
    c = callout_create(actor=ew.owner, incident=flood, title="抢险", teams=[ew.rescue])
    callout_send(c.pk)
    callout_answer(recipient=c.recipients.get(volunteer=ew.a), answer="coming")
    need_create(actor=ew.owner, incident=flood, title="巡堤", region=ew.tree.v1, places=4)
    r1 = sitrep_create(actor=ew.owner, incident=flood, text="水位上涨")
    r2 = sitrep_create(actor=ew.owner, incident=flood)
    assert (r1.number, r2.number) == (1, 2)
    assert r1.figures["people_called"] == 3 and r1.figures["coming"] == 1
    assert r1.figures["tasks_open"] == 1 and r1.figures["task_places"] == 4
    assert sitrep_pdf(r1).startswith(b"%PDF")
    rows = list(read_xlsx_rows(sitrep_xlsx(r1)))
    assert "第 1 期" in rows[0][0] and ("已召集人数", 3) in rows


def _alerts(client):
    feed = client.get("/emergency/cap.xml")
    assert feed.status_code == 200
    root = ET.fromstring(feed.content)
    return feed, root.findall(f".//{{{CAP_NS}}}alert")


def test_cap_feed_marks_drills_as_exercise(client, ew, flood):
    drill = incident_declare(
        actor=ew.owner,
        region=ew.tree.t1,
        title="防汛演练",
        kind="flood",
        level=4,
        affected_regions=[ew.tree.v1],
        is_exercise=True,
    )
    notice_publish(
        actor=ew.owner,
        incident=flood,
        headline="水口村转移",
        description="请转移",
        instruction="前往安置点",
    )
    notice_publish(actor=ew.owner, incident=drill, headline="演练通知", description="演练")
    _feed, alerts = _alerts(client)
    status = sorted(a.find(f"{{{CAP_NS}}}status").text for a in alerts)
    assert status == ["Actual", "Exercise"]


def test_cap_alerts_validate_against_the_cap_1_2_schema(client, ew, flood):
    lxml = pytest.importorskip("lxml.etree", reason="lxml validates XML schemas")
    if not SCHEMA.exists():
        pytest.fail("the CAP 1.2 schema must ship with the tests")
    schema = lxml.XMLSchema(lxml.parse(str(SCHEMA)))
    n = notice_publish(
        actor=ew.owner,
        incident=flood,
        headline="水口村转移",
        description="请转移",
        instruction="前往安置点",
    )
    _feed, alerts = _alerts(client)
    assert alerts
    for alert in alerts:
        doc = lxml.fromstring(ET.tostring(alert))
        assert schema.validate(doc), schema.error_log
    one = client.get(f"/emergency/cap/{n.identifier}.xml")
    assert one.status_code == 200 and one["Content-Type"].startswith("application/cap+xml")
    assert schema.validate(lxml.fromstring(one.content)), schema.error_log

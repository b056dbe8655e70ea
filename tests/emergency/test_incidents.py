"""Declaring and closing incidents: who may, where, the timeline, and what closes with it."""

import pytest

from xinfeng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xinfeng.emergency import selectors
from xinfeng.emergency.choices import IncidentAction, NeedStatus
from xinfeng.emergency.services.callouts import callout_create
from xinfeng.emergency.services.incidents import (
    incident_close,
    incident_declare,
    incident_set_level,
)
from xinfeng.emergency.services.needs import need_create


def _declare(actor, region, affected, **kw):
    return incident_declare(
        actor=actor,
        region=region,
        title="洪涝",
        kind="flood",
        level=2,
        affected_regions=affected,
        **kw,
    )


def test_institute_declares_for_its_township_with_a_timeline(ew, flood):
    assert flood.is_open and flood.declared_by == ew.owner
    assert [e.action for e in flood.events.all()] == [IncidentAction.DECLARE]
    assert "水口村" in flood.events.get().note


def test_institute_may_not_declare_for_the_city_or_another_township(ew):
    with pytest.raises(PermissionDenied):
        _declare(ew.owner, ew.tree.city, [ew.tree.v1])
    with pytest.raises(PermissionDenied):
        _declare(ew.owner, ew.tree.t2, [ew.tree.v2])


def test_station_operator_may_not_declare_even_its_village(ew):
    with pytest.raises(PermissionDenied) as exc:
        _declare(ew.operator, ew.tree.v1, [ew.tree.v1])
    assert exc.value.code == "not_declarer"


def test_a_city_incident_shows_to_the_staff_of_the_affected_village_only(ew):
    inc = _declare(ew.center_admin, ew.tree.city, [ew.tree.v1])
    assert selectors.open_incidents_for(ew.owner) == [inc]  # 苏家垱乡 holds 水口村
    assert selectors.open_incidents_for(ew.operator) == [inc]
    assert selectors.open_incidents_for(ew.outsider) == []


def test_center_declares_city_incident_affecting_both_townships(ew):
    inc = _declare(ew.center_admin, ew.tree.city, [ew.tree.t1, ew.tree.t2], is_exercise=True)
    assert inc.is_exercise and inc.affected_regions.count() == 2


def test_affected_regions_must_lie_inside_and_exist(ew):
    with pytest.raises(ValidationFailed) as exc:
        _declare(ew.owner, ew.tree.t1, [ew.tree.v2])
    assert exc.value.code == "affected_outside"
    with pytest.raises(ValidationFailed):
        _declare(ew.owner, ew.tree.t1, [])


def test_who_reads_an_incident(ew, flood):
    assert selectors.incident_get(user=ew.owner, pk=flood.pk) == flood
    assert selectors.incident_get(user=ew.center_admin, pk=flood.pk) == flood
    # the village's station operator works inside the affected area
    assert selectors.incident_get(user=ew.operator, pk=flood.pk) == flood
    with pytest.raises(NotFound):
        selectors.incident_get(user=ew.outsider, pk=flood.pk)
    assert selectors.open_incidents_for(ew.outsider) == []
    assert selectors.open_incidents_for(ew.operator) == [flood]


def test_level_change_and_close_close_everything_under_it(ew, flood):
    incident_set_level(actor=ew.owner, incident=flood, level=1)
    need = need_create(actor=ew.owner, incident=flood, title="巡堤", region=ew.tree.v1, places=3)
    callout = callout_create(actor=ew.owner, incident=flood, title="集合", teams=[ew.rescue])
    incident_close(actor=ew.owner, incident=flood, note="水退")
    flood.refresh_from_db()
    need.refresh_from_db()
    callout.refresh_from_db()
    assert not flood.is_open and flood.closed_by == ew.owner
    assert need.status == NeedStatus.CLOSED and callout.status == "closed"
    actions = list(flood.events.values_list("action", flat=True))
    assert actions[0] == "declare" and actions[-1] == "close" and "level" in actions
    with pytest.raises(Conflict):
        incident_close(actor=ew.owner, incident=flood)


def test_operator_cannot_close(ew, flood):
    with pytest.raises(PermissionDenied):
        incident_close(actor=ew.operator, incident=flood)

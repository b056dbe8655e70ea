"""Temporary stations: opened at a resettlement point (a TEMPORARY site with an active
period), services as activities, check-in/out credits emergency hours (nothing below the
minimum), closed stations refuse check-ins, the station closes with the incident."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from xinfeng.activities.models import Activity
from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed
from xinfeng.emergency.choices import RecipientState
from xinfeng.emergency.models import CalloutRecipient, StationShift
from xinfeng.emergency.services.callouts import callout_create, callout_send
from xinfeng.emergency.services.incidents import incident_close
from xinfeng.emergency.services.stations import (
    station_checkin,
    station_checkout,
    station_close,
    station_open,
    station_service_add,
)
from xinfeng.places.choices import PointKind
from xinfeng.volunteers.models import ServiceRecord


@pytest.fixture
def station(ew, flood):
    return station_open(
        actor=ew.owner,
        incident=flood,
        name="水口村安置点临时分站",
        region=ew.tree.v1,
        address="水口村小学",
        latitude=29.25,
        longitude=115.8,
    )


def test_open_makes_a_temporary_site_with_an_active_period(station):
    site = station.site
    assert site.point_kind == PointKind.TEMPORARY and site.active_from and site.is_open


def test_services_are_activities_at_the_site(ew, station):
    start = timezone.now() + timedelta(hours=2)
    a = station_service_add(
        actor=ew.owner,
        station=station,
        title="露天电影",
        category="culture",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=80,
    )
    assert Activity.objects.get(pk=a.pk).site == station.site


def test_checkin_checkout_credits_emergency_hours(ew, flood, station):
    c = callout_create(actor=ew.owner, incident=flood, title="集合", teams=[ew.rescue])
    callout_send(c.pk)
    shift = station_checkin(
        actor=ew.a.user, station=station, volunteer=ew.a, token=station.checkin_token
    )
    assert CalloutRecipient.objects.get(callout=c, volunteer=ew.a).state == RecipientState.ARRIVED
    with pytest.raises(Conflict):
        station_checkin(
            actor=ew.a.user, station=station, volunteer=ew.a, token=station.checkin_token
        )
    StationShift.objects.filter(pk=shift.pk).update(
        checked_in_at=timezone.now() - timedelta(hours=3)
    )
    shift = station_checkout(
        actor=ew.a.user, station=station, volunteer=ew.a, token=station.checkin_token
    )
    rec = ServiceRecord.objects.get(pk=shift.record_id)
    assert rec.source_type == "emergency" and rec.source_id == station.pk
    assert Decimal("2.9") <= rec.hours <= Decimal("3.1")


def test_a_short_stay_credits_nothing(ew, station):
    station_checkin(actor=ew.owner, station=station, volunteer=ew.b, method="staff")
    shift = station_checkout(actor=ew.owner, station=station, volunteer=ew.b, method="staff")
    assert shift.record_id is None and shift.checked_out_at


def test_wrong_code_other_person_and_closed_station(ew, station):
    with pytest.raises(ValidationFailed):
        station_checkin(actor=ew.a.user, station=station, volunteer=ew.a, token="nope")
    with pytest.raises(PermissionDenied):
        station_checkin(
            actor=ew.a.user, station=station, volunteer=ew.b, token=station.checkin_token
        )
    with pytest.raises(PermissionDenied):
        station_checkin(actor=ew.outsider, station=station, volunteer=ew.b, method="staff")
    station_close(actor=ew.owner, station=station)
    with pytest.raises(Conflict) as exc:
        station_checkin(
            actor=ew.a.user, station=station, volunteer=ew.a, token=station.checkin_token
        )
    assert exc.value.code == "station_closed"


def test_the_station_closes_with_the_incident_and_keeps_its_records(ew, flood, station):
    shift = station_checkin(actor=ew.owner, station=station, volunteer=ew.c, method="staff")
    StationShift.objects.filter(pk=shift.pk).update(
        checked_in_at=timezone.now() - timedelta(hours=2)
    )
    incident_close(actor=ew.owner, incident=flood)
    station.refresh_from_db()
    station.site.refresh_from_db()
    assert station.closed_at and not station.site.is_open
    shift.refresh_from_db()
    assert shift.checked_out_at and shift.record_id


def test_geofence_check_in_needs_consent_and_presence(ew, station):
    with pytest.raises(PermissionDenied) as exc:
        station_checkin(
            actor=ew.a.user,
            station=station,
            volunteer=ew.a,
            method="geofence",
            latitude=29.25,
            longitude=115.8,
        )
    assert exc.value.code == "no_location_consent"
    ew.a.location_consented_at = timezone.now()
    ew.a.save(update_fields=["location_consented_at"])
    with pytest.raises(ValidationFailed) as exc:  # about 1 km away
        station_checkin(
            actor=ew.a.user,
            station=station,
            volunteer=ew.a,
            method="geofence",
            latitude=29.259,
            longitude=115.8,
        )
    assert exc.value.code == "outside_geofence"
    shift = station_checkin(
        actor=ew.a.user,
        station=station,
        volunteer=ew.a,
        method="geofence",
        latitude=29.2505,
        longitude=115.8,
    )
    assert shift.method == "geofence"


def test_residents_at_the_point_can_order_from_the_station_until_it_closes(ew, station, api_as):
    from xinfeng.emergency.services.stations import station_project_add
    from xinfeng.projects.models import Project

    assert station.site.parent == ew.tree.inst1  # under the township's institute
    project = station_project_add(
        actor=ew.owner, station=station, name="心理疏导", category="health"
    )
    assert project.status == "active" and list(project.areas.all()) == [ew.tree.v1]
    project.validate_orderable_at(ew.tree.v1)  # a resident of 水口村 may order it
    r = api_as(ew.owner).post(
        f"/api/v1/emergency/stations/{station.pk}/projects",
        {"name": "理发", "category": "bogus"},
        content_type="application/json",
    )
    assert r.status_code == 422
    with pytest.raises(PermissionDenied):
        station_project_add(actor=ew.outsider, station=station, name="x", category="health")
    station_close(actor=ew.owner, station=station)
    assert Project.objects.get(pk=project.pk).status == "retired"
    with pytest.raises(Conflict):
        station_project_add(actor=ew.owner, station=station, name="x", category="health")

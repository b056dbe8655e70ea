"""The demo step "emergency", on the session's demo city: the 2020 flood in 金湖乡 with its
temporary station, 蓝天救援队's 24-hour rota and 江流村's returnees; the 2020 epidemic in
泽泉乡 with the 红帽子 squads; one open drill."""

from xinfeng.emergency import selectors
from xinfeng.emergency.models import EmergencyProfile, Incident, StandbyShift
from xinfeng.volunteers.models import ServiceRecord


def test_demo_emergency(demo_city):
    flood = Incident.objects.get(title="2020年金湖乡洪涝灾害")
    epidemic = Incident.objects.get(kind="epidemic")
    drill = Incident.objects.get(is_exercise=True)
    assert flood.declared_at.year == 2020 and not flood.is_open
    assert epidemic.region.name == "泽泉乡" and not epidemic.is_open
    assert drill.is_open and drill.region.name == "金湖乡"
    station = flood.stations.get()
    assert station.site.point_kind == "temporary" and station.closed_at
    assert station.site.active_until.year == 2020
    hours = ServiceRecord.objects.filter(source_type="emergency", source_id=station.pk)
    assert hours.count() == station.shifts.count() >= 5
    assert "蓝天救援队" in StandbyShift.objects.first().team.name
    assert StandbyShift.objects.count() == 2
    returnees = EmergencyProfile.objects.filter(home_village__name__startswith="江流村")
    assert returnees.exists()
    assert flood.callouts.filter(recipients__returnee=True).exists()
    assert all(
        "红帽子" in t
        for t in epidemic.callouts.get().recipients.values_list("team__name", flat=True)
    )
    assert flood.sitreps.count() == 2 and flood.notices.exists()
    board = selectors.callout_board(drill.callouts.get())
    assert board["open"] and board["total"]["sent"] == 10 and board["total"]["coming"] == 3
    center = demo_city.ctx.data["users"]["center"]
    assert selectors.open_incidents_for(center) == [drill]

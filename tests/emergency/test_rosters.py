"""Standby rosters: shifts cut the week without overlap, who is on standby now,
unavailability, emergency skills and home village."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from xinfeng.core.errors import PermissionDenied, ValidationFailed
from xinfeng.emergency.services.rosters import (
    on_standby_ids,
    profile_set,
    shift_create,
    shift_intervals,
    unavailability_add,
)

ALL_WEEK = list(range(7))


def test_a_24_7_rota_of_day_and_night_shifts(ew):
    day = shift_create(
        actor=ew.leader.user,
        team=ew.rescue,
        name="白班",
        weekdays=ALL_WEEK,
        start_time=time(8),
        end_time=time(20),
        members=[ew.a],
    )
    night = shift_create(
        actor=ew.center_admin,
        team=ew.rescue,
        name="夜班",
        weekdays=ALL_WEEK,
        start_time=time(20),
        end_time=time(8),
        members=[ew.b],
    )
    covered = sum(
        b - a
        for s in (day, night)
        for a, b in shift_intervals(s.weekdays, s.start_time, s.end_time)
    )
    assert covered == 7 * 24 * 60
    noon = timezone.localtime().replace(hour=12, minute=0)
    midnight = timezone.localtime().replace(hour=23, minute=30)
    assert on_standby_ids([ew.rescue.pk], noon) == {ew.a.pk}
    assert on_standby_ids([ew.rescue.pk], midnight) == {ew.b.pk}


def test_overlapping_shifts_are_refused(ew):
    shift_create(
        actor=ew.center_admin,
        team=ew.rescue,
        name="夜班",
        weekdays=[6],
        start_time=time(20),
        end_time=time(8),
    )
    with pytest.raises(ValidationFailed) as exc:  # Monday 07:00 is still Sunday's night
        shift_create(
            actor=ew.center_admin,
            team=ew.rescue,
            name="早班",
            weekdays=[0],
            start_time=time(7),
            end_time=time(12),
        )
    assert exc.value.code == "shift_overlap"
    shift_create(
        actor=ew.center_admin,
        team=ew.rescue,
        name="早班",
        weekdays=[0],
        start_time=time(8),
        end_time=time(12),
    )


def test_bad_weekdays_and_strangers_are_refused(ew):
    with pytest.raises(ValidationFailed):
        shift_create(
            actor=ew.center_admin,
            team=ew.rescue,
            name="x",
            weekdays=[7],
            start_time=time(8),
            end_time=time(9),
        )
    with pytest.raises(ValidationFailed) as exc:
        shift_create(
            actor=ew.center_admin,
            team=ew.rescue,
            name="x",
            weekdays=[1],
            start_time=time(8),
            end_time=time(9),
            members=[ew.c],
        )
    assert exc.value.code == "not_member"


def test_only_leaders_and_staff_keep_the_roster(ew):
    with pytest.raises(PermissionDenied):
        shift_create(
            actor=ew.a.user,
            team=ew.rescue,
            name="x",
            weekdays=[1],
            start_time=time(8),
            end_time=time(9),
        )
    with pytest.raises(PermissionDenied):
        shift_create(
            actor=ew.outsider,
            team=ew.village_team,
            name="x",
            weekdays=[1],
            start_time=time(8),
            end_time=time(9),
        )


def test_unavailable_people_are_not_on_standby(ew):
    shift_create(
        actor=ew.center_admin,
        team=ew.rescue,
        name="全天",
        weekdays=ALL_WEEK,
        start_time=time(0),
        end_time=time(0),
        members=[ew.a, ew.b],
    )
    now = timezone.now()
    unavailability_add(
        actor=ew.a.user,
        volunteer=ew.a,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
        reason="出差",
    )
    assert on_standby_ids([ew.rescue.pk]) == {ew.b.pk}
    with pytest.raises(ValidationFailed):
        unavailability_add(actor=ew.a.user, volunteer=ew.a, starts_at=now, ends_at=now)
    with pytest.raises(ValidationFailed) as exc:
        unavailability_add(
            actor=ew.a.user, volunteer=ew.a, starts_at=now, ends_at=now.replace(year=now.year + 50)
        )
    assert exc.value.code == "out_of_window"
    with pytest.raises(PermissionDenied):
        unavailability_add(
            actor=ew.c.user, volunteer=ew.a, starts_at=now, ends_at=now + timedelta(hours=1)
        )


def test_skills_and_home_village(ew):
    p = profile_set(
        actor=ew.far.user,
        volunteer=ew.far,
        skills=["drone", "drone", "diving"],
        home_village=ew.tree.v1,
    )
    assert p.skills == ["diving", "drone"] and p.home_village == ew.tree.v1
    with pytest.raises(ValidationFailed):
        profile_set(actor=ew.far.user, volunteer=ew.far, skills=["flying"])
    with pytest.raises(PermissionDenied):
        profile_set(actor=ew.a.user, volunteer=ew.far, skills=["boat"])

"""The demo's volunteers step: 161 teams in the 1+7+N structure, 20,000 volunteer
person-times, caches that agree with the records and the ledger, deterministic per seed."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from xinfeng.demo import volunteers
from xinfeng.volunteers.choices import MembershipRole, ServiceSource, TeamType
from xinfeng.volunteers.models import (
    PointsEntry,
    Redemption,
    ServiceRecord,
    Team,
    TeamMembership,
    Volunteer,
)


def test_volunteers_step(demo_city):
    ctx = demo_city.ctx  # every step of the session's demo city; this one's rows checked
    # The volunteers step's own service records (later steps add records of activities).
    step_records = ServiceRecord.objects.filter(source_type=ServiceSource.OTHER)

    by_type = dict(Team.objects.values_list("team_type").annotate(n=Count("id")))
    assert sum(by_type.values()) == 161
    assert by_type[TeamType.GENERAL] == 1 and by_type[TeamType.SPECIALISED] == 7
    assert by_type[TeamType.VILLAGE] == 69 and by_type[TeamType.DEPARTMENT] == 50
    general = Team.objects.get(team_type=TeamType.GENERAL)
    assert general.home_site == ctx.data["center"]
    assert not Team.objects.exclude(pk=general.pk).filter(parent__isnull=True).exists()
    assert Team.objects.filter(standby_24h=True).count() >= 3

    # 20,000 person-times; every volunteer's caches agree with records and ledger.
    assert step_records.filter(corrects__isnull=True).count() == 20_000
    hours = dict(
        ServiceRecord.objects.values("volunteer")
        .annotate(s=Sum("hours"))
        .values_list("volunteer", "s")
    )
    points = dict(
        PointsEntry.objects.values("volunteer")
        .annotate(s=Sum("delta"))
        .values_list("volunteer", "s")
    )
    for v in Volunteer.objects.all():
        assert Decimal(hours.get(v.pk) or 0).quantize(Decimal("0.01")) == v.total_hours
        assert (points.get(v.pk) or 0) == v.points_balance >= 0
    assert Volunteer.objects.count() == 3600
    assert Redemption.objects.exists()

    # Minors: under-14s have guardian consent, none serves on a 24-hour standby team.
    for v in Volunteer.objects.filter(birth_date__isnull=False):
        if v.age_on() < 14:
            assert v.guardian_consented_at is not None
    standby_minors = [
        m
        for m in TeamMembership.objects.filter(team__standby_24h=True).select_related("volunteer")
        if m.volunteer.is_minor
    ]
    assert standby_minors == []

    # The demo accounts: the volunteer has a profile, the team leader leads the general team.
    users = ctx.data["users"]
    assert Volunteer.objects.get(user=users["volunteer"]).service_records.exists()
    assert (
        TeamMembership.objects.get(team=general, volunteer__user=users["teamleader"]).role
        == MembershipRole.LEADER
    )
    assert len(ctx.data["teams"]) == 161 and len(ctx.data["volunteers"]) == 3600

    # Same seed, same people: drawn again from the step's own generator, the volunteers
    # come out identical (names, phones, ID numbers, homes, birth dates).
    today = timezone.localdate()
    villages = [r for r in ctx.data["regions"].values() if r.level == "village"]
    again = volunteers._volunteers(
        ctx,
        ctx.rng_for("volunteers:people"),
        today,
        volunteers.anchor(today),
        villages,
        [r.population or 1000 for r in villages],
    )
    stored = Volunteer.objects.order_by("id").values_list(
        "name", "phone", "id_number_hash", "home_region_id", "birth_date"
    )
    assert [
        (v.name, v.phone, v.id_number_hash, v.home_region_id, v.birth_date) for v in again
    ] == list(stored)
    # Records are dated from today's midnight, whole days back: none today or later.
    midnight = volunteers.anchor(today)
    assert not step_records.filter(started_at__gte=midnight).exists()

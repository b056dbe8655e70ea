"""Each automatic figure equals an independent count over seeded data (Python over all
rows, not the same query), periods parse, and a standard is scored from its figure."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import ProjectFactory, UserFactory, VolunteerFactory, grant
from tests.orders.factories import make_order
from tests.volunteers.factories import credit
from xinfeng.accounts.choices import Role
from xinfeng.activities.models import Activity
from xinfeng.assessment import compute
from xinfeng.assessment.models import Expenditure, Node
from xinfeng.assessment.services import schemes
from xinfeng.orders.models import FollowUp, OrderRating
from xinfeng.places.models import Site
from xinfeng.volunteers.models import ServiceRecord, Volunteer

from .factories import posted_allocation, posted_budget, posted_expenditure

pytestmark = pytest.mark.django_db
YEAR = compute.parse_period("2026")


def test_periods():
    assert compute.parse_period("2026-Q1") == compute.Period(
        "2026-Q1", date(2026, 1, 1), date(2026, 4, 1)
    )
    assert compute.parse_period("2026-12").end == date(2027, 1, 1)
    assert compute.parse_period("2026-q4").months == 3 and YEAR.months == 12
    for bad in ("2026-13", "2026-Q5", "26", ""):
        with pytest.raises(ValueError):
            compute.parse_period(bad)


def _at(month, day=10):
    return datetime(2026, month, day, 9, tzinfo=UTC)


@pytest.fixture
def seeded(tree):
    for i, (site, month, state) in enumerate(
        [
            (tree.st1, 1, "finished"),
            (tree.st1, 2, "finished"),
            (tree.st1, 3, "cancelled"),
            (tree.st2, 4, "finished"),
            (tree.st1, 5, "finished"),
        ]
    ):
        Activity.objects.create(
            title=f"活动{i}",
            category="theory",
            site=site,
            region=site.region,
            state=state,
            starts_at=_at(month),
            ends_at=_at(month) + timedelta(hours=2),
            capacity=10,
        )
    Activity.objects.create(
        title="去年",
        category="theory",
        site=tree.st1,
        region=tree.v1,
        state="finished",
        starts_at=datetime(2025, 12, 1, tzinfo=UTC),
        ends_at=datetime(2025, 12, 1, 3, tzinfo=UTC),
        capacity=10,
    )
    resident = grant(UserFactory(), Role.RESIDENT, tree.v1)
    for region, site, level, month in [
        (tree.v1, tree.st1, 5, 1),
        (tree.v1, tree.st1, 2, 2),
        (tree.v1, tree.st1, 4, 3),
        (tree.v2, tree.st2, 1, 3),
    ]:
        order = make_order(
            region=region,
            site=site,
            project=ProjectFactory(site=site, region=region),
            requester=resident,
        )
        OrderRating.objects.create(order=order, level=level, created_at=_at(month))
        if level <= 2:
            FollowUp.objects.create(
                order=order,
                site=site,
                region=region,
                opened_at=_at(month),
                status="done" if region == tree.v1 else "open",
            )
    tree.v1.population = 1500
    tree.v1.save()
    tree.t1.population = 3000
    tree.t1.save()
    vols = [VolunteerFactory(home_region=tree.v1) for _ in range(4)] + [
        VolunteerFactory(home_region=tree.v2)
    ]
    credit(vols[0], tree.v1, days_ago=20)
    credit(vols[0], tree.v1, days_ago=30)
    credit(vols[1], tree.v1, days_ago=40)
    credit(vols[4], tree.v2, days_ago=40)
    posted_budget(tree, amount_fen=1_000_000)
    posted_allocation(tree, tree.t1, amount_fen=400_000)
    posted_expenditure(tree, tree.t1, amount_fen=100_000)
    posted_budget(tree, amount_fen=100_000, year=2025)
    posted_allocation(tree, tree.t1, amount_fen=100_000, year=2025)
    posted_expenditure(tree, tree.t1, amount_fen=60_000, year=2025)
    return tree


def _in(obj_region, place):
    return obj_region.path.startswith(place.path)


def test_each_figure_equals_an_independent_count(seeded):
    tree = seeded
    lo, hi = YEAR.bounds()
    for place in (tree.city, tree.t1, tree.v1, tree.t2):
        held = sum(
            1
            for a in Activity.objects.all()
            if _in(a.region, place) and a.state == "finished" and lo <= a.starts_at < hi
        )
        stations = sum(
            1 for s in Site.objects.all() if _in(s.region, place) and s.level == "station"
        )
        f = compute.compute("activities_per_station_month", place, YEAR)
        assert f.numerator == held and f.denominator == stations * 12
        assert f.value == (Decimal(held) / (stations * 12)).quantize(Decimal("0.01"))

        ratings = [
            r
            for r in OrderRating.objects.all()
            if _in(r.order.region, place) and lo <= r.created_at < hi
        ]
        f = compute.compute("satisfaction", place, YEAR)
        assert (f.numerator, f.denominator) == (sum(r.level >= 4 for r in ratings), len(ratings))

        due = [x for x in FollowUp.objects.all() if _in(x.region, place) and lo <= x.opened_at < hi]
        f = compute.compute("follow_ups_done", place, YEAR)
        assert (f.numerator, f.denominator) == (sum(x.status == "done" for x in due), len(due))

        vols = [v for v in Volunteer.objects.all() if _in(v.home_region, place)]
        f = compute.compute("volunteers_per_1000", place, YEAR)
        assert f.numerator == len(vols)

        active = {
            r.volunteer_id
            for r in ServiceRecord.objects.all()
            if _in(r.volunteer.home_region, place) and lo <= r.started_at < hi
        }
        assert compute.compute("active_volunteers", place, YEAR).value == len(active)

        spent = sum(
            e.amount_fen
            for e in Expenditure.objects.all()
            if _in(e.region, place) and e.status == "posted" and e.spent_on.year == 2026
        )
        f = compute.compute("funding_executed", place, YEAR)
        assert f.numerator == spent
    # The figures themselves, for the record.
    assert compute.compute("activities_per_station_month", tree.v1, YEAR).numerator == 3
    assert compute.compute("satisfaction", tree.t1, YEAR).value == Decimal("66.67")
    assert compute.compute("follow_ups_done", tree.city, YEAR).value == Decimal("50.00")
    assert compute.compute("volunteers_per_1000", tree.v1, YEAR).value == Decimal("2.67")
    assert compute.compute("funding_executed", tree.t1, YEAR).value == Decimal("25.00")
    assert compute.compute("nonsense", tree.t1, YEAR) is None


def test_a_standard_is_scored_from_its_figure(seeded):
    tree = seeded
    staff = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    s = schemes.default_scheme_build(actor=staff, region=tree.city, year=2026)
    node = Node.objects.get(scheme=s, metric="funding_executed")
    out = compute.score_standard(node, tree.t1, YEAR)
    # 25 % executed against a 90 % target: 8 × 25/90.
    assert out["figure"] == Decimal("25.00") and out["score"] == Decimal("2.22")
    assert out["link"].startswith("/assessment/funding/") and out["formula"]
    covered = compute.score_standard(
        Node.objects.get(scheme=s, metric="coverage_15min"), tree.t1, YEAR
    )
    # No population points seeded: nothing to cover, a figure of 0 and no points.
    assert covered["figure"] == 0 and covered["score"] == 0
    assert covered["link"].startswith("/insights/coverage/")


def test_on_time_shares_equal_an_independent_count(tree):
    resident = grant(UserFactory(), Role.RESIDENT, tree.v1)
    project = ProjectFactory(site=tree.st1, region=tree.v1)
    hour = timedelta(hours=1)
    due = _at(3)
    cases = [  # (reviewed_at, review_due_at)
        (due - hour, due),
        (due + hour, due),
        (None, due),
        (due, due),
        (None, datetime(2027, 1, 5, tzinfo=UTC)),  # not yet due: left out
        (due - hour, datetime(2025, 6, 1, tzinfo=UTC)),  # due outside the period
    ]
    for reviewed, review_due in cases:
        make_order(
            region=tree.v1,
            site=tree.st1,
            project=project,
            requester=resident,
            reviewed_at=reviewed,
            review_due_at=review_due,
        )
    from xinfeng.orders.models import Order

    lo, hi = YEAR.bounds()
    now = timezone.now()
    rows = [
        o
        for o in Order.objects.all()
        if o.review_due_at
        and lo <= o.review_due_at < hi
        and (o.reviewed_at is not None or o.review_due_at < now)
    ]
    ok = sum(1 for o in rows if o.reviewed_at is not None and o.reviewed_at <= o.review_due_at)
    f = compute.compute("orders_reviewed_on_time", tree.t1, YEAR)
    assert (f.numerator, f.denominator) == (ok, len(rows)) == (2, 4)
    assert f.value == Decimal("50.00")
    assert compute.compute("orders_dispatched_on_time", tree.t1, YEAR).denominator == 0

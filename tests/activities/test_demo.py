"""The demo's activities: the report's totals, rooms that never clash, counters that match
their rows, and pages that render on the demo data (the session's demo city)."""

from django.db.models import Count, Sum

from xinfeng.activities import selectors
from xinfeng.activities.models import Activity, News, OnlineView, Signup, VenueBooking


def test_demo_city_activities_match_the_report_and_stay_consistent(demo_city, client):
    assert Activity.objects.count() >= 5000
    total = selectors.audience_total()
    assert total["total"] >= 200_000
    assert total["online"] > 0 and total["offline"] > 0
    lectures = Activity.objects.filter(is_cloud_lecture=True)
    months = {a.starts_at.strftime("%Y-%m") for a in lectures}
    assert len(months) >= 24 and lectures.count() == len(months)
    assert News.objects.filter(activity__isnull=False).exists()
    assert News.objects.filter(kind="announcement").exists()

    # Counters equal the rows behind them.
    viewers = Activity.objects.aggregate(s=Sum("online_viewers"))["s"]
    assert viewers == OnlineView.objects.count()
    for a in Activity.objects.annotate(n=Count("signups")).filter(n__gt=0):
        assert a.signup_count == a.n

    # Confirmed bookings of a room never overlap.
    rows = list(
        VenueBooking.objects.filter(state="confirmed")
        .order_by("venue_id", "starts_at")
        .values_list("venue_id", "starts_at", "ends_at")
    )
    for (v1, _s1, e1), (v2, s2, _e2) in zip(rows, rows[1:], strict=False):
        assert v1 != v2 or s2 >= e1
    assert VenueBooking.objects.filter(activity__isnull=True).count() > 1000

    # The demo resident finds upcoming activities and their own sign-ups.
    resident = demo_city.users["resident"]
    assert Signup.objects.filter(user=resident, state="confirmed").exists()
    client.force_login(resident)
    assert client.get("/activities/").status_code == 200
    assert client.get("/activities/my/").status_code == 200
    lecture = lectures.filter(state="finished").first()
    assert client.get(f"/activities/{lecture.pk}/").status_code == 200
    assert client.get("/activities/audience/").status_code == 200
    client.force_login(demo_city.users["center"])
    assert client.get(f"/activities/{lecture.pk}/manage/").status_code == 200


def test_demo_activities_belong_to_projects_of_their_area(demo_city):
    """With the volunteers and projects steps run first, activities link to service projects,
    and every link follows the service's rule: the project covers the site's area."""
    linked = Activity.objects.filter(project__isnull=False).select_related(
        "region", "project__region"
    )
    assert linked.count() > 100
    for a in linked:
        here, there = a.region.path, a.project.region.path
        assert here.startswith(there) or there.startswith(here), (a.pk, a.project_id)

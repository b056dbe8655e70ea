"""The demo's funding ledger and scheme: the report's scale, and the books balance."""

from collections import defaultdict

from django.db.models import Sum

from xinfeng.assessment.choices import EntryStatus
from xinfeng.assessment.models import Allocation, Expenditure, Scheme
from xinfeng.assessment.services.ledger import available
from xinfeng.assessment.services.schemes import total_points


def test_demo_books_balance_at_the_reports_scale(demo_city):
    city = demo_city.city
    budgets = dict(
        Allocation.objects.filter(from_region__isnull=True, region=city, source="city_operating")
        .values_list("year")
        .annotate(s=Sum("amount_fen"))
    )
    assert budgets == dict.fromkeys(range(2019, 2027), 200000000)
    integration = Allocation.objects.filter(from_region__isnull=True, source="special_integration")
    assert [(a.year, a.amount_fen) for a in integration] == [(2020, 1_000_000_000)]
    assert (
        Allocation.objects.filter(source="special_integration", site__is_complex=True).count() == 60
    )
    assert not Allocation.objects.exclude(status=EntryStatus.POSTED).exists()
    # Every place holds what it received less what it passed down and spent, never < 0.
    held = defaultdict(int)
    for a in Allocation.objects.all():
        held[(a.region_id, a.year, a.source)] += a.amount_fen
        if a.from_region_id:
            held[(a.from_region_id, a.year, a.source)] -= a.amount_fen
    for e in Expenditure.objects.all():
        held[(e.region_id, e.year, e.source)] -= e.amount_fen
    assert min(held.values()) >= 0
    total_budgets = Allocation.objects.filter(from_region__isnull=True).aggregate(
        s=Sum("amount_fen")
    )["s"]
    spent = Expenditure.objects.aggregate(s=Sum("amount_fen"))["s"]
    assert total_budgets == sum(held.values()) + spent
    assert spent > total_budgets // 2
    for (region_id, year, source), fen in list(held.items())[:20]:
        from xinfeng.regions.models import Region

        assert available(Region.objects.get(pk=region_id), year, source) == fen
    scheme = Scheme.objects.get(region=city)
    assert scheme.published_at is not None and total_points(scheme) == 100
    assert "assessment:" in demo_city.output
    from xinfeng.assessment.models import ManualScore, Result

    assert (
        Result.objects.filter(scheme=scheme, level="township").values("region").distinct().count()
        == 6
    )
    assert (
        Result.objects.filter(scheme=scheme, level="village").values("region").distinct().count()
        == 69
    )
    assert ManualScore.objects.filter(scheme=scheme, status="confirmed").exists()
    assert Result.objects.filter(scheme=scheme, level="township").exclude(leader="").exists()

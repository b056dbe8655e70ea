"""Real concurrency on PostgreSQL: many people redeem the last item at once; one volunteer
spends the same points twice at once. Row locks must let exactly one through."""

import threading

import pytest
from django.db import connection

from tests.factories import RegionFactory, SiteFactory, UserFactory
from tests.volunteers.factories import RewardFactory, VolunteerFactory, credit
from xinfeng.core.errors import Conflict
from xinfeng.volunteers.models import PointsEntry, Redemption, Reward, Volunteer
from xinfeng.volunteers.services import exchange

pytestmark = pytest.mark.postgres


def race(funcs):
    """Run each function in its own thread (own DB connection), released together."""
    barrier = threading.Barrier(len(funcs))
    results: list = [None] * len(funcs)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except Conflict as exc:
            results[i] = ("conflict", exc.code)
        except Exception as exc:  # surfaced by the assertions below
            results[i] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(funcs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def shop(postgres_only, transactional_db):
    region = RegionFactory()
    site = SiteFactory(region=region)
    return region, site


def test_many_redeem_the_last_item_exactly_one_wins(shop):
    region, site = shop
    reward = RewardFactory(site=site, points_cost=10, stock=1)
    volunteers = []
    for _ in range(12):
        v = VolunteerFactory(home_region=region, user=UserFactory())
        credit(v, region, hours=2)
        volunteers.append(v)

    results = race(
        [(lambda v=v: exchange.reward_redeem(actor=v.user, reward=reward).pk) for v in volunteers]
    )
    outcomes = [r[0] for r in results]
    assert outcomes.count("ok") == 1, results
    assert outcomes.count("conflict") == 11, results
    assert {r[1] for r in results if r[0] == "conflict"} == {"out_of_stock"}
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert Redemption.objects.count() == 1
    winner = Redemption.objects.get().volunteer
    balances = dict(Volunteer.objects.values_list("pk", "points_balance"))
    assert balances[winner.pk] == 10
    assert all(b == 20 for pk, b in balances.items() if pk != winner.pk)


def test_one_volunteer_spending_twice_at_once_never_goes_negative(shop):
    region, site = shop
    v = VolunteerFactory(home_region=region, user=UserFactory())
    credit(v, region, hours=3)  # 30 points
    rewards = [RewardFactory(site=site, points_cost=20, stock=5) for _ in range(6)]

    results = race(
        [(lambda r=r: exchange.reward_redeem(actor=v.user, reward=r).pk) for r in rewards]
    )
    assert [r[0] for r in results].count("ok") == 1, results
    v.refresh_from_db()
    assert v.points_balance == 10
    assert sum(PointsEntry.objects.filter(volunteer=v).values_list("delta", flat=True)) == 10

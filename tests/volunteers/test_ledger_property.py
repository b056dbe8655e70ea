"""Stateful property test: any sequence of earning, redeeming, correcting, cancelling and
adjusting keeps the ledger and the caches consistent and never negative."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.factories import RegionFactory, SiteFactory, UserFactory, grant
from tests.volunteers.factories import RewardFactory, VolunteerFactory
from xinfeng.accounts.choices import Role
from xinfeng.core.errors import DomainError
from xinfeng.volunteers.models import PointsEntry, Redemption, Reward, ServiceRecord, Volunteer
from xinfeng.volunteers.services import exchange
from xinfeng.volunteers.services import ledger as services


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.region = RegionFactory()
        self.site = SiteFactory(region=self.region)
        self.staff = grant(UserFactory(), Role.STATION_OPERATOR, self.region)
        self.volunteers = [
            VolunteerFactory(home_region=self.region, user=UserFactory()) for _ in range(2)
        ]
        self.rewards = [
            RewardFactory(site=self.site, points_cost=cost, stock=stock)
            for cost, stock in ((15, 3), (40, 1))
        ]
        self.now = timezone.now() - timedelta(days=30)

    def _fresh(self, i):
        return Volunteer.objects.get(pk=self.volunteers[i].pk)

    @rule(i=st.integers(0, 1), minutes=st.integers(1, 600))
    def earn(self, i, minutes):
        self.now += timedelta(hours=12)
        services.service_record_create(
            volunteer=self._fresh(i),
            region=self.region,
            started_at=self.now,
            ended_at=self.now + timedelta(minutes=minutes),
            source_type="other",
        )

    @rule(i=st.integers(0, 1), r=st.integers(0, 1), q=st.integers(1, 3))
    def redeem(self, i, r, q):
        v = self._fresh(i)
        try:
            exchange.reward_redeem(
                actor=v.user, reward=Reward.objects.get(pk=self.rewards[r].pk), quantity=q
            )
        except DomainError as exc:
            assert exc.status == 409

    @rule(data=st.data(), hours=st.decimals(min_value=0, max_value=10, places=2))
    def correct(self, data, hours):
        originals = list(ServiceRecord.objects.filter(corrects__isnull=True).order_by("id"))
        if not originals:
            return
        rec = data.draw(st.sampled_from(originals))
        hours = min(hours, services.hours_between(rec.started_at, rec.ended_at))
        try:
            services.service_record_correct(
                actor=self.staff, record=rec, hours=hours, reason="核对"
            )
        except DomainError as exc:
            assert exc.code == "no_change"

    @rule(data=st.data())
    def cancel(self, data):
        open_ = list(Redemption.objects.filter(status="requested").order_by("id"))
        if not open_:
            return
        red = data.draw(st.sampled_from(open_))
        exchange.redemption_cancel(actor=self.staff, redemption=red, reason="取消")

    @rule(i=st.integers(0, 1), delta=st.integers(-50, 50).filter(bool))
    def adjust(self, i, delta):
        try:
            services.points_adjust(
                actor=self.staff, volunteer=self._fresh(i), delta=delta, reason="调整"
            )
        except DomainError as exc:
            assert exc.code == "insufficient_points"

    @invariant()
    def ledger_matches_caches(self):
        for v in Volunteer.objects.filter(pk__in=[x.pk for x in self.volunteers]):
            ledger = PointsEntry.objects.filter(volunteer=v).order_by("id")
            assert (ledger.aggregate(s=Sum("delta"))["s"] or 0) == v.points_balance
            assert v.points_balance >= 0
            running = 0
            for e in ledger:
                running += e.delta
                assert e.balance_after == running >= 0
            hours = ServiceRecord.objects.filter(volunteer=v).aggregate(s=Sum("hours"))["s"]
            # SQLite sums decimals as floats: compare at the field's precision.
            assert Decimal(hours or 0).quantize(Decimal("0.01")) == v.total_hours >= 0

    @invariant()
    def stock_never_negative(self):
        for reward in Reward.objects.all():
            assert reward.stock >= 0
            taken = sum(r.quantity for r in reward.redemptions.exclude(status="cancelled"))
            initial = {15: 3, 40: 1}[reward.points_cost]
            assert reward.stock == initial - taken


LedgerMachine.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.django_db(transaction=False)
def test_ledger_state_machine(db):
    # Each hypothesis example runs in a savepoint of the test transaction and is rolled
    # back, so examples do not see each other's rows.
    from django.db import transaction
    from hypothesis.stateful import run_state_machine_as_test

    def factory():
        sid = transaction.savepoint()
        machine = LedgerMachine()
        machine._sid = sid
        return machine

    original_teardown = LedgerMachine.teardown

    def teardown(self):
        original_teardown(self)
        transaction.savepoint_rollback(self._sid)

    LedgerMachine.teardown = teardown
    try:
        run_state_machine_as_test(factory, settings=LedgerMachine.TestCase.settings)
    finally:
        LedgerMachine.teardown = original_teardown

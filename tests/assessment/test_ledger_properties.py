"""Property test of the funding ledger: whatever sequence of budgets, allocations,
spending, approvals, refusals and reversals happens, the books balance — the budgets
posted equal what every place still holds plus what was spent — no place ever holds less
than nothing, and approving a reversal puts the paying place back where it was."""

from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.assessment.choices import EntryStatus
from xinfeng.assessment.models import Allocation, Expenditure
from xinfeng.assessment.policy import paying_region
from xinfeng.assessment.services import ledger
from xinfeng.core.errors import DomainError

pytestmark = pytest.mark.django_db
SOURCES = ["city_operating", "donation"]

op = st.one_of(
    st.tuples(st.just("budget"), st.sampled_from(SOURCES), st.integers(1, 10**7)),
    st.tuples(
        st.just("allocate"), st.integers(0, 5), st.sampled_from(SOURCES), st.integers(1, 10**7)
    ),
    st.tuples(st.just("spend"), st.integers(0, 4), st.sampled_from(SOURCES), st.integers(1, 10**7)),
    st.tuples(st.just("decide"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
)


def _held(region, source) -> int:
    """Posted money only: in − passed down − spent."""

    def total(qs):
        return sum(
            qs.filter(status=EntryStatus.POSTED, source=source).values_list("amount_fen", flat=True)
        )

    return (
        total(Allocation.objects.filter(region=region))
        - total(Allocation.objects.filter(from_region=region))
        - total(Expenditure.objects.filter(region=region))
    )


def _check_books(places):
    for source in SOURCES:
        budgets = sum(
            Allocation.objects.filter(
                from_region__isnull=True, status=EntryStatus.POSTED, source=source
            ).values_list("amount_fen", flat=True)
        )
        spent = sum(
            Expenditure.objects.filter(status=EntryStatus.POSTED, source=source).values_list(
                "amount_fen", flat=True
            )
        )
        held = [_held(p, source) for p in places]
        assert budgets == sum(held) + spent
        assert all(h >= 0 for h in held)
        assert all(ledger.available(p, 2026, source) >= 0 for p in places)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(op, min_size=1, max_size=25))
def test_the_books_always_balance(tree, ops):
    places = [tree.city, tree.t1, tree.t2, tree.v1, tree.v2]
    edges = [
        (tree.city, tree.t1),
        (tree.city, tree.t2),
        (tree.t1, tree.v1),
        (tree.t2, tree.v2),
        (tree.city, tree.v1),
        (tree.city, tree.v2),
    ]
    clerk = grant(UserFactory(), Role.SYSTEM_ADMIN, tree.city)
    boss = grant(UserFactory(), Role.SYSTEM_ADMIN, tree.city)
    with transaction.atomic():
        lines = []
        for o in ops:
            try:
                if o[0] == "budget":
                    lines.append(
                        ledger.allocation_create(
                            actor=clerk, year=2026, source=o[1], region=tree.city, amount_fen=o[2]
                        )
                    )
                elif o[0] == "allocate":
                    frm, to = edges[o[1]]
                    lines.append(
                        ledger.allocation_create(
                            actor=clerk,
                            year=2026,
                            source=o[2],
                            region=to,
                            from_region=frm,
                            amount_fen=o[3],
                        )
                    )
                elif o[0] == "spend":
                    lines.append(
                        ledger.expenditure_create(
                            actor=clerk,
                            region=places[o[1]],
                            source=o[2],
                            spent_on=date(2026, 5, 1),
                            payee="甲",
                            purpose="物资",
                            amount_fen=o[3],
                        )
                    )
                elif o[0] == "decide" and lines:
                    line = lines[o[1] % len(lines)]
                    line.refresh_from_db()
                    payer = paying_region(line)
                    before = _held(payer, line.source)
                    if o[2]:
                        ledger.line_approve(actor=boss, line=line)
                        if line.reverses_id:
                            original = type(line).objects.get(pk=line.reverses_id)
                            # Posting the reversal undoes the original's effect on the payer.
                            budget = isinstance(line, Allocation) and line.from_region_id is None
                            undone = -original.amount_fen if budget else original.amount_fen
                            assert _held(payer, line.source) == before + undone
                    else:
                        ledger.line_reject(actor=boss, line=line)
                elif o[0] == "reverse" and lines:
                    line = lines[o[1] % len(lines)]
                    line.refresh_from_db()
                    lines.append(ledger.line_reverse(actor=clerk, line=line, reason="更正"))
            except DomainError:
                pass
            _check_books(places)
        transaction.set_rollback(True)

"""The funding ledger's rules: money in integer fen, approval by the level above only,
nothing spent beyond what a place holds, posted lines never change, reversals undo."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.assessment.choices import EntryStatus
from xinfeng.assessment.models import Allocation, Expenditure
from xinfeng.assessment.models.ledger import LedgerImmutable
from xinfeng.assessment.money import fen_to_yuan, yuan_to_fen
from xinfeng.assessment.services import ledger
from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed

from .factories import posted_allocation, posted_budget, posted_expenditure

pytestmark = pytest.mark.django_db


def test_money_is_exact_fen_never_float():
    assert yuan_to_fen("2000000") == 200_000_000
    assert yuan_to_fen("0.10") == 10
    assert yuan_to_fen("1,234.56") == 123456
    assert fen_to_yuan(-5) == "-0.05"
    with pytest.raises(ValidationFailed):
        yuan_to_fen("1.005")
    with pytest.raises(TypeError):
        yuan_to_fen(0.1)
    with pytest.raises(ValidationFailed):
        ledger._check_amount(12.5)


def test_a_township_cannot_approve_its_own_spending(tree):
    posted_budget(tree)
    posted_allocation(tree, tree.t1, amount_fen=500_000)
    clerk = grant(UserFactory(), Role.INSTITUTE_ADMIN, tree.t1)
    colleague = grant(UserFactory(), Role.INSTITUTE_ADMIN, tree.t1)
    line = ledger.expenditure_create(
        actor=clerk,
        region=tree.t1,
        source="city_operating",
        spent_on=date(2026, 2, 1),
        payee="印刷厂",
        purpose="宣传册",
        amount_fen=120_00,
    )
    assert line.status == EntryStatus.PENDING
    with pytest.raises(PermissionDenied):
        ledger.line_approve(actor=clerk, line=line)
    with pytest.raises(PermissionDenied):
        ledger.line_approve(actor=colleague, line=line)
    city = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    assert ledger.line_approve(actor=city, line=line).status == EntryStatus.POSTED
    with pytest.raises(Conflict):
        ledger.line_approve(actor=city, line=line)


def test_a_station_expense_is_approved_by_the_site_one_level_up(tree):
    posted_budget(tree)
    posted_allocation(tree, tree.v1, amount_fen=300_000)
    station = grant(UserFactory(), Role.STATION_OPERATOR, tree.v1)
    line = ledger.expenditure_create(
        actor=station,
        region=tree.v1,
        source="city_operating",
        spent_on=date(2026, 2, 1),
        payee="村超市",
        purpose="茶水",
        amount_fen=50_00,
        site=tree.st1,
    )
    other_township = grant(UserFactory(), Role.INSTITUTE_ADMIN, tree.t2)
    with pytest.raises(PermissionDenied):
        ledger.line_approve(actor=other_township, line=line)
    township = grant(UserFactory(), Role.INSTITUTE_ADMIN, tree.t1)
    assert ledger.line_approve(actor=township, line=line).status == EntryStatus.POSTED


def test_nobody_spends_more_than_the_place_holds(tree):
    posted_budget(tree, amount_fen=100_000)
    with pytest.raises(Conflict) as err:
        posted_allocation(tree, tree.t1, amount_fen=100_001)
    assert err.value.code == "insufficient_funds"
    posted_allocation(tree, tree.t1, amount_fen=60_000)
    # Pending spending is committed at once: two lines cannot both take the last 60,000.
    clerk = grant(UserFactory(), Role.INSTITUTE_ADMIN, tree.t1)
    ledger.expenditure_create(
        actor=clerk,
        region=tree.t1,
        source="city_operating",
        spent_on=date(2026, 1, 5),
        payee="甲",
        purpose="物资",
        amount_fen=60_000,
    )
    with pytest.raises(Conflict):
        ledger.expenditure_create(
            actor=clerk,
            region=tree.t1,
            source="city_operating",
            spent_on=date(2026, 1, 6),
            payee="乙",
            purpose="物资",
            amount_fen=1,
        )
    # Another source or another year is other money.
    with pytest.raises(Conflict):
        ledger.expenditure_create(
            actor=clerk,
            region=tree.t1,
            source="donation",
            spent_on=date(2026, 1, 6),
            payee="乙",
            purpose="物资",
            amount_fen=1,
        )


def test_allocations_only_go_down_and_staff_record_only_their_own_place(tree):
    posted_budget(tree)
    clerk = grant(UserFactory(), Role.INSTITUTE_ADMIN, tree.t1)
    with pytest.raises(ValidationFailed):
        ledger.allocation_create(
            actor=grant(UserFactory(), Role.CENTER_ADMIN, tree.city),
            year=2026,
            source="city_operating",
            region=tree.city,
            from_region=tree.t1,
            amount_fen=1,
        )
    with pytest.raises(PermissionDenied):
        ledger.expenditure_create(
            actor=clerk,
            region=tree.t2,
            source="city_operating",
            spent_on=date(2026, 1, 5),
            payee="甲",
            purpose="物资",
            amount_fen=1,
        )
    with pytest.raises(ValidationFailed) as err:
        ledger.allocation_create(
            actor=grant(UserFactory(), Role.CENTER_ADMIN, tree.city),
            year=2026,
            source="city_operating",
            region=tree.t1,
            from_region=tree.city,
            amount_fen=1,
            site=tree.st2,
        )
    assert err.value.code == "out_of_area"


def test_posted_lines_never_change_or_disappear(tree):
    budget = posted_budget(tree)
    budget.amount_fen = 1
    with pytest.raises(LedgerImmutable):
        budget.save()
    with pytest.raises(LedgerImmutable):
        budget.save(update_fields=["status"])
    with pytest.raises(LedgerImmutable):
        budget.delete()
    with pytest.raises(LedgerImmutable):
        Allocation.objects.filter(pk=budget.pk).update(amount_fen=1)
    with pytest.raises(LedgerImmutable):
        Allocation.objects.all().delete()
    with pytest.raises(LedgerImmutable):
        Expenditure.objects.all().delete()
    assert Allocation.objects.get(pk=budget.pk).amount_fen == 1_000_000


def test_a_reversal_restores_the_balance_and_happens_once(tree):
    posted_budget(tree)
    posted_allocation(tree, tree.t1, amount_fen=400_000)
    before = ledger.available(tree.t1, 2026, "city_operating")
    spend = posted_expenditure(tree, tree.t1, amount_fen=150_000)
    assert ledger.available(tree.t1, 2026, "city_operating") == before - 150_000
    clerk = grant(UserFactory(), Role.INSTITUTE_ADMIN, tree.t1)
    with pytest.raises(ValidationFailed):
        ledger.line_reverse(actor=clerk, line=spend, reason=" ")
    reversal = ledger.line_reverse(actor=clerk, line=spend, reason="重复录入")
    assert reversal.amount_fen == -150_000 and reversal.reverses_id == spend.pk
    city = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    ledger.line_approve(actor=city, line=reversal)
    assert ledger.available(tree.t1, 2026, "city_operating") == before
    with pytest.raises(Conflict):
        ledger.line_reverse(actor=clerk, line=spend, reason="again")
    with pytest.raises(Conflict):
        ledger.line_reverse(actor=clerk, line=reversal, reason="again")


def test_an_allocation_is_taken_back_only_while_the_receiver_still_holds_it(tree):
    posted_budget(tree)
    alloc = posted_allocation(tree, tree.t1, amount_fen=100_000)
    posted_expenditure(tree, tree.t1, amount_fen=80_000)
    city = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    with pytest.raises(Conflict):
        ledger.line_reverse(actor=city, line=alloc, reason="收回")


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    return out.getvalue()


def test_receipts_are_checked_by_content_and_size(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    posted_budget(tree)
    clerk = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    args = {
        "actor": clerk,
        "region": tree.city,
        "source": "city_operating",
        "spent_on": date(2026, 1, 5),
        "payee": "甲",
        "purpose": "物资",
        "amount_fen": 100,
    }
    line = ledger.expenditure_create(
        **args, receipt=SimpleUploadedFile("r.png", _png(), "image/png")
    )
    assert line.receipt_type == "png" and line.receipt.name.endswith(".png")
    pdf = ledger.expenditure_create(
        **args, receipt=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF", "application/pdf")
    )
    assert pdf.receipt_type == "pdf"
    with pytest.raises(ValidationFailed) as err:
        ledger.expenditure_create(
            **args, receipt=SimpleUploadedFile("r.png", b"<html>", "image/png")
        )
    assert err.value.code == "receipt_type"
    big = SimpleUploadedFile(
        "r.pdf", b"%PDF-" + b"0" * (ledger.MAX_RECEIPT_BYTES), "application/pdf"
    )
    with pytest.raises(ValidationFailed) as err:
        ledger.expenditure_create(**args, receipt=big)
    assert err.value.code == "receipt_too_large"

"""Every write to the funding ledger: budgets, allocations down the tree, expenditures,
approval by the level above, and reversals (the only way to correct a posted line).

The rule that keeps the books balanced: a place never commits more than it holds. What a
place holds for a year and source (``available``) counts money in only once it is posted,
and money out (allocations passed down, spending) as soon as it is recorded, so no order of
approvals can drive a place below zero.
"""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.core.validation import RECORD, check_window, full_clean_or_raise
from xinfeng.regions.models import Region

from .. import policy
from ..choices import EntryStatus, FundSource
from ..models import Allocation, Expenditure
from ..models.ledger import MAX_FEN

MAX_RECEIPT_BYTES = 10 * 1024 * 1024
RECEIPT_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

P, POSTED = EntryStatus.PENDING, EntryStatus.POSTED
LIVE = (P, POSTED)


def _sum(qs, condition: Q) -> int:
    value = qs.aggregate(
        s=Sum(
            Case(When(condition, then="amount_fen"), default=Value(0), output_field=IntegerField())
        )
    )["s"]
    return int(value or 0)


def available(region: Region, year: int, source: str) -> int:
    """Fen the place may still pass down or spend for ``year`` and ``source``."""
    ins = Allocation.objects.filter(region=region, year=year, source=source)
    outs = Allocation.objects.filter(from_region=region, year=year, source=source)
    spent = Expenditure.objects.filter(region=region, year=year, source=source)
    counted_in = Q(status=POSTED) | Q(status=P, amount_fen__lt=0)
    counted_out = Q(status=POSTED) | Q(status=P, amount_fen__gt=0)
    return _sum(ins, counted_in) - _sum(outs, counted_out) - _sum(spent, counted_out)


def _check_amount(amount_fen) -> int:
    if isinstance(amount_fen, float) or not isinstance(amount_fen, int):
        raise ValidationFailed(_("金额应为整数（分）。"), code="invalid_amount")
    if not 0 < amount_fen <= MAX_FEN:
        raise ValidationFailed(
            _("金额应大于 0 且不超过 100 亿元。"),
            code="invalid_amount",
            fields={"amount_fen": [_("金额应大于 0 且不超过 100 亿元。")]},
        )
    return amount_fen


def _check_source(source: str) -> None:
    if source not in FundSource.values:
        raise ValidationFailed(
            _("未知的资金来源。"), code="invalid_source", fields={"source": [_("未知的资金来源。")]}
        )


def _require_actor(actor) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()


def _require_record(actor, region: Region) -> None:
    _require_actor(actor)
    if not policy.may_record(actor, region):
        raise PermissionDenied()


def _lock(region: Region) -> None:
    """Serialize the writes that spend one place's money (a row lock on PostgreSQL)."""
    Region.objects.select_for_update().filter(pk=region.pk).first()


def _check_cover(region: Region, year: int, source: str, amount: int) -> None:
    have = available(region, year, source)
    if amount > have:
        from ..money import fen_to_yuan

        raise Conflict(
            _("%(place)s %(year)s 年该来源可用经费 %(have)s 元，不足 %(need)s 元。")
            % {
                "place": region.display_name,
                "year": year,
                "have": fen_to_yuan(have),
                "need": fen_to_yuan(amount),
            },
            code="insufficient_funds",
        )


def _check_links(region: Region, site=None, project=None, activity=None) -> None:
    fields = {}
    if site is not None and not site.region.is_within(region):
        fields["site_id"] = [_("阵地不在该单位辖区内。")]
    if project is not None and not project.region.is_within(region):
        fields["project_id"] = [_("服务项目不在该单位辖区内。")]
    if activity is not None and not activity.region.is_within(region):
        fields["activity_id"] = [_("活动不在该单位辖区内。")]
    if fields:
        detail = "；".join(m for msgs in fields.values() for m in msgs)
        raise ValidationFailed(detail, code="out_of_area", fields=fields)


@transaction.atomic
def allocation_create(
    *,
    actor,
    year: int,
    source: str,
    region: Region,
    amount_fen: int,
    from_region: Region | None = None,
    site=None,
    project=None,
    note: str = "",
) -> Allocation:
    """A budget (no ``from_region``) or part of ``from_region``'s money passed down to
    ``region`` (a place below it). Waits for the level above (``line_approve``)."""
    _check_amount(amount_fen)
    _check_source(source)
    _require_record(actor, from_region or region)
    if from_region is not None:
        if region.pk == from_region.pk or not region.is_within(from_region):
            raise ValidationFailed(
                _("只能下达给下级单位。"),
                code="not_below",
                fields={"region_id": [_("只能下达给下级单位。")]},
            )
        _lock(from_region)
        _check_cover(from_region, year, source, amount_fen)
    _check_links(region, site=site, project=project)
    line = Allocation(
        year=year,
        source=source,
        region=region,
        from_region=from_region,
        site=site,
        project=project,
        amount_fen=amount_fen,
        note=note,
        created_by=actor,
    )
    full_clean_or_raise(line)
    line.save()
    return line


def validate_receipt(f: UploadedFile) -> str:
    """A receipt is a PDF or an image (JPEG, PNG, WebP) of at most 10 MB; the content is
    checked, not the name or the declared type. Returns the format."""
    if f.size is not None and f.size > MAX_RECEIPT_BYTES:
        raise ValidationFailed(_("票据文件超过 10 MB。"), code="receipt_too_large")
    f.seek(0)
    head = f.read(5)
    f.seek(0)
    if head == b"%PDF-":
        return "pdf"
    try:
        with Image.open(f) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailed(
            _("票据只支持 PDF、JPEG、PNG、WebP 格式。"), code="receipt_type"
        ) from exc
    finally:
        f.seek(0)
    if fmt not in RECEIPT_FORMATS:
        raise ValidationFailed(_("票据只支持 PDF、JPEG、PNG、WebP 格式。"), code="receipt_type")
    return RECEIPT_FORMATS[fmt]


@transaction.atomic
def expenditure_create(
    *,
    actor,
    region: Region,
    source: str,
    spent_on,
    payee: str,
    purpose: str,
    amount_fen: int,
    receipt: UploadedFile | None = None,
    site=None,
    project=None,
    activity=None,
    note: str = "",
) -> Expenditure:
    """Money ``region`` spent, paid from what it holds for the year of ``spent_on``."""
    _check_amount(amount_fen)
    _check_source(source)
    _require_record(actor, region)
    check_window(RECORD, spent_on=spent_on)
    _check_links(region, site=site, project=project, activity=activity)
    receipt_type = validate_receipt(receipt) if receipt is not None else ""
    _lock(region)
    _check_cover(region, spent_on.year, source, amount_fen)
    line = Expenditure(
        year=spent_on.year,
        source=source,
        region=region,
        spent_on=spent_on,
        payee=payee.strip(),
        purpose=purpose.strip(),
        amount_fen=amount_fen,
        site=site,
        project=project,
        activity=activity,
        note=note,
        created_by=actor,
        receipt_type=receipt_type,
    )
    if receipt is not None:
        line.receipt.save(f"receipt.{receipt_type}", receipt, save=False)
    full_clean_or_raise(line)
    line.save()
    return line


def _decide(actor, line, status: str):
    _require_actor(actor)
    if not policy.may_approve(actor, line):
        raise PermissionDenied(
            policy.NOT_OWN_LINE if line.created_by_id == actor.pk else policy.NOT_LEVEL_ABOVE
        )
    model = type(line)
    with transaction.atomic():
        fresh = model.objects.select_for_update().get(pk=line.pk)
        if fresh.status != EntryStatus.PENDING:
            raise Conflict(_("该记录已审批。"), code="already_decided")
        fresh.status, fresh.decided_by, fresh.decided_at = status, actor, timezone.now()
        fresh.save(update_fields=["status", "decided_by", "decided_at"])
    return fresh


def line_approve(*, actor, line):
    """Post a pending line (it counts from now on); by the level above only."""
    return _decide(actor, line, EntryStatus.POSTED)


def line_reject(*, actor, line):
    """Refuse a pending line: it stays in the books, counted nowhere."""
    return _decide(actor, line, EntryStatus.REJECTED)


@transaction.atomic
def line_reverse(*, actor, line, reason: str):
    """Undo a posted line with a reversing one (the opposite amount), recorded by staff of
    the paying place and approved like any line. A line is reversed at most once and a
    reversal is never reversed (enter the line again instead)."""
    payer = policy.paying_region(line)
    _require_record(actor, payer)
    if not reason or not reason.strip():
        raise ValidationFailed(
            _("请填写冲正原因。"),
            code="reason_required",
            fields={"reason": [_("请填写冲正原因。")]},
        )
    if line.status != EntryStatus.POSTED:
        raise Conflict(_("只能冲正已入账的记录。"), code="not_posted")
    if line.reverses_id is not None:
        raise Conflict(_("冲正记录不能再冲正。"), code="is_reversal")
    model = type(line)
    if model.objects.filter(reverses=line).exists():
        raise Conflict(_("该记录已冲正。"), code="already_reversed")
    if isinstance(line, Allocation) and line.from_region_id is not None:
        # The receiver must still hold what is taken back.
        _lock(line.region)
        _check_cover(line.region, line.year, line.source, line.amount_fen)
    elif isinstance(line, Allocation):
        _lock(line.region)
        _check_cover(line.region, line.year, line.source, line.amount_fen)
    copy = {
        f.name: getattr(line, f.name)
        for f in model._meta.concrete_fields
        if f.name
        not in {
            "id",
            "status",
            "created_at",
            "created_by",
            "decided_at",
            "decided_by",
            "reverses",
            "amount_fen",
            "note",
            "receipt",
        }
    }
    reversal = model(
        **copy,
        amount_fen=-line.amount_fen,
        reverses=line,
        created_by=actor,
        note=_("冲正：%(reason)s") % {"reason": reason.strip()},
    )
    if isinstance(line, Expenditure):
        reversal.receipt = line.receipt
    full_clean_or_raise(reversal)
    reversal.save()
    return reversal

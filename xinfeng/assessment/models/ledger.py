"""The funding ledger (经费台账): allocations down the tree and expenditures, in integer fen.

Append-only, like the points ledger: a line is written once; while it waits for the level
above (``pending``) only its decision may be recorded, and once ``posted`` nothing about it
changes — a mistake is undone by a reversing line (``reverses``, the opposite amount).
``save`` and the querysets refuse anything else (``LedgerImmutable``), so neither a service,
the admin nor a stray ``update()`` can rewrite the books.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.core.errors import Conflict
from xinfeng.places.models import Site
from xinfeng.regions.models import Region

from ..choices import EntryStatus, FundSource

# One entry may move at most 10 billion yuan (10^12 fen): far above any real line and far
# below what a 64-bit column holds, so sums never overflow.
MAX_FEN = 10**12


class LedgerImmutable(Conflict):
    code = "ledger_append_only"

    @staticmethod
    def default_detail():
        return _("已入账的台账记录不能修改或删除，请用冲正记录更正。")


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerImmutable()

    def delete(self):
        raise LedgerImmutable()


class LedgerLine(models.Model):
    """What allocations and expenditures share."""

    year = models.PositiveSmallIntegerField(
        _("预算年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(_("资金来源"), max_length=24, choices=FundSource.choices)
    amount_fen = models.BigIntegerField(
        _("金额（分）"), validators=[MinValueValidator(-MAX_FEN), MaxValueValidator(MAX_FEN)]
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.PENDING
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = LedgerQuerySet.as_manager()

    # The only fields a decision writes, and only on a pending line.
    DECISION_FIELDS = frozenset({"status", "decided_at", "decided_by"})

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            fields = set(kwargs.get("update_fields") or ())
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True)
            was = stored.first()
            if not fields or not fields <= self.DECISION_FIELDS | {"decided_by_id"}:
                raise LedgerImmutable()
            if was != EntryStatus.PENDING:
                raise LedgerImmutable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutable()

    @property
    def amount_yuan(self) -> str:
        from ..money import fen_to_yuan

        return fen_to_yuan(self.amount_fen)


class Allocation(LedgerLine):
    """Money put at a place's disposal. With no ``from_region`` it is a budget (预算) that
    enters the books at ``region``; otherwise ``from_region`` passes part of what it holds
    down to ``region`` (a place below it), optionally earmarked for a site or a project."""

    from_region = models.ForeignKey(
        Region,
        verbose_name=_("下达单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations_out",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="allocations_in"
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("阵地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("服务项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    class Meta:
        verbose_name = _("预算下达")
        verbose_name_plural = _("预算下达")
        ordering = ["-id"]
        indexes = [models.Index(fields=["year", "source", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(amount_fen=0), name="allocation_amount_not_zero"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_source_display()} → {self.region} {self.amount_yuan}"


def receipt_path(instance, filename: str) -> str:
    return f"assessment/receipts/{instance.year}/{filename}"


class Expenditure(LedgerLine):
    """Money spent by ``region`` (whose allocation pays), with its receipt, linked to what
    it paid for: an activity, a project or a site."""

    region = models.ForeignKey(
        Region, verbose_name=_("支出单位"), on_delete=models.PROTECT, related_name="expenditures"
    )
    spent_on = models.DateField(_("支出日期"))
    payee = models.CharField(_("收款方"), max_length=120)
    purpose = models.CharField(_("用途"), max_length=200)
    receipt = models.FileField(_("票据"), upload_to=receipt_path, blank=True)
    receipt_type = models.CharField(_("票据格式"), max_length=10, blank=True)
    site = models.ForeignKey(
        Site,
        verbose_name=_("阵地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenditures",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("服务项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenditures",
    )
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("活动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenditures",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    class Meta:
        verbose_name = _("经费支出")
        verbose_name_plural = _("经费支出")
        ordering = ["-id"]
        indexes = [models.Index(fields=["year", "source", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(amount_fen=0), name="expenditure_amount_not_zero"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.payee} {self.amount_yuan}"

"""The points exchange (积分兑换 / 爱心超市): rewards stocked at a site, and redemptions."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.core.models import TimeStampedModel
from xinfeng.volunteers.choices import RedemptionStatus


class Reward(TimeStampedModel):
    """An item a site's love supermarket (爱心超市) gives in exchange for points, with the
    stock held at that site. The same goods at two sites are two rewards: stock is per site."""

    site = models.ForeignKey(
        "places.Site", verbose_name=_("兑换点"), on_delete=models.PROTECT, related_name="rewards"
    )
    name = models.CharField(_("物品名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    points_cost = models.PositiveIntegerField(_("所需积分"), validators=[MinValueValidator(1)])
    stock = models.PositiveIntegerField(_("库存"), default=0)
    is_active = models.BooleanField(_("上架"), default=True)

    class Meta:
        verbose_name = _("兑换物品")
        verbose_name_plural = _("兑换物品")
        ordering = ["points_cost", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stock__gte=0), name="reward_stock_nonnegative"
            ),
            models.CheckConstraint(
                condition=models.Q(points_cost__gte=1), name="reward_cost_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.points_cost}）"


class Redemption(models.Model):
    """A volunteer's exchange of points for a reward: points and stock are taken together
    when it is requested; the site hands the item over (delivered) or it is cancelled and
    both are returned."""

    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.PROTECT, related_name="redemptions"
    )
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    site = models.ForeignKey(
        "places.Site", verbose_name=_("兑换点"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveSmallIntegerField(_("数量"), default=1)
    points = models.PositiveIntegerField(_("消耗积分"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.REQUESTED,
    )
    pickup_code = models.CharField(_("领取码"), max_length=6)
    created_at = models.DateTimeField(_("兑换时间"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("积分兑换")
        verbose_name_plural = _("积分兑换")
        ordering = ["-id"]
        indexes = [models.Index(fields=["site", "status"])]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.reward_id} ×{self.quantity}"

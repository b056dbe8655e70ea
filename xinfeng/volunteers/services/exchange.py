"""The points exchange (积分兑换 / 爱心超市): rewards with stock per site, redemptions.

A redemption takes the points and the stock in one transaction, locking the volunteer row
and then the reward row (the app's lock order, see ``services``), so a balance or a stock
never goes negative, however many redemptions race for the last item.
"""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.scope import has_role_at, require_role_at
from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.core.validation import full_clean_or_raise
from xinfeng.places.models import Site
from xinfeng.volunteers.choices import REDEMPTION_TRANSITIONS, PointsKind, RedemptionStatus
from xinfeng.volunteers.models import Redemption, Reward, Volunteer
from xinfeng.volunteers.services.ledger import lock_volunteer, points_post

OUT_OF_STOCK = _("库存不足，已被兑换完。")
MAX_QUANTITY = 10
REWARD_EDITABLE = {"name", "description", "points_cost", "is_active"}


@transaction.atomic
def reward_create(
    *,
    actor,
    site: Site,
    name: str,
    points_cost: int,
    stock: int = 0,
    description: str = "",
    is_active: bool = True,
) -> Reward:
    """Put an item on a site's shelf; staff of the site's region."""
    require_role_at(actor, site.region)
    reward = Reward(
        site=site,
        name=(name or "").strip(),
        points_cost=points_cost,
        stock=stock,
        description=(description or "").strip(),
        is_active=is_active,
    )
    full_clean_or_raise(reward, exclude=["site"])
    reward.save()
    return reward


@transaction.atomic
def reward_update(*, actor, reward: Reward, **changes) -> Reward:
    require_role_at(actor, reward.site.region)
    unknown = set(changes) - REWARD_EDITABLE
    if unknown:
        raise ValidationFailed(
            _("不能修改：%(fields)s") % {"fields": "、".join(sorted(unknown))}, code="field_invalid"
        )
    reward = Reward.objects.select_for_update().get(pk=reward.pk)
    for field, value in changes.items():
        setattr(reward, field, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(reward, exclude=["site"])
    reward.save()
    return reward


@transaction.atomic
def reward_restock(*, actor, reward: Reward, delta: int) -> Reward:
    """Add (or, for a stock count correction, remove) items; the stock never goes below 0.
    Locks the reward row."""
    require_role_at(actor, reward.site.region)
    if delta == 0:
        raise ValidationFailed(_("库存变动不能为 0。"), code="invalid_delta")
    reward = Reward.objects.select_for_update().get(pk=reward.pk)
    if reward.stock + delta < 0:
        raise Conflict(_("库存不能少于 0。"), code="stock_negative")
    reward.stock += delta
    reward.save(update_fields=["stock", "updated_at"])
    return reward


def _new_pickup_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


@transaction.atomic
def reward_redeem(
    *, actor, reward: Reward, quantity: int = 1, volunteer: Volunteer | None = None
) -> Redemption:
    """Exchange points for ``quantity`` of ``reward``.

    A volunteer redeems for themselves; staff of the reward's site may redeem at the
    counter on a volunteer's behalf. Locks the volunteer row, then the reward row; raises
    ``Conflict`` (409) when the points or the stock are not enough."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if volunteer is None:
        volunteer = Volunteer.objects.filter(user=actor).first()
        if volunteer is None:
            raise PermissionDenied(_("请先登记成为志愿者。"), code="not_a_volunteer")
    elif volunteer.user_id != actor.pk and not has_role_at(actor, reward.site.region):
        raise PermissionDenied()
    if not isinstance(quantity, int) or quantity < 1 or quantity > MAX_QUANTITY:
        raise ValidationFailed(
            _("兑换数量必须在 1 到 %(n)d 之间。") % {"n": MAX_QUANTITY}, code="invalid_quantity"
        )
    locked_volunteer = lock_volunteer(volunteer.pk)
    locked_reward = Reward.objects.select_for_update().get(pk=reward.pk)
    if not locked_reward.is_active:
        raise Conflict(_("该物品已下架。"), code="reward_inactive")
    if not locked_volunteer.is_active:
        raise Conflict(_("志愿者账号已停用。"), code="volunteer_inactive")
    if locked_reward.stock < quantity:
        raise Conflict(OUT_OF_STOCK, code="out_of_stock")
    points = locked_reward.points_cost * quantity
    if locked_volunteer.points_balance < points:
        raise Conflict(
            _("积分不足：需要 %(need)d 分，当前余额 %(have)d 分。")
            % {"need": points, "have": locked_volunteer.points_balance},
            code="insufficient_points",
        )
    Reward.objects.filter(pk=locked_reward.pk).update(
        stock=locked_reward.stock - quantity, updated_at=timezone.now()
    )
    redemption = Redemption.objects.create(
        volunteer=locked_volunteer,
        reward=locked_reward,
        site_id=locked_reward.site_id,
        quantity=quantity,
        points=points,
        pickup_code=_new_pickup_code(),
        created_by=actor,
    )
    points_post(
        volunteer=locked_volunteer,
        delta=-points,
        kind=PointsKind.REDEEM,
        redemption=redemption,
        reason=f"{locked_reward.name} ×{quantity}",
        actor=actor,
    )
    return redemption


def _move(redemption: Redemption, to: str) -> None:
    if to not in REDEMPTION_TRANSITIONS[RedemptionStatus(redemption.status)]:
        raise Conflict(
            _("兑换单状态为“%(status)s”，不能执行此操作。")
            % {"status": redemption.get_status_display()},
            code="redemption_state",
        )


@transaction.atomic
def redemption_deliver(*, actor, redemption: Redemption, pickup_code: str | None = None):
    """The site hands the item over. Staff of the site's region; when a pickup code is
    given it must match. Locks the redemption row."""
    require_role_at(actor, redemption.site.region)
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    if pickup_code is not None and pickup_code.strip() != redemption.pickup_code:
        raise ValidationFailed(_("领取码不正确。"), code="pickup_code_invalid")
    _move(redemption, RedemptionStatus.DELIVERED)
    redemption.status = RedemptionStatus.DELIVERED
    redemption.closed_at, redemption.closed_by = timezone.now(), actor
    redemption.save(update_fields=["status", "closed_at", "closed_by"])
    return redemption


@transaction.atomic
def redemption_cancel(*, actor, redemption: Redemption, reason: str = "") -> Redemption:
    """Cancel a redemption not yet handed over: the points come back (a ``refund`` line)
    and so does the stock. The volunteer or staff of the site's region. Locks volunteer,
    reward, then redemption."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    own = redemption.volunteer.user_id == actor.pk
    if not own and not has_role_at(actor, redemption.site.region):
        raise PermissionDenied()
    volunteer = lock_volunteer(redemption.volunteer_id)
    reward = Reward.objects.select_for_update().get(pk=redemption.reward_id)
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    _move(redemption, RedemptionStatus.CANCELLED)
    redemption.status = RedemptionStatus.CANCELLED
    redemption.closed_at, redemption.closed_by = timezone.now(), actor
    redemption.cancel_reason = (reason or "").strip()[:200]
    redemption.save(update_fields=["status", "closed_at", "closed_by", "cancel_reason"])
    Reward.objects.filter(pk=reward.pk).update(
        stock=reward.stock + redemption.quantity, updated_at=timezone.now()
    )
    points_post(
        volunteer=volunteer,
        delta=redemption.points,
        kind=PointsKind.REFUND,
        redemption=redemption,
        reason=redemption.cancel_reason or _("取消兑换"),
        actor=actor,
    )
    return redemption

"""Rating (评单), the automatic rating after the project's limit, and follow-ups (回访)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import require_role_at
from xinfeng.core.errors import Conflict, ValidationFailed
from xinfeng.notifications.services import notify

from .. import texts as T
from ..choices import (
    AUTO_RATING,
    LOW_RATING,
    FollowUpStatus,
    OrderAction,
    RatingDimension,
    RatingLevel,
)
from ..models import FollowUp, Order, OrderRating
from ._common import event, guard, lock, move, order_link, site_staff_users, team_leader_users

MAX_COMMENT = 500


def _clean_rating(level, dimensions, comment) -> tuple[int, dict, str]:
    if level not in RatingLevel.values:
        raise ValidationFailed(_("请选择 1 到 5 级评价。"), code="invalid_level")
    dims = {}
    for key, value in (dimensions or {}).items():
        if key not in RatingDimension.values:
            raise ValidationFailed(
                _("未知的评价维度：%(k)s") % {"k": key}, code="invalid_dimension"
            )
        if value not in RatingLevel.values:
            raise ValidationFailed(
                _("“%(k)s”的评价须为 1 到 5 级。") % {"k": RatingDimension(key).label},
                code="invalid_dimension",
            )
        dims[key] = int(value)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed(_("评价内容最多 500 个字。"), code="comment_too_long")
    return int(level), dims, comment


def _record_rating(order: Order, *, actor, level, dims, comment, is_auto, now) -> OrderRating:
    rating = OrderRating.objects.create(
        order=order,
        level=level,
        dimensions=dims,
        comment=comment,
        rater=actor,
        is_auto=is_auto,
        created_at=now,
    )
    order.rated_at = order.closed_at = now
    order.rating_level = level
    order.rating_is_auto = is_auto
    move(
        order,
        OrderAction.AUTO_RATE if is_auto else OrderAction.RATE,
        actor=actor,
        now=now,
        detail={"level": level},
        fields=("rated_at", "closed_at", "rating_level", "rating_is_auto"),
    )
    # The team hears the rating but never who gave it.
    notify(
        recipients=team_leader_users(order.team),
        title=T.RATED(level=T.RATING_LEVELS[level], t=order.title),
        link=order_link(order),
        kind="order_rated",
    )
    if level <= LOW_RATING:
        FollowUp.objects.create(order=order, site=order.site, region=order.region, opened_at=now)
        notify(
            recipients=site_staff_users(order.site),
            title=T.LOW_RATING(t=order.title),
            body=comment,
            link="/orders/follow-ups/",
            kind="follow_up_opened",
            channels=("email", "sms"),
        )
    return rating


@transaction.atomic
def order_rate(
    *, actor, order: Order, level: int, dimensions: dict | None = None, comment: str = ""
) -> OrderRating:
    """评单: completed → rated by the resident (or staff recording it for them). Five
    levels, optional dimensions and comment. A low rating opens a follow-up."""
    level, dims, comment = _clean_rating(level, dimensions, comment)
    order = lock(order)
    guard(order, OrderAction.RATE, actor)
    return _record_rating(
        order,
        actor=actor,
        level=level,
        dims=dims,
        comment=comment,
        is_auto=False,
        now=timezone.now(),
    )


def order_auto_rate(*, order: Order, now) -> OrderRating:
    """Nobody rated within the project's limit: the system rates (marked automatic).
    Called by the worker inside its transaction with the row locked."""
    guard(order, OrderAction.AUTO_RATE, None)
    return _record_rating(
        order, actor=None, level=AUTO_RATING, dims={}, comment="", is_auto=True, now=now
    )


@transaction.atomic
def follow_up_close(*, actor, follow_up: FollowUp, outcome: str, resolved: bool) -> FollowUp:
    """The site operator records the outcome of the follow-up visit (回访)."""
    outcome = (outcome or "").strip()
    if len(outcome) < 2:
        raise ValidationFailed(_("请填写回访结果。"), code="outcome_required")
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("site__region", "order")
        .get(pk=follow_up.pk)
    )
    require_role_at(actor, follow_up.site.region, STAFF_ROLES)
    if follow_up.status != FollowUpStatus.OPEN:
        raise Conflict(_("该回访已完成。"), code="already_done")
    now = timezone.now()
    follow_up.status = FollowUpStatus.DONE
    follow_up.outcome = outcome[:5000]
    follow_up.resolved = resolved
    follow_up.closed_by = actor
    follow_up.closed_at = now
    follow_up.save(update_fields=["status", "outcome", "resolved", "closed_by", "closed_at"])
    order = lock(follow_up.order)
    event(
        order,
        OrderAction.FOLLOW_UP,
        actor=actor,
        now=now,
        reason=outcome[:300],
        detail={"resolved": resolved},
    )
    return follow_up

"""States, actions and the one table of allowed order transitions (四单制).

::

    点单  submitted ──approve──▶ pending_dispatch ──dispatch──▶ dispatched ──accept──▶ accepted
            │ reject(reason)          ▲   │ grab (open orders)            │ decline / timeout
            ▼                         │   └────────────▶ accepted       ▼
         rejected                     └──────────── back to pending_dispatch
    accepted ──start──▶ in_service ──complete(report)──▶ completed ──rate / auto_rate──▶ rated
    cancel: by the resident (or staff for them), any time before accepted.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderState(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    PENDING_DISPATCH = "pending_dispatch", _("待派单")
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("已接单")
    IN_SERVICE = "in_service", _("服务中")
    COMPLETED = "completed", _("待评价")
    RATED = "rated", _("已评价")
    REJECTED = "rejected", _("已驳回")
    CANCELLED = "cancelled", _("已取消")


# States in which the order is still moving (not finished, rejected or cancelled).
OPEN_STATES = (
    OrderState.SUBMITTED,
    OrderState.PENDING_DISPATCH,
    OrderState.DISPATCHED,
    OrderState.ACCEPTED,
    OrderState.IN_SERVICE,
)
# States that count against a team's capacity (orders it holds at once).
TEAM_LOAD_STATES = (OrderState.DISPATCHED, OrderState.ACCEPTED, OrderState.IN_SERVICE)
# States in which the order is closed to further moves.
FINAL_STATES = (OrderState.RATED, OrderState.REJECTED, OrderState.CANCELLED)


class OrderChannel(models.TextChoices):
    """How the order came in."""

    RESIDENT = "resident", _("群众点单")
    PROXY = "proxy", _("代群众点单")
    SITE = "site", _("阵地制单")
    OPEN311 = "open311", _("Open311 接口")


class Actor(models.TextChoices):
    """Who may perform a move, relative to the order (checked inside each service)."""

    REQUESTER = "requester", _("点单人")
    SITE_STAFF = "site_staff", _("责任阵地管理员")
    TEAM_LEADER = "team_leader", _("承接队伍队长")
    ELIGIBLE_LEADER = "eligible_leader", _("符合条件的队伍队长")
    SYSTEM = "system", _("系统")


class OrderAction(models.TextChoices):
    SUBMIT = "submit", _("点单")
    APPROVE = "approve", _("审核通过")
    REJECT = "reject", _("驳回")
    OPEN = "open", _("开放抢单")
    DISPATCH = "dispatch", _("派单")
    GRAB = "grab", _("抢单")
    ACCEPT = "accept", _("接单")
    DECLINE = "decline", _("拒单")
    TIMEOUT = "timeout", _("接单超时")
    START = "start", _("开始服务")
    COMPLETE = "complete", _("完成服务")
    RATE = "rate", _("评价")
    AUTO_RATE = "auto_rate", _("自动评价")
    CANCEL = "cancel", _("取消")
    ESCALATE = "escalate", _("超时上报")
    MEMBER_CONFIRM = "member_confirm", _("队员确认")
    MEMBER_DECLINE = "member_decline", _("队员婉拒")
    FOLLOW_UP = "follow_up", _("回访")


S = OrderState
# THE table of allowed moves: action → (from states, to state, actors allowed).
# Every service that changes an order's state checks this table and nothing else.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    OrderAction.APPROVE: ((S.SUBMITTED,), S.PENDING_DISPATCH, (Actor.SITE_STAFF,)),
    OrderAction.REJECT: ((S.SUBMITTED,), S.REJECTED, (Actor.SITE_STAFF,)),
    OrderAction.OPEN: ((S.PENDING_DISPATCH,), S.PENDING_DISPATCH, (Actor.SITE_STAFF,)),
    OrderAction.DISPATCH: ((S.PENDING_DISPATCH,), S.DISPATCHED, (Actor.SITE_STAFF,)),
    OrderAction.GRAB: ((S.PENDING_DISPATCH,), S.ACCEPTED, (Actor.ELIGIBLE_LEADER,)),
    OrderAction.ACCEPT: ((S.DISPATCHED,), S.ACCEPTED, (Actor.TEAM_LEADER,)),
    OrderAction.DECLINE: ((S.DISPATCHED,), S.PENDING_DISPATCH, (Actor.TEAM_LEADER,)),
    OrderAction.TIMEOUT: ((S.DISPATCHED,), S.PENDING_DISPATCH, (Actor.SYSTEM,)),
    OrderAction.START: ((S.ACCEPTED,), S.IN_SERVICE, (Actor.TEAM_LEADER,)),
    OrderAction.COMPLETE: ((S.IN_SERVICE,), S.COMPLETED, (Actor.TEAM_LEADER,)),
    OrderAction.RATE: ((S.COMPLETED,), S.RATED, (Actor.REQUESTER, Actor.SITE_STAFF)),
    OrderAction.AUTO_RATE: ((S.COMPLETED,), S.RATED, (Actor.SYSTEM,)),
    OrderAction.CANCEL: (
        (S.SUBMITTED, S.PENDING_DISPATCH, S.DISPATCHED),
        S.CANCELLED,
        (Actor.REQUESTER, Actor.SITE_STAFF),
    ),
}

# Which deadline governs each state (the worker escalates when it passes).
STATE_DEADLINE_STEP: dict[str, str] = {
    S.SUBMITTED: "review",
    S.PENDING_DISPATCH: "dispatch",
    S.DISPATCHED: "accept",
    S.ACCEPTED: "start",
    S.COMPLETED: "rate",
}


class RatingLevel(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    NEUTRAL = 3, _("一般")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


# A rating at or below this opens a follow-up (回访) for the site operator.
LOW_RATING = RatingLevel.DISSATISFIED
# The level given when nobody rated in time (marked as automatic).
AUTO_RATING = RatingLevel.SATISFIED


class RatingDimension(models.TextChoices):
    ATTITUDE = "attitude", _("服务态度")
    TIMELINESS = "timeliness", _("响应及时")
    QUALITY = "quality", _("服务质量")


class AssignmentStatus(models.TextChoices):
    """A named member's answer: nobody is assigned without accepting (志愿者自愿)."""

    INVITED = "invited", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("已婉拒")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待回访")
    DONE = "done", _("已回访")

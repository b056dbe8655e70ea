"""Every write of the order workflow. Pages, the API, the dispatch engine and the worker
call these functions and nothing else: a rule lives in one place."""

from .auto_dispatch import AutoDispatchReport, orders_auto_dispatch
from .create import order_create
from .deadlines import enforce_deadlines, handle_overdue
from .flow import (
    order_accept,
    order_approve,
    order_cancel,
    order_decline,
    order_dispatch,
    order_grab,
    order_open_for_grab,
    order_reject,
    team_capacity_left,
    team_load,
)
from .members import assignment_answer, order_members_add
from .rating import follow_up_close, order_auto_rate, order_rate
from .serve import order_complete, order_start, validate_photo

__all__ = [
    "AutoDispatchReport",
    "assignment_answer",
    "enforce_deadlines",
    "follow_up_close",
    "handle_overdue",
    "order_accept",
    "order_approve",
    "order_auto_rate",
    "order_cancel",
    "order_complete",
    "order_create",
    "order_decline",
    "order_dispatch",
    "order_grab",
    "order_members_add",
    "order_open_for_grab",
    "order_rate",
    "order_reject",
    "order_start",
    "orders_auto_dispatch",
    "team_capacity_left",
    "team_load",
    "validate_photo",
]

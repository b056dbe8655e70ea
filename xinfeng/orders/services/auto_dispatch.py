"""Auto-dispatch (批量智能派单) as a service: the engine plans, ``order_dispatch`` applies."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import restrict
from xinfeng.core.errors import DomainError
from xinfeng.volunteers.models import Team

from ..choices import OrderState
from ..dispatch import REASON_MAX, auto_dispatch, score_json
from ..dispatch_explain import explanation_text
from ..models import Order
from .flow import order_dispatch


@dataclass
class AutoDispatchReport:
    """What :func:`orders_auto_dispatch` did (reasons in the active language)."""

    dispatched: list[tuple[Order, Team, str]] = field(default_factory=list)
    unassigned: list[tuple[Order, str]] = field(default_factory=list)
    failed: list[tuple[Order, str]] = field(default_factory=list)
    total_cost: float = 0.0
    certified: bool = False


def orders_auto_dispatch(
    *,
    actor,
    orders: Iterable[Order] | None = None,
    weights: dict[str, float] | None = None,
) -> AutoDispatchReport:
    """Plan the pending orders at minimum total cost (``dispatch.auto_dispatch``) and
    dispatch each through :func:`order_dispatch` as ``actor`` — which checks that the
    actor is staff of each order's site and the team may take it, locks the order and the
    team, and records the event with the reason and the plan's score. ``orders`` defaults
    to every order awaiting dispatch that the actor may dispatch. A step that fails (say, a
    team filled up meanwhile) is reported, not raised, and the rest go on."""
    if orders is None:
        qs = Order.objects.filter(state=OrderState.PENDING_DISPATCH)
        orders = list(restrict(qs, actor, path_field="site__region__path", roles=STAFF_ROLES))
    else:
        orders = [o for o in orders if o.state == OrderState.PENDING_DISPATCH]
    report = AutoDispatchReport()
    if not orders:
        report.certified = True
        return report
    planned = auto_dispatch(orders, weights=weights)
    report.total_cost, report.certified = planned.total_cost, planned.certified
    for order, team, entry in planned.assignments:
        # Stored in the default language (the fallback); pages render the facts instead.
        with translation.override(settings.LANGUAGE_CODE):
            reason = explanation_text(entry["explain"], auto=True)[:REASON_MAX]
        try:
            order_dispatch(
                actor=actor,
                order=order,
                team=team,
                reason=reason,
                score=score_json(entry, engine="auto"),
            )
        except DomainError as exc:  # e.g. the team filled up meanwhile: report, go on
            report.failed.append((order, str(exc.detail)))
        else:
            report.dispatched.append((order, team, explanation_text(entry["explain"], auto=True)))
    for order, entry in planned.unassigned:
        report.unassigned.append((order, str(entry["reason"])))
    return report

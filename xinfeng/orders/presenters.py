"""What a given user sees of an order: the moves open to them now, the contact details
they are entitled to (audited when unmasked for someone other than the requester), and
the rating without the rater for the team."""

from xinfeng.core.audit import audit_record
from xinfeng.core.masking import mask_name, mask_phone

from .choices import TRANSITIONS, Actor, AssignmentStatus, OrderAction, OrderState, RatingLevel
from .models import Order
from .services._common import actor_kinds
from .services.flow import team_can_serve

# Moves a person can make (the rest are the system's).
PERSON_ACTIONS = [a for a, (_f, _t, who) in TRANSITIONS.items() if Actor.SYSTEM not in who]
CONTACT_STATES = (OrderState.ACCEPTED, OrderState.IN_SERVICE, OrderState.COMPLETED)


def allowed_actions(user, order: Order, *, led_teams=()) -> list[str]:
    """The moves ``user`` may make on ``order`` now (drives buttons and ``allowed_actions``
    in the API); the services check again on every request."""
    if not user.is_authenticated:
        return []
    kinds = actor_kinds(user, order)
    can_grab = (
        order.state == OrderState.PENDING_DISPATCH
        and order.is_open
        and any(team_can_serve(t, order) for t in led_teams)
    )
    actions = []
    for action in PERSON_ACTIONS:
        from_states, _to, who = TRANSITIONS[action]
        if order.state not in from_states:
            continue
        if action == OrderAction.GRAB:
            if can_grab:
                actions.append(action)
            continue
        if action == OrderAction.OPEN and order.is_open:
            continue
        if kinds & set(who):
            actions.append(action)
    if order.state in (OrderState.ACCEPTED, OrderState.IN_SERVICE):
        mine = [a for a in order.assignments.all() if a.volunteer.user_id == user.pk]
        if any(a.status == AssignmentStatus.INVITED for a in mine):
            actions += [OrderAction.MEMBER_CONFIRM, OrderAction.MEMBER_DECLINE]
        if Actor.TEAM_LEADER in kinds:
            actions.append("add_members")
    return actions


def sees_contact(user, order: Order) -> bool:
    if not user.is_authenticated:
        return False
    if order.requester_id == user.pk:
        return True
    kinds = actor_kinds(user, order)
    if Actor.SITE_STAFF in kinds:
        return True
    return Actor.TEAM_LEADER in kinds and order.state in CONTACT_STATES


def contact_for(user, order: Order, request=None) -> tuple[str, str]:
    """(name, phone) as ``user`` may see them; unmasked views by others are audited."""
    if sees_contact(user, order):
        if order.requester_id != user.pk and order.contact_phone:
            audit_record(
                action="order.contact.view",
                actor=user,
                obj=order,
                detail={"fields": ["contact_name", "contact_phone"]},
                request=request,
            )
        return order.contact_name, order.contact_phone
    return mask_name(order.contact_name), mask_phone(order.contact_phone)


def rating_for(user, order: Order) -> dict | None:
    rating = getattr(order, "rating", None) if order.rated_at else None
    if rating is None:
        return None
    data = {
        "level": rating.level,
        "level_label": str(RatingLevel(rating.level).label),
        "dimensions": rating.dimensions,
        "comment": rating.comment,
        "is_auto": rating.is_auto,
        "created_at": rating.created_at,
        "rater_name": None,
    }
    kinds = actor_kinds(user, order)
    # Staff may know who rated; the team never does (the resident sees their own).
    if Actor.SITE_STAFF in kinds and rating.rater_id:
        data["rater_name"] = rating.rater.name
    return data

"""What a given user sees of an order — one shape for the order page and the API, so
every privacy rule exists once:

- :func:`present_order` — the order (facts, contact, members, photos, rating, the moves
  open to the user, the dispatch reason and explanation in the reader's language);
- :func:`present_events` / :func:`present_event` — its timeline;
- :func:`contact_for` — the requester's name and phone, masked unless the user is entitled
  to them (audited when unmasked for someone other than the requester);
- :func:`may_see_rater` — who may know who rated: the site's staff and the requester
  themself; never the team (not in the rating, not in the timeline).
"""

from xinfeng.core.audit import audit_record
from xinfeng.core.masking import mask_name, mask_phone
from xinfeng.notifications.texts import render

from . import selectors
from .choices import TRANSITIONS, Actor, AssignmentStatus, OrderAction, OrderState, RatingLevel
from .dispatch_explain import explanation_text, explanation_variants, score_explanation
from .models import Order
from .policy import team_may_grab_order
from .schemas import OrderDetail
from .services import routing
from .services._common import actor_kinds, is_requester

# Moves a person can make (the rest are the system's).
PERSON_ACTIONS = [a for a, (_f, _t, who) in TRANSITIONS.items() if Actor.SYSTEM not in who]
CONTACT_STATES = (OrderState.ACCEPTED, OrderState.IN_SERVICE, OrderState.COMPLETED)


def allowed_actions(
    user, order: Order, *, led_teams=(), kinds: set[str] | None = None
) -> list[str]:
    """The moves ``user`` may make on ``order`` now (drives buttons and ``allowed_actions``
    in the API); the services check again on every request. ``kinds``: the user's actor
    kinds for the order when already known."""
    if not user.is_authenticated:
        return []
    kinds = actor_kinds(user, order) if kinds is None else kinds
    can_grab = (
        order.state == OrderState.PENDING_DISPATCH
        and order.is_open
        and any(team_may_grab_order(t, order) for t in led_teams)
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


def sees_contact(user, order: Order, *, kinds: set[str] | None = None) -> bool:
    if not user.is_authenticated:
        return False
    if order.requester_id == user.pk:
        return True
    kinds = actor_kinds(user, order) if kinds is None else kinds
    if Actor.SITE_STAFF in kinds:
        return True
    return Actor.TEAM_LEADER in kinds and order.state in CONTACT_STATES


def contact_for(
    user, order: Order, request=None, *, kinds: set[str] | None = None
) -> tuple[str, str]:
    """(name, phone) as ``user`` may see them; unmasked views by others are audited.
    ``kinds``: the user's actor kinds for the order when already known."""
    if sees_contact(user, order, kinds=kinds):
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


def may_see_rater(user, order: Order, *, kinds: set[str] | None = None) -> bool:
    """Whether ``user`` may know who rated ``order``: staff of the responsible site, and
    the requester (it was them). The team never does — in the rating or the timeline."""
    if not user.is_authenticated:
        return False
    kinds = actor_kinds(user, order) if kinds is None else kinds
    return bool(kinds & {Actor.SITE_STAFF, Actor.REQUESTER})


def rating_for(user, order: Order, *, kinds: set[str] | None = None) -> dict | None:
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
    if rating.rater_id and may_see_rater(user, order, kinds=kinds):
        data["rater_name"] = rating.rater.name
    return data


# --- the dispatch reason, in the reader's language ------------------------------------------


def _reason(stored: str, score, reason_msg) -> str:
    """A recorded reason as the reader should read it. The system's words — a message key,
    auto-dispatch's facts, or the suggestion's sentence a person sent unchanged (the
    dispatch form fills it in, in the operator's language) — in the active language; a
    reason a person wrote, as written."""
    if reason_msg:
        return render(reason_msg, stored)
    if isinstance(score, dict) and score.get("explain"):
        if score.get("engine") == "auto":
            return score_explanation(score)
        if stored.strip() in explanation_variants(score["explain"]):
            return explanation_text(score["explain"])
    return stored


def dispatch_reason_for(order: Order) -> str:
    """The recorded dispatch reason in the reader's language where the system wrote it
    (auto-dispatch, a grab, the suggestion sent unchanged); a person's words as typed."""
    score = order.dispatch_score if isinstance(order.dispatch_score, dict) else {}
    return _reason(order.dispatch_reason, score, score.get("reason_msg"))


def dispatch_explanation_for(order: Order) -> str:
    """The engine's sentence about the team the order went to (why it fits), in the active
    language; "" when nothing was scored."""
    return score_explanation(order.dispatch_score)


# --- the timeline ---------------------------------------------------------------------------


def _event_reason(e) -> str:
    detail = e.detail if isinstance(e.detail, dict) else {}
    return _reason(e.reason, detail.get("score"), detail.get("reason_msg"))


def present_event(e, *, show_rater: bool) -> dict:
    """One timeline row. ``show_rater``: from :func:`may_see_rater` — otherwise a rating's
    actor is left out."""
    hide_actor = e.action in (OrderAction.RATE,) and not show_rater
    return {
        "id": e.id,
        "action": e.action,
        "action_label": e.action_label,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "to_state_label": str(OrderState(e.to_state).label) if e.to_state else "",
        "actor_name": None if hide_actor or e.actor is None else e.actor.name,
        "is_system": e.actor_id is None,
        "team_name": e.team.name if e.team_id else None,
        "site_name": e.site.name if e.site_id else None,
        "reason": _event_reason(e),
        "at": e.at,
    }


def present_events(user, order: Order, events) -> list[dict]:
    """Timeline rows for ``user`` (events already read, with actor, team and site)."""
    show = may_see_rater(user, order)
    return [present_event(e, show_rater=show) for e in events]


# --- the order ------------------------------------------------------------------------------

# The API's detail fields read straight off the order row (the rest are built below).
COMPUTED = {
    "state_label", "project_name", "region_name", "site_name", "team_name", "assignments",
    "photos", "rating", "allowed_actions", "contact_name", "contact_phone",
    "dispatch_reason", "dispatch_explanation",
}  # fmt: skip
ORDER_FIELDS = [f for f in OrderDetail.model_fields if f not in COMPUTED]


def present_order(
    user, order: Order, *, request=None, led_teams=None, just_created: bool = False
) -> dict:
    """The order as ``user`` may see it: the API's ``OrderDetail`` and the order page's
    facts. ``order`` should come with its region, site, team, project, assignments
    (with volunteers) and photos read (``selectors.order_detail_prefetch``);
    ``just_created`` skips what a new order cannot have yet. ``led_teams``: the user's
    teams, to offer grabbing (read when needed and not given). The user's actor kinds
    (a team-leadership query) are worked out once for the contact, the rater and the
    moves."""
    if not user.is_authenticated:
        kinds: set[str] = set()
    elif just_created:
        kinds = _new_order_kinds(user, order)
    else:
        kinds = actor_kinds(user, order)
    # A new order's contact is decided as it always was (``_new_order_kinds`` answers
    # the moves only).
    name, phone = contact_for(user, order, request, kinds=None if just_created else kinds)
    data = {f: getattr(order, f, None) for f in ORDER_FIELDS}
    assignments = [] if just_created else list(order.assignments.all())
    if led_teams is None:
        grabbable = order.is_open and order.state == OrderState.PENDING_DISPATCH
        mine = grabbable and user.is_authenticated
        led_teams = list(selectors.led_teams(user)) if mine else ()
    data.update(
        state_label=str(OrderState(order.state).label),
        project_name=order.project.name if order.project_id else None,
        region_name=order.region.name,
        site_name=order.site.name,
        team_name=order.team.name if order.team_id else None,
        contact_name=name,
        contact_phone=phone,
        dispatch_reason=dispatch_reason_for(order),
        dispatch_explanation=dispatch_explanation_for(order),
        assignments=[
            {
                "volunteer_id": a.volunteer_id,
                "volunteer_number": a.volunteer.number,
                "volunteer_name": a.volunteer.name,
                "status": a.status,
                "invited_at": a.invited_at,
                "answered_at": a.answered_at,
                "checked_in_at": a.checked_in_at,
                "checked_out_at": a.checked_out_at,
                "hours": a.service_record.hours if a.service_record_id else None,
            }
            for a in assignments
        ],
        photos=[] if just_created else [p.image.url for p in order.photos.all()],
        rating=None if just_created else rating_for(user, order, kinds=kinds),
        allowed_actions=allowed_actions(user, order, led_teams=led_teams, kinds=kinds),
    )
    return data


def _new_order_kinds(user, order: Order) -> set[str]:
    """``actor_kinds`` of a new order (no team yet), staff read from the routing cache:
    answering a creation needs no role query."""
    kinds = {Actor.REQUESTER} if is_requester(user, order) else set()
    if routing.is_site_staff(user, order.site):
        kinds.add(Actor.SITE_STAFF)
    return kinds

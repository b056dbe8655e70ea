"""Orders API (四单制): order, review, dispatch, grab, accept, serve, rate, follow up.

Lists use keyset pagination (``cursor``) and a constant number of queries. Every move is
``POST /orders/{id}/<move>``; a move not allowed in the order's state answers 409, one the
caller may not make 403, an order outside the caller's scope 404.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from xinfeng.accounts.api_auth import signed_in
from xinfeng.accounts.models import User
from xinfeng.accounts.scope import is_staff_anywhere
from xinfeng.core.errors import PermissionDenied, ValidationFailed
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import Limit, SuggestionLimit
from xinfeng.core.serialise import ListRows
from xinfeng.places.models import Site
from xinfeng.projects.models import Project
from xinfeng.volunteers.models import Team

from . import member_picker, selectors, services
from .api_support import _get, _members, _region, _suggestion_payload, detail_payload
from .choices import OrderState
from .dispatch import suggest_teams
from .presenters import present_events, present_order
from .schemas import (
    AcceptIn,
    AutoDispatchOut,
    CandidateOut,
    DispatchIn,
    EventPage,
    FollowUpCloseIn,
    FollowUpOut,
    FollowUpPage,
    GrabIn,
    HoursDefaultOut,
    HoursLineIn,
    MembersIn,
    OrderDetail,
    OrderIn,
    OrderPage,
    RateIn,
    ReasonIn,
    SuggestionOut,
    summary_rows,
)
from .services._common import is_site_staff, leads_team
from .services.hours import HoursLine, hours_defaults

MEMBER_HOURS = TypeAdapter(list[HoursLineIn])

router = Router(tags=["orders"])


@router.get(
    "/", response=OrderPage, summary="Orders the caller may see (keyset pages)", auth=signed_in
)
def list_orders(
    request,
    state: OrderState | None = None,
    mine: bool = False,
    team_id: int | None = None,
    site_id: int | None = None,
    open: bool = False,  # noqa: A002 - the public query parameter name
    overdue: bool = False,
    q: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    rows, nxt = selectors.order_page(
        user=request.user,
        cursor=cursor,
        limit=limit,
        state=state,
        mine=mine,
        team_id=team_id,
        site_id=site_id,
        open_only=open,
        overdue=overdue,
        q=(q or "").strip()[:50] or None,
    )
    return {"items": summary_rows(rows), "next_cursor": nxt}


@router.post(
    "/",
    response={200: OrderDetail, 201: OrderDetail},
    summary="Order a service (点单); idempotent with Idempotency-Key",
    auth=signed_in,
)
def create_order(request, payload: OrderIn):
    user = request.auth
    data = payload.dict()
    key = data.pop("idempotency_key") or request.headers.get("Idempotency-Key")
    region = _region(data.pop("region_id"))
    project = _get(Project, data.pop("project_id"))
    site = _get(Site, data.pop("site_id"))
    on_behalf_of = _get(User, data.pop("on_behalf_of_id"), is_active=True)
    order, created = services.order_create(
        actor=user,
        region=region,
        project=project,
        site=site,
        on_behalf_of=on_behalf_of,
        idempotency_key=key,
        **data,
    )
    body = detail_payload(request, order, just_created=created)
    if not created:
        return Status(200, body)
    # The new order's detail rendered as ninja renders a validated OrderDetail (its field
    # order, its JSON encoder), without validating the dict present_order built for it:
    # the same bytes as GET /orders/{id} (pinned by a test), a tenth of a creation less.
    return ListRows.response({name: body[name] for name in DETAIL_FIELDS}, status=201)


DETAIL_FIELDS = tuple(OrderDetail.model_fields)


@router.get(
    "/follow-ups",
    response=FollowUpPage,
    summary="Follow-ups (回访) in the caller's scope",
    auth=signed_in,
)
def list_follow_ups(
    request, status: str | None = None, cursor: str | None = None, limit: Limit = 50
):
    qs = selectors.follow_up_list(user=request.user, status=status)
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("-id",))
    return {"items": items, "next_cursor": nxt}


@router.post("/follow-ups/{follow_up_id}/close", response=FollowUpOut, auth=signed_in)
def close_follow_up(request, follow_up_id: int, payload: FollowUpCloseIn):
    user = request.auth
    fu = selectors.follow_up_get(user=user, follow_up_id=follow_up_id)
    return services.follow_up_close(
        actor=user, follow_up=fu, outcome=payload.outcome, resolved=payload.resolved
    )


@router.get(
    "/{order_id}/suggestions",
    response=list[SuggestionOut],
    summary="Teams ranked for dispatch, each with its score components (staff of the site)",
    auth=signed_in,
)
def suggestions(request, order_id: int, limit: SuggestionLimit = 5):
    user = request.auth
    # What the staff check and the engine read (the site's region, the order's place and
    # project), not the detail's other relations.
    order = selectors.order_get(
        user=user, order_id=order_id, related=("region", "site__region", "project")
    )
    if not is_site_staff(user, order):
        raise PermissionDenied(_("只有责任阵地的管理员可以派单。"))
    if not 1 <= limit <= 50:
        raise ValidationFailed(_("limit 须在 1 到 50 之间。"), code="invalid_limit")
    return [_suggestion_payload(e) for e in suggest_teams(order, limit=limit)]


@router.post(
    "/auto-dispatch",
    response=AutoDispatchOut,
    summary="智能派单: dispatch every pending order the caller may dispatch at minimum total cost",
    auth=signed_in,
)
def auto_dispatch(request):
    user = request.auth
    if not is_staff_anywhere(user):
        raise PermissionDenied(_("只有阵地管理员可以派单。"))
    report = services.orders_auto_dispatch(actor=user)
    return {
        "dispatched": [
            {"order_id": o.pk, "team_id": t.pk, "reason": r} for o, t, r in report.dispatched
        ],
        "unassigned": [{"order_id": o.pk, "reason": r} for o, r in report.unassigned],
        "failed": [{"order_id": o.pk, "reason": r} for o, r in report.failed],
        "total_cost": float(report.total_cost),
        "certified": bool(report.certified),
    }


@router.get("/{order_id}", response=OrderDetail, auth=signed_in)
def get_order(request, order_id: int):
    # order_get already read the order with what the detail shows: not read again.
    order = selectors.order_get(
        user=request.auth, order_id=order_id, related=selectors.DETAIL_RELATED
    )
    selectors.order_detail_prefetch_one(order)
    return present_order(request.user, order, request=request)


@router.get(
    "/{order_id}/events", response=EventPage, summary="The order's timeline", auth=signed_in
)
def list_events(request, order_id: int, cursor: str | None = None, limit: Limit = 100):
    order = selectors.order_get(user=request.auth, order_id=order_id)
    rows, nxt = keyset_page(
        selectors.order_events(order=order), cursor=cursor, limit=limit, ordering=("id",)
    )
    return {"items": present_events(request.user, order, rows), "next_cursor": nxt}


def _move(request, order_id: int, fn, *, for_grab: bool = False, moved: bool = False, **kwargs):
    """``moved``: ``fn`` returns the order as it left it — read under its lock with what
    the detail shows (``services._common.lock``), changed only through the object — so
    the answer is built from it (members and photos added), not read again."""
    user = request.auth
    # Visible, or 404; the service re-reads the row under its lock, so only the key here.
    order = selectors.order_get(user=user, order_id=order_id, for_grab=for_grab, lean=True)
    result = fn(actor=user, order=order, **kwargs)
    if moved:
        selectors.order_detail_prefetch_one(result)
        return present_order(request.user, result, request=request)
    return detail_payload(request, order)


@router.post("/{order_id}/approve", response=OrderDetail, summary="审单通过", auth=signed_in)
def approve(request, order_id: int, payload: ReasonIn):
    return _move(request, order_id, services.order_approve, moved=True, reason=payload.reason)


@router.post(
    "/{order_id}/reject", response=OrderDetail, summary="驳回 (reason required)", auth=signed_in
)
def reject(request, order_id: int, payload: ReasonIn):
    return _move(request, order_id, services.order_reject, reason=payload.reason)


@router.post("/{order_id}/open", response=OrderDetail, summary="开放抢单", auth=signed_in)
def open_for_grab(request, order_id: int, payload: ReasonIn):
    return _move(request, order_id, services.order_open_for_grab, reason=payload.reason)


@router.post(
    "/{order_id}/dispatch",
    response=OrderDetail,
    summary="派单 to a team, with reason",
    auth=signed_in,
)
def dispatch(request, order_id: int, payload: DispatchIn):
    # With its region: the eligibility check reads the team's place.
    team = _get(Team.objects.select_related("region"), payload.team_id)
    return _move(
        request,
        order_id,
        services.order_dispatch,
        moved=True,
        team=team,
        reason=payload.reason,
    )


@router.post("/{order_id}/grab", response=OrderDetail, summary="抢单 (open orders)", auth=signed_in)
def grab(request, order_id: int, payload: GrabIn):
    user = request.auth
    if payload.team_id is not None:
        team = _get(Team, payload.team_id)
    else:
        teams = list(selectors.led_teams(user))
        if len(teams) != 1:
            raise ValidationFailed(_("请指定以哪支队伍抢单。"), code="team_required")
        team = teams[0]
    members = _members(payload.member_ids)
    return _move(
        request,
        order_id,
        services.order_grab,
        for_grab=True,
        team=team,
        members=members,
        members_needed=payload.members_needed,
    )


@router.post(
    "/{order_id}/accept", response=OrderDetail, summary="接单, naming the members", auth=signed_in
)
def accept(request, order_id: int, payload: AcceptIn):
    members = _members(payload.member_ids)
    return _move(
        request,
        order_id,
        services.order_accept,
        members=members,
        reason=payload.reason,
        members_needed=payload.members_needed,
    )


@router.get(
    "/{order_id}/member-candidates",
    response=list[CandidateOut],
    summary="Members the leader may name (free and skilled first; q searches name/number)",
    auth=signed_in,
)
def member_candidates(request, order_id: int, q: str = "", team_id: int | None = None):
    user = request.auth
    order = selectors.order_get(user=user, order_id=order_id, for_grab=True)
    team = _get(Team, team_id) if team_id is not None else order.team
    if team is None or not leads_team(user, team):
        raise PermissionDenied(_("只有队伍的队长可以查看可指派的队员。"), code="not_leader")
    rows, _more = member_picker.candidates(order, team, q=q[:50])
    return [
        {
            "volunteer_id": c.volunteer.pk,
            "volunteer_number": c.volunteer.number,
            "volunteer_name": c.volunteer.name,
            "free": c.free,
            "busy_order_id": c.busy_order,
            "skills": c.skills,
            "blocked": c.blocked,
        }
        for c in rows
    ]


@router.get(
    "/{order_id}/hours",
    response=list[HoursDefaultOut],
    summary="Completion: each serving member's default hours (from the times) and bounds",
    auth=signed_in,
)
def hours_to_confirm(request, order_id: int):
    user = request.auth
    order = selectors.order_get(user=user, order_id=order_id)
    if not leads_team(user, order.team):
        raise PermissionDenied(_("只有承接队伍的队长可以确认服务时长。"), code="not_leader")
    return [
        {
            "volunteer_id": r.assignment.volunteer_id,
            "volunteer_number": r.volunteer.number,
            "volunteer_name": r.volunteer.name,
            "default": r.default,
            "minimum": r.minimum,
            "maximum": r.maximum,
        }
        for r in hours_defaults(order, now=timezone.now())
    ]


@router.post(
    "/{order_id}/decline", response=OrderDetail, summary="拒单 (reason required)", auth=signed_in
)
def decline(request, order_id: int, payload: ReasonIn):
    return _move(request, order_id, services.order_decline, reason=payload.reason)


@router.post(
    "/{order_id}/cancel", response=OrderDetail, summary="取消 (before acceptance)", auth=signed_in
)
def cancel(request, order_id: int, payload: ReasonIn):
    return _move(request, order_id, services.order_cancel, reason=payload.reason)


@router.post(
    "/{order_id}/members", response=OrderDetail, summary="Name more members", auth=signed_in
)
def add_members(request, order_id: int, payload: MembersIn):
    members = _members(payload.member_ids)
    return _move(request, order_id, services.order_members_add, members=members)


@router.post(
    "/{order_id}/confirm", response=OrderDetail, summary="A named member confirms", auth=signed_in
)
def confirm(request, order_id: int):
    return _move(request, order_id, services.assignment_answer, confirm=True)


@router.post(
    "/{order_id}/member-decline",
    response=OrderDetail,
    summary="A named member declines",
    auth=signed_in,
)
def member_decline(request, order_id: int):
    return _move(request, order_id, services.assignment_answer, confirm=False)


@router.post(
    "/{order_id}/start",
    response=OrderDetail,
    summary="开始服务 (checks members in)",
    auth=signed_in,
)
def start(request, order_id: int):
    return _move(request, order_id, services.order_start)


@router.post(
    "/{order_id}/complete",
    response=OrderDetail,
    summary="完成服务: multipart report, people_served, photos (JPEG/PNG/WebP, ≤ 5 MB, ≤ 9), "
    "member_hours (JSON list of {volunteer_id, hours, reason}, one per serving member)",
    auth=signed_in,
)
def complete(
    request,
    order_id: int,
    report: Form[str],
    people_served: Form[int | None] = None,
    photos: File[list[UploadedFile]] = None,
    member_hours: Form[str] = "[]",
):
    try:
        lines = MEMBER_HOURS.validate_json(member_hours or "[]")
    except PydanticValidationError as exc:
        raise ValidationFailed(
            _("member_hours 应为 JSON 列表：[{volunteer_id, hours, reason}]。"),
            code="invalid_member_hours",
        ) from exc
    return _move(
        request,
        order_id,
        services.order_complete,
        report=report,
        people_served=people_served,
        photos=photos or [],
        member_hours=[HoursLine(x.volunteer_id, x.hours, x.reason) for x in lines],
    )


@router.post("/{order_id}/rate", response=OrderDetail, summary="评单: five levels", auth=signed_in)
def rate(request, order_id: int, payload: RateIn):
    user = request.auth
    order = selectors.order_get(user=user, order_id=order_id, lean=True)
    rating = services.order_rate(
        actor=user,
        order=order,
        level=payload.level,
        dimensions=payload.dimensions,
        comment=payload.comment,
    )
    # The order as the rating left it — read under the lock with its site, region, team and
    # project, saved, its rating and rater attached — is not read again (detail_payload
    # would): only its members and photos are added.
    order = selectors.order_detail_prefetch_one(rating.order)
    return present_order(request.user, order, request=request)


__all__ = ["router", "detail_payload", "FollowUpOut", "Status"]

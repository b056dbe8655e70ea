"""Leading groups: the list, a group with members and meetings, and the writes (set up,
members, meetings with decisions, a decision turned into a work-plan task)."""

from django.utils.translation import gettext as _
from ninja import Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.accounts.models import User
from xinfeng.core.errors import NotFound, ValidationFailed
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import DbId, Limit, SearchText
from xinfeng.places.choices import Department

from .. import policy, presenters, selectors
from ..choices import GroupRole
from ..models import GroupMember
from ..services import groups as svc
from . import router
from .schemas import (
    DecisionTaskIn,
    DecisionTaskOut,
    GroupDetailOut,
    GroupIn,
    GroupOut,
    GroupPage,
    MeetingIn,
    MeetingOut,
    MemberIn,
    MemberOut,
)


def _user(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationFailed(
            _("账号不存在。"), code="unknown_user", fields={field: [_("账号不存在。")]}
        )
    return user


def group_detail_data(user, group) -> dict:
    return {
        **presenters.present_group(group),
        "members": [presenters.present_member(m) for m in selectors.members_of(group)],
        "meetings": [presenters.present_meeting(m) for m in selectors.meetings_of(group)],
        "may_keep": policy.may_keep_group(user, group.region),
    }


@router.get("/groups", response=GroupPage, auth=signed_in, summary="Leading groups in my scope")
def group_list(request, q: SearchText = "", cursor: str | None = None, limit: Limit = 50):
    qs = selectors.group_list(user=request.auth, q=q)
    rows, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("id",))
    return {"items": [presenters.present_group(g) for g in rows], "next_cursor": nxt}


@router.post(
    "/groups", response={201: GroupOut}, auth=signed_in, summary="Set up a level's leading group"
)
def group_create(request, body: GroupIn):
    try:
        region = selectors.region_for_group(user=request.auth, region_id=body.region_id)
    except NotFound as exc:
        raise ValidationFailed(
            _("区划不存在或不在您的范围内。"),
            code="unknown_region",
            fields={"region_id": [_("区划无效。")]},
        ) from exc
    g = svc.group_create(
        actor=request.auth,
        region=region,
        name=body.name,
        established_on=body.established_on,
        duties=body.duties,
    )
    return Status(201, presenters.present_group(g))


@router.get(
    "/groups/{group_id}", response=GroupDetailOut, auth=signed_in, summary="A leading group"
)
def group_detail(request, group_id: DbId):
    return group_detail_data(
        request.auth, selectors.group_get(user=request.auth, group_id=group_id)
    )


@router.post(
    "/groups/{group_id}/members", response={201: MemberOut}, auth=signed_in, summary="Add a member"
)
def member_create(request, group_id: DbId, body: MemberIn):
    group = selectors.group_get(user=request.auth, group_id=group_id)
    if body.role not in GroupRole.values:
        raise ValidationFailed(
            _("小组职务无效。"), code="bad_role", fields={"role": [_("小组职务无效。")]}
        )
    if body.department and body.department not in Department.values:
        raise ValidationFailed(
            _("部门无效。"), code="bad_department", fields={"department": [_("部门无效。")]}
        )
    user = _user(body.user_id, "user_id")
    if not body.name and user is None:
        raise ValidationFailed(
            _("请填写姓名或指定账号。"), code="no_name", fields={"name": [_("必填。")]}
        )
    m = svc.member_add(
        actor=request.auth,
        group=group,
        name=body.name,
        unit=body.unit,
        post=body.post,
        role=body.role,
        department=body.department,
        user=user,
    )
    return Status(201, presenters.present_member(m))


@router.delete(
    "/members/{member_id}", response={204: None}, auth=signed_in, summary="Remove a member"
)
def member_delete(request, member_id: DbId):
    member = GroupMember.objects.filter(pk=member_id).select_related("group__region").first()
    if member is None:
        raise NotFound()
    selectors.group_get(user=request.auth, group_id=member.group_id)
    svc.member_remove(actor=request.auth, member=member)
    return Status(204, None)


@router.post(
    "/groups/{group_id}/meetings",
    response={201: MeetingOut},
    auth=signed_in,
    summary="Record a meeting",
)
def meeting_create(request, group_id: DbId, body: MeetingIn):
    group = selectors.group_get(user=request.auth, group_id=group_id)
    m = svc.meeting_record(
        actor=request.auth,
        group=group,
        held_on=body.held_on,
        title=body.title,
        minutes=body.minutes,
        decisions=body.decisions,
    )
    return Status(201, presenters.present_meeting(m))


@router.post(
    "/decisions/{decision_id}/task",
    response={201: DecisionTaskOut},
    auth=signed_in,
    summary="Turn a decision into a work-plan task",
)
def decision_task(request, decision_id: DbId, body: DecisionTaskIn):
    decision = selectors.decision_get(user=request.auth, decision_id=decision_id)
    task = svc.decision_to_task(
        actor=request.auth,
        decision=decision,
        owner=_user(body.owner_id, "owner_id"),
        deadline=body.deadline,
        title=body.title,
    )
    return Status(
        201,
        {"id": task.pk, "plan_id": task.plan_id, "title": task.title, "deadline": task.deadline},
    )

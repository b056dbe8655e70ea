"""Work plans, tasks, evidence and progress: for signed-in readers of the plan's area and
the levels below it (another township's plan is 404)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import File, Form, Status
from ninja.files import UploadedFile

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import ValidationFailed
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import DbId, Limit, SearchText
from xinfeng.regions.models import Region

from .. import presenters as P
from .. import selectors, services
from ..models import Goal
from . import router
from .schemas import (
    EvidenceIn,
    EvidenceOut,
    GoalIn,
    GoalOut,
    PlanDetail,
    PlanIn,
    PlanPage,
    ProgressTree,
    StatusIn,
    TaskDetail,
    TaskIn,
    TaskOut,
    TaskPage,
)


def _plan_detail(plan, user) -> dict:
    out = P.present_plan(plan, user=user, progress=selectors.plan_progress(plan))
    out["goals"] = [{"id": g.pk, "title": g.title} for g in plan.goals.all()]
    return out


@router.get("/plans", auth=signed_in, response=PlanPage, summary="Work plans I may read")
def list_plans(
    request,
    year: int | None = None,
    q: SearchText | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    user = request.auth
    qs = selectors.plans_for(user=user, year=year, q=q or None)
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("id",))
    return {"items": [P.present_plan(p, user=user) for p in items], "next_cursor": nxt}


@router.post("/plans", auth=signed_in, response={201: PlanDetail}, summary="Issue a work plan")
def create_plan(request, payload: PlanIn):
    user = request.auth
    region = Region.objects.filter(pk=payload.region_id).first()
    if region is None:
        raise ValidationFailed(
            _("区划不存在。"), code="unknown_region", fields={"region_id": [_("区划不存在。")]}
        )
    plan = services.plan_create(
        actor=user, region=region, year=payload.year, title=payload.title, summary=payload.summary
    )
    return Status(201, _plan_detail(plan, user))


@router.get("/plans/{plan_id}", auth=signed_in, response=PlanDetail, summary="A work plan")
def get_plan(request, plan_id: DbId):
    user = request.auth
    return _plan_detail(selectors.plan_get(user=user, plan_id=plan_id), user)


@router.post(
    "/plans/{plan_id}/goals", auth=signed_in, response={201: GoalOut}, summary="Add a goal"
)
def add_goal(request, plan_id: DbId, payload: GoalIn):
    user = request.auth
    goal = services.goal_create(
        actor=user, plan=selectors.plan_get(user=user, plan_id=plan_id), title=payload.title
    )
    return Status(201, {"id": goal.pk, "title": goal.title})


@router.get("/plans/{plan_id}/tasks", auth=signed_in, response=TaskPage, summary="A plan's tasks")
def list_tasks(
    request,
    plan_id: DbId,
    status: str | None = None,
    q: SearchText | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    user = request.auth
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    qs = selectors.tasks_of(plan, status=status, q=q or None)
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("id",))
    return {"items": [P.present_task(t, user=user) for t in items], "next_cursor": nxt}


@router.post(
    "/plans/{plan_id}/tasks", auth=signed_in, response={201: TaskOut}, summary="Add a task"
)
def add_task(request, plan_id: DbId, payload: TaskIn):
    user = request.auth
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    owner = get_user_model().objects.filter(pk=payload.owner_id, is_active=True).first()
    if owner is None:
        raise ValidationFailed(
            _("责任人不存在。"), code="unknown_owner", fields={"owner_id": [_("责任人不存在。")]}
        )
    goal = None
    if payload.goal_id is not None:
        goal = Goal.objects.filter(pk=payload.goal_id, plan=plan).first()
        if goal is None:
            raise ValidationFailed(
                _("目标不属于该工作方案。"),
                code="goal_other_plan",
                fields={"goal_id": [_("目标不存在。")]},
            )
    task = services.task_create(
        actor=user,
        plan=plan,
        title=payload.title,
        owner=owner,
        deadline=payload.deadline,
        goal=goal,
        description=payload.description,
    )
    return Status(201, P.present_task(task, user=user))


@router.get("/tasks/{task_id}", auth=signed_in, response=TaskDetail, summary="A task")
def get_task(request, task_id: DbId):
    user = request.auth
    task = selectors.task_get(user=user, task_id=task_id)
    out = P.present_task(task, user=user)
    out["evidence"] = [P.present_evidence(e) for e in task.evidence.select_related("task__plan")]
    return out


@router.post(
    "/tasks/{task_id}/status", auth=signed_in, response=TaskOut, summary="Set a task's status"
)
def set_status(request, task_id: DbId, payload: StatusIn):
    user = request.auth
    task = services.task_set_status(
        actor=user, task=selectors.task_get(user=user, task_id=task_id), status=payload.status
    )
    return P.present_task(task, user=user)


@router.post(
    "/tasks/{task_id}/evidence",
    auth=signed_in,
    response={201: EvidenceOut},
    summary="Add evidence: a file (PDF or image, checked by content) or a link",
)
def add_evidence(
    request,
    task_id: DbId,
    payload: Form[EvidenceIn],
    file: File[UploadedFile | None] = None,
):
    user = request.auth
    ev = services.evidence_add(
        actor=user,
        task=selectors.task_get(user=user, task_id=task_id),
        file=file,
        link_kind=payload.link_kind,
        link_id=payload.link_id,
        figure=payload.figure,
        note=payload.note,
    )
    return Status(201, P.present_evidence(ev))


@router.get(
    "/progress",
    auth=signed_in,
    response=ProgressTree,
    summary="Progress of the plans below a region (the level above sees every plan below it)",
)
def progress(request, year: int | None = None, region_id: DbId | None = None):
    user = request.auth
    if year is not None and not 2000 <= year <= 2100:
        raise ValidationFailed(_("年度无效。"), code="bad_year")
    year = year or selectors.current_year()
    region = selectors.readable_subtree_region(user=user, region_id=region_id)
    head, rows = selectors.progress_tree(region=region, year=year)
    return {
        "region_id": region.pk,
        "region": region.display_name,
        "year": year,
        "plan_id": head.plan.pk if head.plan else None,
        "own": head.own.as_dict(),
        "below": head.below.as_dict(),
        "children": [
            {
                "region_id": r.region.pk,
                "region": r.region.display_name,
                "plan_id": r.plan.pk if r.plan else None,
                "own": r.own.as_dict(),
                "below": r.below.as_dict(),
                "plans_below": r.plans_below,
            }
            for r in rows
        ],
    }

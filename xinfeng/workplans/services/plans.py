"""Writes of work plans: plans, goals, tasks, status, evidence. Every function is
keyword-only and atomic, checks the policy and raises ``DomainError``s."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from xinfeng.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from xinfeng.core.validation import PLAN, check_window, full_clean_or_raise
from xinfeng.notifications.services import notify
from xinfeng.places.choices import SiteLevel
from xinfeng.places.models import Site
from xinfeng.regions.models import Region

from .. import policy
from .. import texts as T
from ..choices import SETTABLE_STATUSES, LinkKind, TaskEventKind, TaskSource, TaskStatus
from ..models import Goal, Task, TaskEvidence, WorkPlan
from ._common import task_event, task_link

ANSWERING_LEVELS = (SiteLevel.CENTER, SiteLevel.INSTITUTE, SiteLevel.STATION)
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_IMAGE_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}


def _require_user(actor) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()


def _check_year(year: int) -> None:
    last = timezone.localdate().year + 2
    if not isinstance(year, int) or year < 2000 or year > last:
        raise ValidationFailed(
            _("年度应在 2000 年至 %(last)s 年之间。") % {"last": last},
            code="bad_year",
            fields={"year": [_("年度无效。")]},
        )


def answering_site(region: Region) -> Site | None:
    """The center, institute or station that answers for ``region`` (the plan's level)."""
    return (
        Site.objects.filter(region=region, level__in=ANSWERING_LEVELS)
        .order_by("level", "id")
        .first()
    )


@transaction.atomic
def plan_create(*, actor, region: Region, year: int, title: str, summary: str = "") -> WorkPlan:
    """Issue the work plan of ``region``'s level for ``year`` (one per level and year)."""
    _require_user(actor)
    if not policy.may_create_plan(actor, region):
        raise PermissionDenied(_("只有本级或上级的管理员可以出台本级工作方案。"))
    _check_year(year)
    site = answering_site(region)
    if site is None:
        raise ValidationFailed(
            _("该区划没有实践中心、所或站，不能出台工作方案。"),
            code="no_answering_site",
            fields={"region_id": [_("该区划没有实践中心、所或站。")]},
        )
    if WorkPlan.objects.filter(region=region, year=year).exists():
        raise Conflict(_("本级该年度的工作方案已存在。"), code="plan_exists")
    plan = WorkPlan(
        region=region, year=year, title=title.strip(), summary=summary, site=site, created_by=actor
    )
    full_clean_or_raise(plan, validate_constraints=False)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:
        raise Conflict(_("本级该年度的工作方案已存在。"), code="plan_exists") from exc
    return plan


def plan_get_or_create(*, actor, region: Region, year: int, title: str = "") -> WorkPlan:
    """The plan of ``region`` for ``year``, issued with a default title when missing (for
    callers turning a decision into a task)."""
    plan = WorkPlan.objects.filter(region=region, year=year).first()
    if plan is not None:
        return plan
    return plan_create(
        actor=actor,
        region=region,
        year=year,
        title=title
        or _("%(region)s %(year)s年新时代文明实践工作方案")
        % {"region": region.display_name, "year": year},
    )


def _require_edit(actor, plan: WorkPlan) -> None:
    _require_user(actor)
    if not policy.may_read_plan(actor, plan):
        raise NotFound()
    if not policy.may_edit_plan(actor, plan):
        raise PermissionDenied(_("只有本级或上级的管理员可以修改该工作方案。"))


@transaction.atomic
def goal_create(*, actor, plan: WorkPlan, title: str) -> Goal:
    _require_edit(actor, plan)
    goal = Goal(plan=plan, title=title.strip(), position=plan.goals.count())
    full_clean_or_raise(goal)
    goal.save()
    return goal


def _check_deadline(plan: WorkPlan, deadline: date) -> None:
    if not isinstance(deadline, date):
        raise ValidationFailed(_("完成时限无效。"), code="bad_deadline")
    if deadline.year < plan.year:
        raise ValidationFailed(
            _("完成时限不能早于方案年度（%(year)s 年）。") % {"year": plan.year},
            code="deadline_before_plan_year",
            fields={"deadline": [_("完成时限不能早于方案年度。")]},
        )
    check_window(PLAN, deadline=deadline)


def _check_owner(plan: WorkPlan, owner) -> None:
    if owner is None or not policy.owner_in_area(owner, plan.region):
        raise ValidationFailed(
            _("责任人须为“%(region)s”范围内的工作人员。") % {"region": plan.region.display_name},
            code="owner_outside_area",
            fields={"owner_id": [_("责任人不在本方案的范围内。")]},
        )


@transaction.atomic
def task_create(
    *,
    actor,
    plan: WorkPlan,
    title: str,
    owner,
    deadline: date,
    goal: Goal | None = None,
    description: str = "",
    source: str = TaskSource.MANUAL,
    source_ref: str = "",
) -> Task:
    """Add a task to ``plan``. The owner must work inside the plan's area and the
    deadline may not fall before the plan's year. Other apps (a leading group's decision)
    call this with ``source="decision"`` and their reference in ``source_ref``."""
    _require_edit(actor, plan)
    if goal is not None and goal.plan_id != plan.pk:
        raise ValidationFailed(_("目标不属于该工作方案。"), code="goal_other_plan")
    _check_deadline(plan, deadline)
    _check_owner(plan, owner)
    task = Task(
        plan=plan,
        goal=goal,
        title=(title or "").strip(),
        description=description,
        owner=owner,
        deadline=deadline,
        source=source,
        source_ref=source_ref,
        created_by=actor,
    )
    if deadline < timezone.localdate():
        task.status = TaskStatus.OVERDUE
    full_clean_or_raise(task)
    task.save()
    task_event(task, TaskEventKind.CREATED, actor=actor)
    if owner.pk != actor.pk:
        notify(
            recipients=[owner],
            title=T.TASK_ASSIGNED(t=task.title),
            body=T.TASK_ASSIGNED_BODY(plan=plan.title, deadline=deadline.isoformat()),
            link=task_link(task),
            kind="workplan_task",
        )
    return task


def create_task(plan, title, owner, deadline, *, actor, source=TaskSource.DECISION, **kw) -> Task:
    """Positional convenience for other apps: ``create_task(plan, title, owner, deadline,
    actor=user, source="decision", source_ref="...")`` → :func:`task_create`."""
    return task_create(
        actor=actor, plan=plan, title=title, owner=owner, deadline=deadline, source=source, **kw
    )


def _lock(task: Task) -> Task:
    return (
        Task.objects.select_for_update(of=("self",)).select_related("plan__region").get(pk=task.pk)
    )


@transaction.atomic
def task_set_status(*, actor, task: Task, status: str) -> Task:
    """Owner or plan editor moves a task to todo, doing or done. A task not done after
    its deadline stays overdue."""
    _require_user(actor)
    task = _lock(task)
    if not (policy.may_read_plan(actor, task.plan) or task.owner_id == actor.pk):
        raise NotFound()
    if not policy.may_update_task(actor, task):
        raise PermissionDenied(_("只有责任人或本级、上级管理员可以更新任务状态。"))
    if status not in SETTABLE_STATUSES:
        raise ValidationFailed(
            _("状态只能设为未开始、进行中或已完成。"),
            code="bad_status",
            fields={"status": [_("状态无效。")]},
        )
    old = task.status
    now = timezone.now()
    if status == TaskStatus.DONE:
        task.done_at = task.done_at or now
        task.status = TaskStatus.DONE
    else:
        task.done_at = None
        task.status = TaskStatus.OVERDUE if task.deadline < timezone.localdate() else status
    task.save(update_fields=["status", "done_at", "updated_at"])
    if old != task.status:
        task_event(task, TaskEventKind.STATUS, actor=actor, now=now, old=old, new=task.status)
    return task


def validate_evidence_file(f) -> str:
    """Evidence files are PDF or images (JPEG, PNG, WebP) of at most 10 MB, checked by
    content (not the name or the declared type). Returns the format."""
    if f.size is not None and f.size > MAX_EVIDENCE_BYTES:
        raise ValidationFailed(_("佐证文件超过 10 MB。"), code="evidence_too_large")
    f.seek(0)
    head = f.read(5)
    f.seek(0)
    if head == b"%PDF-":
        return "pdf"
    fmt = None
    try:
        with Image.open(f) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        fmt = None
    finally:
        f.seek(0)
    if fmt not in EVIDENCE_IMAGE_FORMATS:
        raise ValidationFailed(
            _("佐证文件只支持 PDF、JPEG、PNG、WebP 格式。"),
            code="evidence_type",
            fields={"file": [_("文件格式不支持。")]},
        )
    return EVIDENCE_IMAGE_FORMATS[fmt]


def _check_link(actor, plan: WorkPlan, kind: str, link_id, figure: str) -> None:
    """The linked record exists and lies inside the plan's area."""
    from django.apps import apps

    if kind == LinkKind.FIGURE:
        from xinfeng.insights.metrics import SCALAR_METRICS

        if figure not in SCALAR_METRICS:
            raise ValidationFailed(
                _("数据指标不存在。"), code="bad_figure", fields={"figure": [_("数据指标不存在。")]}
            )
        return
    model = {
        LinkKind.ACTIVITY: "activities.Activity",
        LinkKind.PROJECT: "projects.Project",
        LinkKind.ORDER: "orders.Order",
    }.get(kind)
    if model is None:
        raise ValidationFailed(_("关联类型无效。"), code="bad_link_kind")
    obj = (
        apps.get_model(model)
        .objects.filter(pk=link_id)
        .select_related("region")
        .only("pk", "region__path")
        .first()
        if link_id
        else None
    )
    if obj is None or not obj.region.path.startswith(plan.region.path):
        raise ValidationFailed(
            _("关联的记录不存在或不在本方案范围内。"),
            code="bad_link",
            fields={"link_id": [_("关联的记录不存在或不在本方案范围内。")]},
        )


@transaction.atomic
def evidence_add(
    *,
    actor,
    task: Task,
    file=None,
    link_kind: str = "",
    link_id: int | None = None,
    figure: str = "",
    note: str = "",
) -> TaskEvidence:
    """Add a file (checked by content) or a link to an activity, project, order or figure."""
    _require_user(actor)
    task = _lock(task)
    if not (policy.may_read_plan(actor, task.plan) or task.owner_id == actor.pk):
        raise NotFound()
    if not policy.may_update_task(actor, task):
        raise PermissionDenied(_("只有责任人或本级、上级管理员可以添加佐证。"))
    if (file is None) == (not link_kind):
        raise ValidationFailed(
            _("请上传一个文件或填写一项关联（二选一）。"), code="evidence_one_of"
        )
    ev = TaskEvidence(task=task, note=note, created_by=actor)
    if file is not None:
        ev.file_type = validate_evidence_file(file)
        ev.file = file
    else:
        _check_link(actor, task.plan, link_kind, link_id, figure)
        ev.link_kind = link_kind
        ev.link_id = link_id if link_kind != LinkKind.FIGURE else None
        ev.figure = figure if link_kind == LinkKind.FIGURE else ""
    full_clean_or_raise(ev, exclude=["file"])
    ev.save()
    task_event(task, TaskEventKind.EVIDENCE, actor=actor, evidence=ev.pk)
    return ev

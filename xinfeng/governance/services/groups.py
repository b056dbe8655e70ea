"""Leading groups (工作领导小组): set up per level, members with the leader and deputies,
meetings with minutes and decisions, and a decision turned into a work-plan task through
the ``workplans`` service (never written here)."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.core.validation import PLAN, RECORD, check_window, full_clean_or_raise
from xinfeng.regions.models import Region

from .. import policy
from ..choices import GroupRole
from ..models import Decision, GroupMember, LeadingGroup, Meeting

MAX_DECISIONS = 20


def _require_keeper(actor, region: Region) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()
    if not policy.may_keep_group(actor, region):
        raise PermissionDenied(_("只有本级或上级的管理员可以维护领导小组。"))


@transaction.atomic
def group_create(
    *, actor, region: Region, name: str, established_on: date | None = None, duties: str = ""
) -> LeadingGroup:
    """Set up the leading group of ``region``'s level (one per region: 409 for a second)."""
    _require_keeper(actor, region)
    if established_on is not None:
        check_window(RECORD, established_on=established_on)
    group = LeadingGroup(
        region=region,
        name=(name or "").strip()
        or _("%(region)s新时代文明实践工作领导小组") % {"region": region.display_name},
        established_on=established_on,
        duties=duties,
    )
    full_clean_or_raise(group, validate_unique=False)
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as exc:
        raise Conflict(_("本级已成立工作领导小组。"), code="group_exists") from exc
    return group


@transaction.atomic
def member_add(
    *,
    actor,
    group: LeadingGroup,
    name: str,
    unit: str,
    post: str,
    role: str = GroupRole.MEMBER,
    department: str = "",
    user=None,
) -> GroupMember:
    """Add a member (an account or a named person). One leader per group (409)."""
    group = LeadingGroup.objects.select_for_update().select_related("region").get(pk=group.pk)
    _require_keeper(actor, group.region)
    member = GroupMember(
        group=group,
        user=user,
        name=(name or (user.name if user else "")).strip(),
        unit=(unit or "").strip(),
        post=(post or "").strip(),
        role=role,
        department=department or "",
        order=group.members.count(),
    )
    full_clean_or_raise(member, validate_constraints=False)
    if role == GroupRole.LEADER and group.members.filter(role=GroupRole.LEADER).exists():
        raise Conflict(_("领导小组已有组长。"), code="two_leaders")
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise Conflict(_("领导小组已有组长。"), code="two_leaders") from exc
    return member


@transaction.atomic
def member_remove(*, actor, member: GroupMember) -> None:
    _require_keeper(actor, member.group.region)
    member.delete()


@transaction.atomic
def meeting_record(
    *, actor, group: LeadingGroup, held_on: date, title: str, minutes: str = "", decisions=()
) -> Meeting:
    """Record a meeting with its minutes and decisions (one line each, at most 20)."""
    _require_keeper(actor, group.region)
    check_window(RECORD, held_on=held_on)
    texts = [t.strip() for t in decisions if t and t.strip()]
    if len(texts) > MAX_DECISIONS:
        raise ValidationFailed(
            _("一次会议最多记录 %(n)d 项决定。") % {"n": MAX_DECISIONS}, code="too_many_decisions"
        )
    meeting = Meeting(
        group=group,
        held_on=held_on,
        title=(title or "").strip(),
        minutes=minutes,
        recorded_by=actor,
    )
    full_clean_or_raise(meeting)
    meeting.save()
    Decision.objects.bulk_create([Decision(meeting=meeting, text=t) for t in texts])
    return meeting


@transaction.atomic
def decision_to_task(*, actor, decision: Decision, owner, deadline: date, title: str = ""):
    """Turn a decision into a task of the work plan of the group's level for the
    deadline's year (the plan is issued when missing), through the workplans service,
    which checks the owner (inside the plan's area) and the deadline. Once only (409)."""
    from xinfeng.workplans.choices import TaskSource
    from xinfeng.workplans.services.plans import plan_get_or_create, task_create

    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("meeting__group__region")
        .get(pk=decision.pk)
    )
    region = decision.meeting.group.region
    _require_keeper(actor, region)
    if decision.task_id is not None:
        raise Conflict(_("该决定已转为工作任务。"), code="already_task")
    if not isinstance(deadline, date):
        raise ValidationFailed(_("完成时限无效。"), code="bad_deadline")
    check_window(PLAN, deadline=deadline)
    plan = plan_get_or_create(actor=actor, region=region, year=deadline.year)
    task = task_create(
        actor=actor,
        plan=plan,
        title=(title or decision.text).strip()[:200],
        owner=owner,
        deadline=deadline,
        description=decision.text,
        source=TaskSource.DECISION,
        source_ref=f"governance.decision:{decision.pk}",
    )
    decision.task_id = task.pk
    decision.save(update_fields=["task_id"])
    return task

"""Needs and tasks with a number of places. Commitments lock the task row, so concurrent
"来" for the last places never over-fill it (and a check constraint backs the rule)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.scope import has_role_at
from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.core.validation import full_clean_or_raise
from xinfeng.volunteers.policy import require_may_take_risky_work, user_leads_team

from ..choices import IncidentAction, NeedStatus
from ..models import Need, NeedCommitment
from ..policy import require_may_run
from .timeline import event_add, require_open

FULL = _("名额已满。")
NEED_CLOSED = _("任务已关闭。")


@transaction.atomic
def need_create(
    *, actor, incident, title: str, region, places: int, place: str = "", risky: bool = False
) -> Need:
    require_may_run(actor, incident)
    require_open(incident)
    if not region.is_within(incident.region):
        raise ValidationFailed(_("任务地点不在事件区划内。"), code="region_outside")
    need = Need(
        incident=incident,
        title=(title or "").strip(),
        region=region,
        place=place or "",
        places=places,
        risky=risky,
        created_by=actor,
    )
    full_clean_or_raise(need, exclude=["incident", "created_by"])
    need.save()
    event_add(incident, IncidentAction.NEED_OPEN, actor, f"{need.title}（{places}）")
    return need


@transaction.atomic
def need_commit(*, actor, need, volunteer=None, team=None, count: int = 1) -> NeedCommitment:
    """Commit to ``count`` places of a task: a volunteer for themself (one place), a team
    leader (or staff) for the team. Locks the task row first: with the last place taken,
    every other commit gets 409."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if (volunteer is None) == (team is None):
        raise ValidationFailed(_("请选择以个人或队伍认领。"), code="bad_commit")
    if count < 1:
        raise ValidationFailed(_("人数至少为 1。"), code="bad_count")
    need = Need.objects.select_for_update().select_related("incident__region").get(pk=need.pk)
    if need.status != NeedStatus.OPEN or not need.incident.is_open:
        raise Conflict(NEED_CLOSED, code="need_closed")
    if volunteer is not None:
        if volunteer.user_id != actor.pk:
            raise PermissionDenied()
        if need.risky:
            require_may_take_risky_work(volunteer)
        count = 1
        if need.commitments.filter(volunteer=volunteer).exists():
            raise Conflict(_("您已认领此任务。"), code="already_committed")
    elif not (user_leads_team(actor, team) or has_role_at(actor, need.incident.region)):
        raise PermissionDenied()
    if need.taken + count > need.places:
        raise Conflict(FULL, code="need_full")
    row = NeedCommitment.objects.create(
        need=need, volunteer=volunteer, team=team, count=count, created_by=actor
    )
    need.taken += count
    need.save(update_fields=["taken"])
    return row


@transaction.atomic
def need_close(*, actor, need) -> Need:
    need = Need.objects.select_for_update().select_related("incident__region").get(pk=need.pk)
    require_may_run(actor, need.incident)
    if need.status != NeedStatus.OPEN:
        raise Conflict(NEED_CLOSED, code="need_closed")
    need.status, need.closed_at = NeedStatus.CLOSED, timezone.now()
    need.save(update_fields=["status", "closed_at"])
    event_add(need.incident, IncidentAction.NEED_CLOSE, actor, need.title)
    return need

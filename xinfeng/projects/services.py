"""Writes of service projects: a site declares, the level above approves, then it runs.

"The level above" is the staff of the owning site's parent site (a role at the parent's
region or higher); the city center's own projects are approved at the center's level.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import has_role_at, require_role_at
from xinfeng.core.errors import Conflict, ValidationFailed
from xinfeng.core.validation import full_clean_or_raise
from xinfeng.places.models import Site
from xinfeng.places.policy import level_above_region

from .choices import PROJECT_TRANSITIONS, ProjectStatus
from .models import Project

EDITABLE = {
    "name",
    "category",
    "summary",
    "description",
    "age_group",
    "is_risky",
    "review_within",
    "dispatch_within",
    "accept_within",
    "start_within",
    "rate_within",
    "outcome_label",
}


# The level above approves (places.policy: one home for "the level above a site").
approver_region = level_above_region


def can_approve(user, project: Project) -> bool:
    if not user.is_authenticated:
        return False
    # A role at the owning site's own region alone is not enough: that is the declarer.
    return has_role_at(user, approver_region(project.site), STAFF_ROLES)


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})


@transaction.atomic
def project_declare(*, actor, site: Site, teams=(), areas=(), **fields) -> Project:
    """A site's staff declare a project (status ``declared``)."""
    require_role_at(actor, site.region, STAFF_ROLES)
    _check_fields(fields)
    project = Project(site=site, region=site.region, declared_by=actor, **fields)
    full_clean_or_raise(project)
    project.save()
    project.teams.set(teams)
    project.areas.set(areas)
    return project


@transaction.atomic
def project_update(*, actor, project: Project, teams=None, areas=None, **fields) -> Project:
    """Edit a project's description, audience, deadlines. Staff of the owning site."""
    _check_fields(fields)
    project = (
        Project.objects.select_for_update(of=("self",)).select_related("site").get(pk=project.pk)
    )
    require_role_at(actor, project.site.region, STAFF_ROLES)
    if project.status == ProjectStatus.RETIRED:
        raise Conflict(_("已停止的项目不能修改。"), code="retired")
    for key, value in fields.items():
        setattr(project, key, value)
    full_clean_or_raise(project)
    project.save()
    if teams is not None:
        project.teams.set(teams)
    if areas is not None:
        project.areas.set(areas)
    return project


def _move(project: Project, action: str) -> None:
    from_states, _to = PROJECT_TRANSITIONS[action]
    if project.status not in from_states:
        raise Conflict(
            _("项目当前状态为“%(s)s”，不能执行此操作。")
            % {"s": ProjectStatus(project.status).label},
            code="invalid_state",
        )


@transaction.atomic
def project_approve(*, actor, project: Project) -> Project:
    """The level above approves a declared project."""
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("site__parent__region", "site__region")
        .get(pk=project.pk)
    )
    require_role_at(actor, approver_region(project.site), STAFF_ROLES)
    _move(project, "approve")
    project.status = ProjectStatus.APPROVED
    project.approved_by = actor
    project.approved_at = timezone.now()
    project.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return project


@transaction.atomic
def project_activate(*, actor, project: Project) -> Project:
    """An approved project goes on the menu (residents can order it)."""
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("site__region")
        .get(pk=project.pk)
    )
    require_role_at(actor, project.site.region, STAFF_ROLES)
    _move(project, "activate")
    project.status = ProjectStatus.ACTIVE
    project.activated_at = timezone.now()
    project.save(update_fields=["status", "activated_at", "updated_at"])
    return project


@transaction.atomic
def project_retire(*, actor, project: Project) -> Project:
    """Take a project off the menu (orders already made carry on)."""
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("site__region")
        .get(pk=project.pk)
    )
    require_role_at(actor, project.site.region, STAFF_ROLES)
    _move(project, "retire")
    project.status = ProjectStatus.RETIRED
    project.retired_at = timezone.now()
    project.save(update_fields=["status", "retired_at", "updated_at"])
    return project


@transaction.atomic
def project_set_demo(*, actor, project: Project, value: bool) -> Project:
    """Put a project forward as (or withdraw it from) a provincial demonstration project.
    Decided at the level above the owning site, and only for approved or running ones."""
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("site__parent__region", "site__region")
        .get(pk=project.pk)
    )
    require_role_at(actor, approver_region(project.site), STAFF_ROLES)
    if value and project.status not in (ProjectStatus.APPROVED, ProjectStatus.ACTIVE):
        raise Conflict(_("只有已审核或运行中的项目可以申报省级示范。"), code="invalid_state")
    project.is_provincial_demo = value
    project.save(update_fields=["is_provincial_demo", "updated_at"])
    return project

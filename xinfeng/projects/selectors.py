"""Reads of service projects. The menu (active projects) is public; declared and retired
ones are visible to staff in scope."""

from django.db.models import Count, Q, QuerySet

from xinfeng.accounts.choices import READ_ROLES
from xinfeng.accounts.scope import scope_paths
from xinfeng.core.errors import NotFound
from xinfeng.regions.models import Region, subtree_q

from .choices import ProjectStatus
from .models import Project


def _visible(user) -> QuerySet:
    qs = Project.objects.select_related("site", "region")
    public = Q(status=ProjectStatus.ACTIVE)
    if not user.is_authenticated:
        return qs.filter(public)
    paths = scope_paths(user, READ_ROLES)
    if paths is None:
        return qs
    if not paths:
        return qs.filter(public)
    return qs.filter(public | subtree_q(paths, "region__path"))


def project_list(
    *,
    user,
    category: str | None = None,
    status: str | None = None,
    site_id: int | None = None,
    demo: bool | None = None,
    q: str | None = None,
    orderable_at: Region | None = None,
) -> QuerySet:
    qs = _visible(user)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if demo is not None:
        qs = qs.filter(is_provincial_demo=demo)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(summary__icontains=q))
    if orderable_at is not None:
        # Active, and either no area list and the owning site's area covers the place,
        # or an area in the list covers it.
        prefixes = [orderable_at.path[:i] for i in range(8, len(orderable_at.path) + 1, 8)]
        qs = (
            qs.filter(status=ProjectStatus.ACTIVE)
            .filter(Q(areas__path__in=prefixes) | Q(areas__isnull=True, region__path__in=prefixes))
            .distinct()
        )
    return qs


def project_get(*, user, project_id: int) -> Project:
    project = _visible(user).filter(pk=project_id).first()
    if project is None:
        raise NotFound()
    return project


def pending_approval(*, user) -> QuerySet:
    """Declared projects of sites below the user's level, waiting for approval."""
    paths = scope_paths(user, READ_ROLES)
    qs = Project.objects.select_related("site", "site__parent", "region").filter(
        status=ProjectStatus.DECLARED
    )
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    return qs.filter(
        subtree_q(paths, "site__parent__region__path")
        | Q(site__parent__isnull=True, region__path__in=paths)
    )


# Projects the figures count: every project not retired (declared, approved or running).
COUNTED_STATUSES = (ProjectStatus.DECLARED, ProjectStatus.APPROVED, ProjectStatus.ACTIVE)


def project_counts() -> dict:
    """The two project figures pages show, counted one way everywhere (home, menu and the
    dashboard's rollup): ``total`` projects not retired, of which ``orderable`` are running
    and can be ordered from the menu."""
    by_status = dict(
        Project.objects.filter(status__in=COUNTED_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "total": sum(by_status.values()),
        "orderable": by_status.get(ProjectStatus.ACTIVE, 0),
    }

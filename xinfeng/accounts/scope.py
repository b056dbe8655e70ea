"""The one scoping mechanism every selector and API uses.

A role held at a region covers the region's subtree. ``restrict(qs, user, ...)`` filters a
queryset to what the user may see; objects outside it answer 404 exactly like missing
ones (``get_in_scope``). System administrators see everything.
"""

from django.db.models import QuerySet

from xinfeng.core.errors import NotAuthenticated, NotFound, PermissionDenied
from xinfeng.regions.models import Region, subtree_q

from .choices import READ_ROLES, STAFF_ROLES, Role


def _assignments(user):
    cache = getattr(user, "_xf_roles", None)
    if cache is None:
        cache = (
            list(user.role_assignments.select_related("region")) if user.is_authenticated else []
        )
        user._xf_roles = cache
    return cache


def is_system_admin(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(a.role == Role.SYSTEM_ADMIN for a in _assignments(user))


def roles_of(user) -> set[str]:
    return {a.role for a in _assignments(user)}


def scope_paths(user, roles=READ_ROLES) -> list[str] | None:
    """Region paths whose subtrees the user covers with any of ``roles``.

    ``None`` means everything (system administrator); ``[]`` means nothing.
    """
    if is_system_admin(user):
        return None
    paths = sorted({a.region.path for a in _assignments(user) if a.role in roles})
    # Drop paths already covered by an ancestor path: fewer OR branches in the query.
    kept: list[str] = []
    for p in paths:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return kept


def is_staff_anywhere(user) -> bool:
    """Whether the user holds a staff role somewhere (or administers the system): the one
    answer to "may this person use the staff pages at all" (the 管理 entry, 代点单, auto
    dispatch, the staff project list). What they may do where is still ``has_role_at``."""
    return bool(user is not None and user.is_authenticated) and scope_paths(user, STAFF_ROLES) != []


def reads_anywhere(user) -> bool:
    """Whether the user holds a reading role somewhere (staff or leader): the dashboard."""
    return bool(user is not None and user.is_authenticated) and scope_paths(user, READ_ROLES) != []


def restrict(qs: QuerySet, user, *, path_field: str = "region__path", roles=READ_ROLES) -> QuerySet:
    paths = scope_paths(user, roles)
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    return qs.filter(subtree_q(paths, path_field))


def get_in_scope(
    qs: QuerySet, user, *, path_field: str = "region__path", roles=READ_ROLES, **lookup
):
    """The object matching ``lookup`` within the user's scope, or ``NotFound``."""
    obj = restrict(qs, user, path_field=path_field, roles=roles).filter(**lookup).first()
    if obj is None:
        raise NotFound()
    return obj


def has_role_at(user, region: Region, roles=STAFF_ROLES) -> bool:
    """Whether the user holds one of ``roles`` at ``region`` or one of its ancestors."""
    if is_system_admin(user):
        return True
    return any(
        a.role in roles and region.path.startswith(a.region.path) for a in _assignments(user)
    )


def require_role_at(user, region: Region, roles=STAFF_ROLES) -> None:
    if not user.is_authenticated:
        raise NotAuthenticated()
    if not has_role_at(user, region, roles):
        raise PermissionDenied()


def can_manage(user, region: Region) -> bool:
    return has_role_at(user, region, STAFF_ROLES)


def department_roles(user) -> list[tuple[str, Region]]:
    """(department code, region) of each guiding-department role (``Role.DEPARTMENT``)
    the user holds: the department reads what it guides there and writes nothing."""
    if user is None or not user.is_authenticated:
        return []
    return [(a.department, a.region) for a in _assignments(user) if a.role == Role.DEPARTMENT]

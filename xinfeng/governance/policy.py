"""Who may do what in governance. Each rule is used by services, pages, API and
templates alike.

- The responsible person (一把手) and the staff of a site are recorded by the level above
  it (``places.policy.level_above_region``: an institute's staff for a village station, the
  center for an institute; the center records its own), as the Party committee above
  appoints them.
- A leading group is kept by the staff of its own level (or above).
- Reading: staff and leaders of the region (``READ_ROLES``); a handover also by its
  successor and predecessor; the department view by guiding departments of the region.
- A guiding department (``Role.DEPARTMENT``) writes nothing anywhere
  (``governance.middleware.DepartmentReadOnlyMiddleware``).
"""

from django.core.cache import cache
from django.db import transaction

from xinfeng.accounts.choices import READ_ROLES, STAFF_ROLES, Role
from xinfeng.accounts.models import RoleAssignment
from xinfeng.accounts.scope import department_roles, has_role_at, is_system_admin, reads_anywhere
from xinfeng.places.choices import SiteLevel
from xinfeng.places.policy import level_above_region

from .choices import GUIDING_DEPARTMENTS

# Sites that have a responsible person and staff of their own (points are run by their
# host unit or the station above them).
GOVERNED_LEVELS = (SiteLevel.CENTER, SiteLevel.INSTITUTE, SiteLevel.STATION)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def may_appoint_at(user, site) -> bool:
    """Whether ``user`` may record the responsible person, the staff and a handover of
    ``site``: a staff role at the level above it (or above that)."""
    return _signed_in(user) and has_role_at(user, level_above_region(site), STAFF_ROLES)


def may_read_site_people(user, site) -> bool:
    """Whether ``user`` sees the terms, staff and handovers of ``site``: staff or leaders
    of its region or above."""
    return _signed_in(user) and has_role_at(user, site.region, READ_ROLES)


def may_read_handover(user, handover) -> bool:
    """The handover's successor and predecessor see it, besides readers of the site."""
    if not _signed_in(user):
        return False
    if user.pk in (handover.successor_id, handover.predecessor_id):
        return True
    return may_read_site_people(user, handover.site)


def may_keep_group(user, region) -> bool:
    """Whether ``user`` may change the leading group of ``region`` (members, meetings,
    decisions): a staff role at that region or above."""
    return _signed_in(user) and has_role_at(user, region, STAFF_ROLES)


def departments_of(user) -> list[tuple[str, object]]:
    """The (department code, region) pairs of the user's guiding-department roles."""
    return [
        (code, region) for code, region in department_roles(user) if code in GUIDING_DEPARTMENTS
    ]


_DEPARTMENT_IDS_KEY = "xinfeng:governance:department-user-ids"


def department_user_ids() -> frozenset[int]:
    """Ids of every account holding a guiding-department role: few, read on every write
    request by the read-only middleware, so kept in the cache (forgotten when a role
    changes, and after five minutes at most) instead of a role query per write."""
    ids = cache.get(_DEPARTMENT_IDS_KEY)
    if ids is None:
        ids = frozenset(
            RoleAssignment.objects.filter(role=Role.DEPARTMENT).values_list("user_id", flat=True)
        )
        cache.set(_DEPARTMENT_IDS_KEY, ids, 300)
    return ids


def forget_department_users(**kwargs) -> None:
    """A role changed: forget the set now (this transaction) and again on commit (so no
    other process keeps a set read before the commit)."""
    cache.delete(_DEPARTMENT_IDS_KEY)
    transaction.on_commit(lambda: cache.delete(_DEPARTMENT_IDS_KEY))


def is_department_user(user) -> bool:
    """Whether the user holds a guiding-department role (and is not a system
    administrator): such accounts only read."""
    if not _signed_in(user) or user.pk not in department_user_ids() or is_system_admin(user):
        return False
    return bool(department_roles(user))


def may_see_department_view(user) -> bool:
    """The department dashboard: guiding departments, staff and leaders."""
    return bool(departments_of(user)) or (_signed_in(user) and reads_anywhere(user))

"""Who may do what with work plans and demonstration sites: one function per rule, used by
services, pages, API and templates alike.

- Reading a plan: readers (staff or leaders) of its region's subtree — the level above sees
  every plan below it — and readers below it (a village station reads its township's and
  the city's plan, to see the tasks it answers for). Another township's plan is not found.
- Editing a plan (goals, tasks, anyone's task status): staff at the plan's region or above
  (a station operator of a village cannot edit the township's plan: 403).
- A task's owner may update its status and add evidence.
- Designating and reviewing demonstration sites: staff at the level above the township
  (the city's center), never the township itself.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from xinfeng.accounts.choices import READ_ROLES, STAFF_ROLES
from xinfeng.accounts.scope import has_role_at, is_system_admin, scope_paths
from xinfeng.places.models import Site
from xinfeng.regions.models import PATH_SEGMENT, Region, subtree_q


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def readable_region_q(user, field: str = "region__path") -> Q | None:
    """Q over a region path: the user's reading subtrees and the regions above them.
    ``None`` means everything (system administrator)."""
    paths = scope_paths(user, READ_ROLES)
    if paths is None:
        return None
    if not paths:
        return Q(pk__in=[])
    ancestors = {p[:i] for p in paths for i in range(PATH_SEGMENT, len(p), PATH_SEGMENT)}
    q = subtree_q(paths, field)
    if ancestors:
        q |= Q(**{f"{field}__in": sorted(ancestors)})
    return q


def may_read_plan(user, plan) -> bool:
    """Readers of the plan's region's subtree, or of a region below it."""
    if not _signed_in(user):
        return False
    if is_system_admin(user):
        return True
    path = plan.region.path
    return any(
        path.startswith(p) or p.startswith(path) for p in scope_paths(user, READ_ROLES) or []
    )


def may_create_plan(user, region: Region) -> bool:
    """Staff at the region or above issue its work plan."""
    return _signed_in(user) and has_role_at(user, region, STAFF_ROLES)


def may_edit_plan(user, plan) -> bool:
    """Staff at the plan's region or above: goals, tasks, any task's status."""
    return _signed_in(user) and has_role_at(user, plan.region, STAFF_ROLES)


def may_update_task(user, task) -> bool:
    """The task's owner, or whoever may edit its plan."""
    return _signed_in(user) and (task.owner_id == user.pk or may_edit_plan(user, task.plan))


# Rules higher apps add (from their AppConfig.ready) for who else works inside an area,
# e.g. governance: the 一把手 in office at a site there. Each is ``rule(owner, region)``.
_OWNER_RULES: list = []


def register_owner_rule(rule) -> None:
    """Let a higher app say that ``owner`` works inside ``region`` (``rule(owner, region)
    -> bool``); registering the same function twice is a no-op."""
    if rule not in _OWNER_RULES:
        _OWNER_RULES.append(rule)


def owner_candidates(region: Region):
    """Who works inside ``region``'s subtree and so may own a task of its plan: active
    accounts with a staff or leader role there (or below), or the responsible person or an
    operator of a site there. One set for the service's check, the task form and its owner
    picker (``/workplans/pick/owners/``), so the picker offers exactly whom the form and
    the API accept."""
    User = get_user_model()
    by_role = User.objects.filter(
        subtree_q([region.path], "role_assignments__region__path"),
        role_assignments__role__in=READ_ROLES,
    ).values("pk")
    sites = Site.objects.filter(subtree_q([region.path], "region__path"))
    by_post = sites.filter(responsible_user__isnull=False).values("responsible_user")
    by_seat = Site.operators.through.objects.filter(site__in=sites.values("pk")).values("user")
    return User.objects.filter(
        Q(pk__in=by_role) | Q(pk__in=by_post) | Q(pk__in=by_seat), is_active=True
    ).order_by("display_name", "id")


def owner_in_area(owner, region: Region) -> bool:
    """Whether ``owner`` works inside ``region``'s subtree (``owner_candidates``), or a
    rule a higher app registered says so (``register_owner_rule``)."""
    if owner is None or not owner.is_active:
        return False
    if any(rule(owner, region) for rule in _OWNER_RULES):
        return True
    return owner_candidates(region).filter(pk=owner.pk).exists()


def designating_region(township: Region) -> Region:
    """Demonstration sites of a township are designated by the level above it."""
    return township.parent or township


def may_designate(user, township: Region) -> bool:
    """Staff at the level above the township (or higher) designate and review its
    demonstration sites; the township's own staff do not."""
    return _signed_in(user) and has_role_at(user, designating_region(township), STAFF_ROLES)


def may_read_designations(user) -> bool:
    """Demonstration sites are public (map, directory); the rule page is for readers."""
    return True

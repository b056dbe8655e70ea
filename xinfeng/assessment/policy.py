"""Who may do what in assessment and the funding ledger (one function per rule)."""

from django.utils.translation import gettext_lazy as _

from xinfeng.accounts.choices import READ_ROLES, STAFF_ROLES
from xinfeng.accounts.scope import has_role_at, is_system_admin
from xinfeng.places.policy import level_above_region
from xinfeng.regions.models import Region

NOT_OWN_LINE = _("不能审批自己录入的台账记录。")
NOT_LEVEL_ABOVE = _("只有上一级单位可以审批。")


def paying_region(line) -> Region:
    """The place whose money a line moves: the giver of an allocation (the receiver of a
    budget, which has no giver), the spender of an expenditure."""
    from_region = getattr(line, "from_region", None)
    return from_region if from_region is not None else line.region


def approval_region(line) -> Region | None:
    """The level above the paying place, which approves the line: for a line naming a site,
    ``places.policy.level_above_region`` of that site; otherwise the paying region's
    parent. ``None`` for the root of the tree: only a system administrator approves there."""
    payer = paying_region(line)
    site = getattr(line, "site", None)
    if site is not None and site.region_id == payer.pk:
        above = level_above_region(site)
        if above.pk != payer.pk:
            return above
    return payer.parent


def may_record(user, region: Region) -> bool:
    """Staff of a place (or above) record its budgets, allocations and expenditures."""
    return bool(user and user.is_authenticated) and has_role_at(user, region, STAFF_ROLES)


def may_approve(user, line) -> bool:
    """Staff of the level above the paying place approve a line, never its own author and
    never the paying place itself (a township does not approve its own spending)."""
    if not (user and user.is_authenticated):
        return False
    if line.created_by_id is not None and line.created_by_id == user.pk:
        return False
    above = approval_region(line)
    if above is None:
        return is_system_admin(user)
    return has_role_at(user, above, STAFF_ROLES)


def may_read_funding(user, region: Region) -> bool:
    """Staff and leaders read the books of their subtree."""
    return bool(user and user.is_authenticated) and has_role_at(user, region, READ_ROLES)


def may_edit_scheme(user, scheme) -> bool:
    """Staff of the place that owns a scheme build and publish it."""
    return may_record(user, scheme.region)


def is_inspector_for(user, scheme, region) -> bool:
    """An inspector of ``scheme`` assigned to ``region`` or a place above it."""
    if not (user and user.is_authenticated):
        return False
    from .models import InspectorAssignment

    return any(
        region.path.startswith(path)
        for path in InspectorAssignment.objects.filter(scheme=scheme, user=user).values_list(
            "region__path", flat=True
        )
    )


def is_party_to(user, scheme, unit) -> bool:
    """Whether the user is on the assessed side of a unit (and so may not score it): holds
    any role at the unit's place, below it, or at a place between it and the assessing
    level (a township's staff under a city's scheme are a party to its villages); for a
    site, is its responsible person or an operator; for a team, an active member."""
    if not (user and user.is_authenticated):
        return False
    unit_path, top = unit.region.path, scheme.region.path
    for path in user.role_assignments.values_list("region__path", flat=True):
        below_top = path != top and path.startswith(top)
        if path.startswith(unit_path) or (below_top and unit_path.startswith(path)):
            return True
    if unit.site is not None:
        if unit.site.responsible_user_id == user.pk:
            return True
        if unit.site.operators.filter(pk=user.pk).exists():
            return True
    if unit.team is not None:
        from xinfeng.volunteers.choices import MembershipStatus

        if unit.team.memberships.filter(
            volunteer__user=user, status=MembershipStatus.ACTIVE
        ).exists():
            return True
    return False


def may_score(user, scheme, unit) -> bool:
    """Who records a manual standard's score for a unit: an inspector assigned to its area,
    or staff of the assessing level (the place that owns the scheme, or above) — never
    someone on the assessed side of it (``is_party_to``)."""
    if not (user and user.is_authenticated):
        return False
    if is_party_to(user, scheme, unit):
        return False
    return is_inspector_for(user, scheme, unit.region) or has_role_at(
        user, scheme.region, STAFF_ROLES
    )


def may_state(user, score) -> bool:
    """Staff of the assessed place add its statement (before confirmation)."""
    return may_record(user, score.region)


def may_confirm(user, score) -> bool:
    """Staff of the level above the assessed place confirm its manual scores: never the
    place itself (a township does not confirm its own), nor the inspector who scored."""
    if not (user and user.is_authenticated) or score.inspector_id == user.pk:
        return False
    above = score.region.parent
    if above is None:
        return is_system_admin(user)
    return has_role_at(user, above, STAFF_ROLES)

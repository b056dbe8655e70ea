"""Which audit events a staff user may inspect (the audit log admin, issue 10 defect 6).

Audit events carry no region (their object may be a user, a volunteer, a token, an
import...), so they are scoped by their **actor**: a staff user sees the events of people
who work only inside the staff user's subtree — every role the actor holds lies in it.
Events by anonymous callers (failed logins), by superusers, or by anyone holding a role
above or beside that subtree (a city-wide administrator, a leader of another township) are
for system administrators only, so a station operator never sees city-wide actors or
their IP addresses.
"""

from django.db.models import Exists, OuterRef, QuerySet

from xinfeng.core.models import AuditEvent
from xinfeng.regions.models import subtree_q

from .choices import STAFF_ROLES
from .models import RoleAssignment
from .scope import is_system_admin, scope_paths


def audit_events_visible(user, qs: QuerySet | None = None) -> QuerySet:
    qs = AuditEvent.objects.all() if qs is None else qs
    if is_system_admin(user):
        return qs
    paths = scope_paths(user, STAFF_ROLES)
    if not paths:
        return qs.none()
    inside = subtree_q(paths, "region__path")
    roles = RoleAssignment.objects.filter(user=OuterRef("actor"))
    return qs.filter(
        Exists(roles.filter(inside)),
        actor__is_superuser=False,
    ).exclude(Exists(roles.exclude(inside)))

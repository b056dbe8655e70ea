"""The named yes/no rules of emergency mode, used by services, pages and the API alike.

- ``may_declare``: center staff declare anywhere in their area, an institute for its
  township; station operators never declare (403).
- ``may_run``: the staff of the incident's region run it day to day (call-outs, tasks,
  stations, sitreps, notices).
- ``may_be_called``: who a call-out may reach at all (an account to answer from, the
  privacy consent, a guardian's consent under 14) and, for risky work, only adults
  (``volunteers.policy.volunteer_may_take_risky_work``).
"""

from django.utils.translation import gettext_lazy as _

from xinfeng.accounts.choices import STAFF_ROLES, Role
from xinfeng.accounts.scope import has_role_at
from xinfeng.core.errors import NotAuthenticated, PermissionDenied
from xinfeng.volunteers.policy import needs_guardian_consent, volunteer_may_take_risky_work

DECLARE_ROLES = (Role.INSTITUTE_ADMIN, Role.CENTER_ADMIN, Role.SYSTEM_ADMIN)
NOT_DECLARER = _("只有实践中心或本乡镇实践所的工作人员可以启动或结束应急响应。")
NOT_RUNNER = _("只有事件所在区划的工作人员可以执行此操作。")


def may_declare(user, region) -> bool:
    """Whether ``user`` may declare (or close) an incident at ``region``."""
    return bool(user and user.is_authenticated) and has_role_at(user, region, DECLARE_ROLES)


def require_may_declare(user, region) -> None:
    if not user.is_authenticated:
        raise NotAuthenticated()
    if not may_declare(user, region):
        raise PermissionDenied(NOT_DECLARER, code="not_declarer")


def may_run(user, incident) -> bool:
    """Whether ``user`` may run ``incident`` (staff at its region or above)."""
    return bool(user and user.is_authenticated) and has_role_at(user, incident.region, STAFF_ROLES)


def require_may_run(user, incident) -> None:
    if not user.is_authenticated:
        raise NotAuthenticated()
    if not may_run(user, incident):
        raise PermissionDenied(NOT_RUNNER, code="not_runner")


def may_be_called(volunteer, *, risky: bool, today=None) -> bool:
    """Whether a call-out may reach ``volunteer``: active, with an account, the privacy
    notice accepted, a guardian's consent when under 14, and for risky work an adult
    (ages on ``today``, default the local date: a call-out to thousands asks it once)."""
    if not volunteer.is_active or not volunteer.user_id or not volunteer.privacy_notice_version:
        return False
    if needs_guardian_consent(volunteer, today) and not volunteer.guardian_consented_at:
        return False
    return volunteer_may_take_risky_work(volunteer, today) if risky else True

"""Rules other apps ask about a volunteer (orders, activities, emergency call these).

- ``volunteer_may_take_risky_work``: minors (and anyone whose age is unknown) are never put
  on emergency or risky work (志愿服务条例; design.md "Volunteer regulations").
- ``volunteer_has_location_consent``: geofence check-in needs the separate location
  consent (个人信息保护法: sensitive personal information needs separate consent).
- Hours (志愿服务记录与证明出具办法: the organiser records the real service):
  ``min_service_hours`` (below it nothing is credited), ``hours_change_needs_reason``
  (a confirmed figure far from the one the times give must say why),
  ``hours_dispute_window`` (how long a member may dispute a record) and
  ``may_resolve_hours_dispute`` (who settles a dispute).
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import scope_paths
from xinfeng.core.errors import NotAuthenticated, PermissionDenied
from xinfeng.core.versions import CacheVersion
from xinfeng.volunteers.choices import MembershipRole, MembershipStatus
from xinfeng.volunteers.models import Team, TeamMembership, Volunteer

GUARDIAN_CONSENT_AGE = 14
ADULT_AGE = 18
MINOR_RISKY_WORK = _("未成年志愿者不能参加应急或有危险的志愿服务。")
NO_LOCATION_CONSENT = _("该志愿者未同意定位授权，不能使用定位签到。")


def volunteer_may_take_risky_work(volunteer: Volunteer, day=None) -> bool:
    """True only for an active volunteer known to be 18 or older today (or on ``day``)."""
    age = volunteer.age_on(day)
    return volunteer.is_active and age is not None and age >= ADULT_AGE


def require_may_take_risky_work(volunteer: Volunteer) -> None:
    """Raise ``PermissionDenied`` (403) with a clear message unless the volunteer may be put
    on emergency or risky work."""
    if not volunteer_may_take_risky_work(volunteer):
        raise PermissionDenied(MINOR_RISKY_WORK, code="minor_risky_work")


def team_is_risky(team) -> bool:
    """Emergency work: a team on 24-hour standby or serving the emergency category."""
    return bool(team.standby_24h) or "emergency" in (team.service_categories or [])


def volunteer_has_location_consent(volunteer: Volunteer) -> bool:
    return volunteer.location_consented_at is not None


def require_location_consent(volunteer: Volunteer) -> None:
    if not volunteer_has_location_consent(volunteer):
        raise PermissionDenied(NO_LOCATION_CONSENT, code="no_location_consent")


def needs_guardian_consent(volunteer: Volunteer, day=None) -> bool:
    age = volunteer.age_on(day)
    return age is not None and age < GUARDIAN_CONSENT_AGE


def _leader_memberships(user):
    return TeamMembership.objects.filter(
        volunteer__user=user, role=MembershipRole.LEADER, status=MembershipStatus.ACTIVE
    )


def user_leads_team(user, team) -> bool:
    """Whether ``user`` is an active leader (队长) of ``team`` — the one answer to "leads this
    team", used by orders (accept, name members, confirm hours), rooms (book for the team),
    hours disputes and the volunteers pages."""
    if team is None or user is None or not user.is_authenticated:
        return False
    return _leader_memberships(user).filter(team=team).exists()


LEADS_ANY_TTL = 60  # seconds a cached "leads a team" answer may lag a membership change


_leaders_version_key = CacheVersion("xf:team-leaders:v")
_leaders_version = _leaders_version_key.get


def forget_team_leaders(**kwargs) -> None:
    """Signal receiver: a membership or team changed, so cached answers are stale here."""
    _leaders_version_key.bump()


def leads_any_team(user) -> bool:
    """Whether ``user`` actively leads an active team (the menu's 接单). Cached per person;
    a membership change in this process forgets every answer at once, elsewhere within
    ``LEADS_ANY_TTL`` seconds."""
    if user is None or not user.is_authenticated:
        return False
    key = f"xf:leads-any:{user.pk}:{_leaders_version()}"
    answer = cache.get(key)
    if answer is None:
        answer = _leader_memberships(user).filter(team__is_active=True).exists()
        cache.set(key, answer, LEADS_ANY_TTL)
    return answer


def led_teams(user):
    """The active teams ``user`` actively leads, as a queryset of ``Team``."""
    if user is None or not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(is_active=True, pk__in=_leader_memberships(user).values("team_id"))


# Exports of personal data (names with full phones, service records) carry what `reveal`
# shows one field at a time, so they need the same entitlement: a staff role, and they
# cover only the staff scope (volunteers of its home regions, records served in it).
# Read-only leaders, team leaders, volunteers and residents get 403 (issue 10).
EXPORT_ROLES = STAFF_ROLES
EXPORT_FORBIDDEN = _("导出含个人信息，仅限工作人员（与查看完整手机号的权限相同）。")


def may_export_personal_data(user) -> bool:
    if not user.is_authenticated:
        return False
    return scope_paths(user, EXPORT_ROLES) != []


def require_may_export_personal_data(user) -> None:
    if not user.is_authenticated:
        raise NotAuthenticated()
    if not may_export_personal_data(user):
        raise PermissionDenied(EXPORT_FORBIDDEN, code="export_forbidden")


def min_service_hours() -> Decimal:
    """The least service that is credited (``XINFENG_MIN_SERVICE_MINUTES``, default 30):
    a check-in/out or a confirmed figure below it earns no record."""
    minutes = Decimal(str(getattr(settings, "XINFENG_MIN_SERVICE_MINUTES", 30)))
    return (minutes / Decimal(60)).quantize(Decimal("0.01"))


# A confirmed figure "differs a lot" from the default when it is off by more than both.
REASON_OVER_HOURS = Decimal("0.5")
REASON_OVER_SHARE = Decimal("0.25")


def hours_change_needs_reason(default, hours) -> bool:
    """Whether confirming ``hours`` where the times give ``default`` needs a reason: the
    two differ by more than half an hour and by more than a quarter of the default."""
    default, hours = Decimal(default), Decimal(hours)
    diff = abs(hours - default)
    return diff > REASON_OVER_HOURS and diff > REASON_OVER_SHARE * default


def hours_dispute_window() -> timedelta:
    """How long after a record is written its volunteer may dispute it
    (``XINFENG_HOURS_DISPUTE_DAYS``, default 7)."""
    return timedelta(days=int(getattr(settings, "XINFENG_HOURS_DISPUTE_DAYS", 7)))


def may_resolve_hours_dispute(user, record) -> bool:
    """Who settles a dispute about ``record``: whoever confirmed it (the organiser or team
    leader), a leader of the team it was served with, or staff of its region."""
    from xinfeng.accounts.scope import has_role_at

    if user is None or not user.is_authenticated:
        return False
    if record.verified_by_id == user.pk:
        return True
    if record.team_id and user_leads_team(user, record.team):
        return True
    return has_role_at(user, record.region)

"""Standby rosters (备勤): a team's shifts, unavailability, emergency skills and home
village. Leaders of the team or staff of its region edit the roster."""

from datetime import datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.scope import has_role_at
from xinfeng.core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.core.validation import PLAN, check_window, full_clean_or_raise
from xinfeng.volunteers.choices import MembershipStatus
from xinfeng.volunteers.policy import user_leads_team

from ..choices import EmergencySkill
from ..models import EmergencyProfile, StandbyShift, Unavailability

DAY = 1440
WEEK = 7 * DAY
NOT_ROSTER_KEEPER = _("只有队长或所在区划的工作人员可以编排备勤。")


def may_keep_roster(user, team) -> bool:
    """The team's leaders and the staff of its region keep its roster."""
    if not user.is_authenticated:
        return False
    return user_leads_team(user, team) or has_role_at(user, team.region)


def _require_roster_keeper(user, team) -> None:
    if not user.is_authenticated:
        raise NotAuthenticated()
    if not may_keep_roster(user, team):
        raise PermissionDenied(NOT_ROSTER_KEEPER, code="not_roster_keeper")


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def shift_intervals(weekdays, start: time, end: time) -> list[tuple[int, int]]:
    """The minutes of the week a shift covers, as [from, to) pieces; an end at or before
    the start runs past midnight (equal times mean a full 24 hours)."""
    duration = (_minutes(end) - _minutes(start)) % DAY or DAY
    out = []
    for d in sorted(set(weekdays)):
        a = d * DAY + _minutes(start)
        b = a + duration
        if b <= WEEK:
            out.append((a, b))
        else:  # Sunday night into Monday morning
            out += [(a, WEEK), (0, b - WEEK)]
    return out


def _overlaps(x, y) -> bool:
    return any(a < d and c < b for a, b in x for c, d in y)


def _check_weekdays(weekdays) -> list[int]:
    if not isinstance(weekdays, list | tuple) or not weekdays:
        raise ValidationFailed(_("请选择班次的星期（0=周一 … 6=周日）。"), code="bad_weekdays")
    if any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in weekdays):
        raise ValidationFailed(_("星期只能是 0（周一）到 6（周日）。"), code="bad_weekdays")
    return sorted(set(weekdays))


@transaction.atomic
def shift_create(
    *, actor, team, name: str, weekdays, start_time: time, end_time: time, members=()
) -> StandbyShift:
    """Add a standby shift to ``team``'s rota. Shifts of one team may not overlap (a rota
    cuts the week into shifts); members must be active members of the team."""
    _require_roster_keeper(actor, team)
    weekdays = _check_weekdays(weekdays)
    # Lock the team's shifts so two concurrent edits cannot both slip an overlap in.
    existing = list(StandbyShift.objects.select_for_update().filter(team=team))
    mine = shift_intervals(weekdays, start_time, end_time)
    for other in existing:
        if _overlaps(mine, shift_intervals(other.weekdays, other.start_time, other.end_time)):
            raise ValidationFailed(
                _("与班次“%(n)s”时间重叠。") % {"n": other.name}, code="shift_overlap"
            )
    members = list(members)
    active = set(
        team.memberships.filter(status=MembershipStatus.ACTIVE).values_list(
            "volunteer_id", flat=True
        )
    )
    strangers = [v.name for v in members if v.pk not in active]
    if strangers:
        raise ValidationFailed(
            _("不是本队成员：%(n)s") % {"n": "、".join(strangers)}, code="not_member"
        )
    shift = StandbyShift(
        team=team,
        name=(name or "").strip(),
        weekdays=weekdays,
        start_time=start_time,
        end_time=end_time,
    )
    full_clean_or_raise(shift, exclude=["team"])
    shift.save()
    shift.members.set(members)
    return shift


@transaction.atomic
def shift_delete(*, actor, shift) -> None:
    _require_roster_keeper(actor, shift.team)
    shift.delete()


@transaction.atomic
def unavailability_add(
    *, actor, volunteer, starts_at: datetime, ends_at: datetime, reason: str = ""
) -> Unavailability:
    """Record when ``volunteer`` cannot be called: by the volunteer, a leader of one of
    their teams or staff of their region."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    own = volunteer.user_id == actor.pk
    leads = any(
        user_leads_team(actor, m.team)
        for m in volunteer.memberships.filter(status=MembershipStatus.ACTIVE).select_related("team")
    )
    if not (own or leads or has_role_at(actor, volunteer.home_region)):
        raise PermissionDenied(NOT_ROSTER_KEEPER, code="not_roster_keeper")
    check_window(PLAN, starts_at=starts_at, ends_at=ends_at)
    if ends_at <= starts_at:
        raise ValidationFailed(_("结束时间必须晚于开始时间。"), code="bad_period")
    check_window(PLAN, starts_at=starts_at, ends_at=ends_at)
    row = Unavailability(volunteer=volunteer, starts_at=starts_at, ends_at=ends_at, reason=reason)
    full_clean_or_raise(row, exclude=["volunteer"])
    row.save()
    return row


@transaction.atomic
def profile_set(*, actor, volunteer, skills=None, home_village=None) -> EmergencyProfile:
    """Set a volunteer's emergency skills and home village (the volunteer or staff)."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if volunteer.user_id != actor.pk and not has_role_at(actor, volunteer.home_region):
        raise PermissionDenied()
    profile, _created = EmergencyProfile.objects.get_or_create(volunteer=volunteer)
    if skills is not None:
        bad = [s for s in skills if s not in EmergencySkill.values]
        if bad:
            raise ValidationFailed(
                _("未知的应急技能：%(s)s") % {"s": ", ".join(map(str, bad))}, code="bad_skill"
            )
        profile.skills = sorted(set(skills))
    if home_village is not None:
        profile.home_village = home_village
    profile.save()
    return profile


def on_standby_ids(team_ids=None, when=None) -> set[int]:
    """Volunteer ids on standby at ``when`` (now): in a shift of the rota covering it and
    not unavailable then."""
    when = timezone.localtime(when or timezone.now())
    minute = when.weekday() * DAY + when.hour * 60 + when.minute
    shifts = StandbyShift.objects.prefetch_related("members")
    if team_ids is not None:
        shifts = shifts.filter(team_id__in=list(team_ids))
    ids: set[int] = set()
    for s in shifts:
        if any(a <= minute < b for a, b in shift_intervals(s.weekdays, s.start_time, s.end_time)):
            ids.update(m.pk for m in s.members.all())
    if ids:
        ids -= set(
            Unavailability.objects.filter(
                volunteer_id__in=ids, starts_at__lte=when, ends_at__gt=when
            ).values_list("volunteer_id", flat=True)
        )
    return ids

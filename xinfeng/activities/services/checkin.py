"""Check-in and check-out by QR code, 6-digit code or geofence; hours the organiser confirms.

Hours (issue 11): the time between check-in and check-out *clipped to the activity* (a
check-in before the start counts from the start, a check-out after the end up to the end)
is a *default*. A volunteer's self check-out (and a forgotten one closed by the worker)
leaves the hours pending; the organiser confirms them (``attendance_hours_confirm``: the
default or another figure within bounds, a reason when far from it, 0 = none). An
organiser checking a person out confirms at once. Below the minimum
(``volunteers.policy.min_service_hours``) nothing is credited; a 0-hour record is never
written.

The QR code carries a URL with a signed token naming the activity, so a code printed for
one activity cannot be used at another. The 6-digit code is the activity's own. A geofence
check-in needs the person's location consent and a position within the site's radius
(haversine distance to the activity's coordinates).
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.errors import Conflict, NotAuthenticated, Throttled, ValidationFailed
from xinfeng.notifications.services import notify
from xinfeng.volunteers.choices import ServiceSource, Verification
from xinfeng.volunteers.models import ServiceRecord
from xinfeng.volunteers.policy import hours_change_needs_reason, min_service_hours
from xinfeng.volunteers.services.ledger import HOURS_STEP, hours_between, service_record_create

from .. import texts as T
from ..choices import ActivityState, CheckMethod
from ..geo import haversine_m
from ..models import Activity, ActivitySiteSettings, Attendance
from ..permissions import require_organiser
from ._common import bump, lock
from .signups import require_eligible

QR_SALT = "xinfeng.activities.checkin"
VERIFICATION = {
    CheckMethod.QR: Verification.QR,
    CheckMethod.CODE: Verification.CODE,
    CheckMethod.GEOFENCE: Verification.GEOFENCE,
    CheckMethod.ORGANISER: Verification.LEADER,
    CheckMethod.AUTO: Verification.AUTO_CLOSED,
}
SELF_METHODS = (CheckMethod.QR, CheckMethod.CODE, CheckMethod.GEOFENCE)


def qr_token(activity: Activity) -> str:
    """The signed token in the activity's check-in QR code: ``<id>.<nonce>:<signature>``
    (short, so the printed code stays easy to scan)."""
    return signing.Signer(salt=QR_SALT).sign(f"{activity.pk}.{activity.qr_nonce}")


def _check_qr(activity: Activity, token: str) -> None:
    try:
        value = signing.Signer(salt=QR_SALT).unsign(token or "")
    except signing.BadSignature as exc:
        raise ValidationFailed(_("二维码无效，请重新扫描。"), code="bad_qr") from exc
    pk, _dot, nonce = value.partition(".")
    if pk != str(activity.pk):
        raise ValidationFailed(_("该二维码不属于本活动。"), code="qr_other_activity")
    if nonce != activity.qr_nonce:
        raise ValidationFailed(_("二维码已更新，请扫描现场最新的二维码。"), code="qr_expired")


CODE_TRIES = 10  # wrong 6-digit codes one person may enter for one activity …
CODE_WINDOW_S = 15 * 60  # … within this window, before they must wait


def _check_code(activity: Activity, code: str, person) -> None:
    """Compare with the activity's code; after ``CODE_TRIES`` wrong codes a person must
    wait (429), so the million codes cannot be tried from a phone. The counter is keyed by
    the activity's QR nonce too, so renewing the codes starts it afresh."""
    key = f"xf:activities:code-tries:{activity.pk}:{activity.qr_nonce}:{person.pk}"
    if (cache.get(key) or 0) >= CODE_TRIES:
        raise Throttled(_("签到码错误次数过多，请 15 分钟后再试或扫描现场二维码。"))
    if (code or "").strip() != activity.checkin_code:
        cache.add(key, 0, CODE_WINDOW_S)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, CODE_WINDOW_S)
        raise ValidationFailed(_("签到码不正确，请核对本活动的 6 位签到码。"), code="wrong_code")


def _check_geofence(activity, volunteer, latitude, longitude, consent: bool) -> dict:
    consented = consent or (volunteer is not None and volunteer.location_consented_at)
    if not consented:
        raise ValidationFailed(
            _("定位签到需要您同意使用位置信息。"), code="location_consent_required"
        )
    if latitude is None or longitude is None:
        raise ValidationFailed(_("未获取到您的位置，请开启定位后重试。"), code="no_location")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationFailed(_("位置坐标无效。"), code="bad_location")
    if activity.latitude is None:
        raise ValidationFailed(_("本活动没有登记位置，请使用签到码。"), code="no_geofence")
    radius = ActivitySiteSettings.for_site(activity.site).geofence_radius_m
    distance = haversine_m(latitude, longitude, activity.latitude, activity.longitude)
    if distance > radius:
        raise ValidationFailed(
            _("您距离活动地点约 %(d)d 米，超出 %(r)d 米的签到范围。")
            % {"d": round(distance), "r": radius},
            code="too_far",
        )
    return {
        "latitude": latitude,
        "longitude": longitude,
        "distance_m": round(distance),
        "location_consent_at": timezone.now(),
    }


def _verify(
    activity, method, volunteer, *, person, token, code, latitude, longitude, consent
) -> dict:
    if method == CheckMethod.QR:
        _check_qr(activity, token)
    elif method == CheckMethod.CODE:
        _check_code(activity, code, person)
    elif method == CheckMethod.GEOFENCE:
        return _check_geofence(activity, volunteer, latitude, longitude, consent)
    else:
        raise ValidationFailed(_("不支持的签到方式。"), code="bad_method")
    return {}


def _check_window(activity: Activity, now: datetime) -> None:
    if activity.state != ActivityState.PUBLISHED:
        raise Conflict(_("该活动当前不能签到。"), code="not_open")
    if not activity.is_offline:
        raise Conflict(_("线上活动无需现场签到。"), code="online_only")
    opens = ActivitySiteSettings.for_site(activity.site).checkin_opens_minutes
    if now < activity.starts_at - timedelta(minutes=opens):
        raise Conflict(_("签到将于活动开始前 %(m)d 分钟开放。") % {"m": opens}, code="too_early")
    if now >= activity.ends_at:
        raise Conflict(_("活动已结束，签到已关闭。"), code="ended")


@transaction.atomic
def attendance_check_in(
    *,
    actor,
    activity: Activity,
    method: str,
    token: str = "",
    code: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    location_consent: bool = False,
    person=None,
) -> Attendance:
    """Check a person in. With ``method`` qr/code/geofence the actor checks themselves in
    and must prove presence; with ``organiser`` an organiser checks in ``person``.
    Locks the activity row; 409 for a second check-in, 400 for a wrong proof."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    activity = lock(activity)
    now = timezone.now()
    _check_window(activity, now)
    extra: dict = {}
    if method == CheckMethod.ORGANISER:
        require_organiser(actor, activity)
        if person is None:
            raise ValidationFailed(_("请选择签到人员。"), code="missing_person")
        volunteer = require_eligible(person, activity)
    else:
        person = actor
        volunteer = require_eligible(person, activity)
        extra = _verify(
            activity,
            method,
            volunteer,
            person=person,
            token=token,
            code=code,
            latitude=latitude,
            longitude=longitude,
            consent=location_consent,
        )
    if Attendance.objects.filter(activity=activity, user=person).exists():
        raise Conflict(_("已签到，无需重复签到。"), code="already_checked_in")
    attendance = Attendance.objects.create(
        activity=activity,
        user=person,
        volunteer=volunteer,
        checked_in_at=now,
        check_in_method=method,
        **extra,
    )
    bump(activity, checkin_count=1)
    return attendance


def clipped_span(attendance: Attendance, activity: Activity) -> tuple[datetime, datetime]:
    """Check-in to check-out, clipped to the activity's start and end."""
    started = max(attendance.checked_in_at, activity.starts_at)
    ended = min(attendance.checked_out_at or activity.ends_at, activity.ends_at)
    return started, max(started, ended)


def default_hours(attendance: Attendance, activity: Activity) -> Decimal:
    started, ended = clipped_span(attendance, activity)
    return hours_between(started, ended) if ended > started else Decimal("0.00")


def _credit_hours(
    attendance: Attendance,
    activity: Activity,
    method: str,
    verified_by,
    hours: Decimal | None = None,
):
    """Create the volunteer's service record: ``hours`` (default: the clipped span) ending
    at the clipped check-out, or nothing below the minimum. Marks the hours confirmed."""
    attendance.hours_confirmed_at = timezone.now()
    attendance.hours_confirmed_by = verified_by
    if attendance.volunteer_id is None:
        return None
    started, ended = clipped_span(attendance, activity)
    hours = default_hours(attendance, activity) if hours is None else hours
    if hours < min_service_hours():
        return None
    # The confirmed hours lie within the activity (they are at most its length): when
    # they exceed the clipped span, widen it towards the end, then towards the start.
    lasting = timedelta(hours=float(hours))
    ended = max(ended, min(activity.ends_at, started + lasting))
    started = max(activity.starts_at, min(started, ended - lasting))
    return service_record_create(
        volunteer=attendance.volunteer,
        region=activity.region,
        started_at=started,
        ended_at=ended,
        hours=min(hours, hours_between(started, ended)),
        source_type=ServiceSource.ACTIVITY,
        source_id=activity.pk,
        verification=VERIFICATION[method],
        verified_by=verified_by,
        team=activity.team,
        description=activity.title,
    )


def hours_pending(activity: Activity) -> list[dict]:
    """Volunteers checked out whose hours await the organiser: the default (clipped) and
    the bounds (the minimum, the activity's length)."""
    length = hours_between(activity.starts_at, activity.ends_at)
    rows = []
    for a in (
        Attendance.objects.select_related("volunteer")
        .filter(
            activity=activity,
            volunteer__isnull=False,
            checked_out_at__isnull=False,
            hours_confirmed_at__isnull=True,
        )
        .order_by("id")
    ):
        rows.append(
            {
                "attendance": a,
                "default": default_hours(a, activity),
                "minimum": min_service_hours(),
                "maximum": length,
            }
        )
    return rows


@transaction.atomic
def attendance_hours_confirm(*, actor, activity: Activity, lines) -> list[Attendance]:
    """The organiser confirms pending hours: ``lines`` maps an attendance id to
    ``(hours, reason)`` (hours 0 = no hours; a reason when far from the default). Each
    confirmed volunteer gets one record (never a 0-hour one). Attendances not named stay
    pending. 400 for a figure out of bounds or a missing reason, naming the person."""
    require_organiser(actor, activity)
    activity = lock(activity)
    pending = {r["attendance"].pk: r for r in hours_pending(activity)}
    unknown = set(lines) - set(pending)
    if unknown:
        raise ValidationFailed(_("只能确认本活动待确认的时长。"), code="not_pending")
    if not lines:
        raise ValidationFailed(_("请至少确认一人的时长。"), code="hours_required")
    done = []
    for att_id, (raw, reason) in lines.items():
        row = pending[att_id]
        a = row["attendance"]
        name = a.volunteer.name
        try:
            hours = Decimal(str(raw)).quantize(HOURS_STEP)
        except ArithmeticError as exc:
            raise ValidationFailed(_("服务时长必须是数字（小时）。"), code="invalid_hours") from exc
        if not hours.is_finite() or hours < 0 or hours > row["maximum"]:
            raise ValidationFailed(
                _("%(name)s 的时长应在 0 到 %(max)s 小时之间。")
                % {"name": name, "max": row["maximum"]},
                code="invalid_hours",
            )
        if 0 < hours < row["minimum"]:
            raise ValidationFailed(
                _("%(name)s 的时长不足最低 %(min)s 小时；不计时长请填 0。")
                % {"name": name, "min": row["minimum"]},
                code="hours_below_minimum",
            )
        if hours_change_needs_reason(row["default"], hours) and len((reason or "").strip()) < 2:
            raise ValidationFailed(
                _("%(name)s 的时长与按签到签退计算的 %(d)s 小时相差较大，请说明原因。")
                % {"name": name, "d": row["default"]},
                code="hours_reason_required",
            )
        method = a.check_out_method or CheckMethod.ORGANISER
        a.service_record = (
            _credit_hours(a, activity, method, actor, hours=hours)
            if hours > 0
            else _confirm_none(a, actor)
        )
        a.save(update_fields=["service_record", "hours_confirmed_at", "hours_confirmed_by"])
        done.append(a)
    return done


def _confirm_none(attendance: Attendance, actor):
    attendance.hours_confirmed_at = timezone.now()
    attendance.hours_confirmed_by = actor
    return None


@transaction.atomic
def attendance_check_out(
    *,
    actor,
    activity: Activity,
    method: str,
    token: str = "",
    code: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    location_consent: bool = False,
    person=None,
) -> Attendance:
    """Check a person out (same proofs as check-in). A volunteer's hours then wait for the
    organiser's confirmation, except when the organiser checks them out (confirmed at
    once). Locks the activity row; 409 when not checked in or already out."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    activity = lock(activity)
    verified_by = None
    if method == CheckMethod.ORGANISER:
        require_organiser(actor, activity)
        if person is None:
            raise ValidationFailed(_("请选择签退人员。"), code="missing_person")
        verified_by = actor
    else:
        person = actor
    attendance = (
        Attendance.objects.select_related("volunteer")
        .filter(activity=activity, user=person)
        .first()
    )
    if attendance is None:
        raise Conflict(_("尚未签到，不能签退。"), code="not_checked_in")
    if attendance.checked_out_at is not None:
        raise Conflict(_("已签退。"), code="already_checked_out")
    if method != CheckMethod.ORGANISER:
        _verify(
            activity,
            method,
            attendance.volunteer,
            person=person,
            token=token,
            code=code,
            latitude=latitude,
            longitude=longitude,
            consent=location_consent,
        )
    attendance.checked_out_at = timezone.now()
    attendance.check_out_method = method
    fields = ["checked_out_at", "check_out_method"]
    if method == CheckMethod.ORGANISER:
        # The organiser checking a person out is the confirmation (at the clipped time).
        attendance.service_record = _credit_hours(attendance, activity, method, verified_by)
        fields += ["service_record", "hours_confirmed_at", "hours_confirmed_by"]
    attendance.save(update_fields=fields)
    return attendance


def close_forgotten_checkouts(*, now: datetime | None = None) -> int:
    """Close check-outs people forgot: at the activity's end, flagged ``auto_closed``, with
    the volunteer's hours verified as ``auto_closed``. Run by the worker; finds its work in
    the database. Returns how many were closed."""
    now = now or timezone.now()
    activity_ids = list(
        Attendance.objects.filter(checked_out_at__isnull=True, activity__ends_at__lte=now)
        .values_list("activity_id", flat=True)
        .distinct()[:500]
    )
    closed = 0
    for activity_id in activity_ids:
        with transaction.atomic():
            activity = lock(activity_id)
            pending = list(
                Attendance.objects.select_related("volunteer", "user").filter(
                    activity=activity, checked_out_at__isnull=True
                )
            )
            for attendance in pending:
                attendance.checked_out_at = activity.ends_at
                attendance.check_out_method = CheckMethod.AUTO
                attendance.auto_closed = True
                # The hours wait for the organiser's confirmation (hours_pending).
                attendance.save(update_fields=["checked_out_at", "check_out_method", "auto_closed"])
                closed += 1
            notify(
                recipients=[a.user for a in pending],
                title=T.AUTO_CHECKOUT(t=activity.title),
                body=T.AUTO_CHECKOUT_BODY,
                link=f"/activities/{activity.pk}/",
                kind="activity_auto_checkout",
            )
    return closed


@transaction.atomic
def attendance_backfill(
    *, actor, activity: Activity, volunteer, hours: Decimal, note: str = ""
) -> ServiceRecord:
    """An organiser records a volunteer's service at an activity after the fact (补录):
    flagged as a backfill and capped at the activity's length. 409 when the volunteer
    already has hours for this activity or the activity has not taken place."""
    require_organiser(actor, activity)
    activity = lock(activity)
    if activity.state not in (ActivityState.PUBLISHED, ActivityState.FINISHED):
        raise Conflict(_("只有已发布或已结束的活动可以补录。"), code="invalid_state")
    if activity.starts_at > timezone.now():
        raise Conflict(_("活动尚未开始，不能补录。"), code="not_started")
    if ServiceRecord.objects.filter(
        volunteer=volunteer, source_type=ServiceSource.ACTIVITY, source_id=activity.pk
    ).exists():
        raise Conflict(_("该志愿者已有本活动的服务时长。"), code="already_credited")
    length = hours_between(activity.starts_at, activity.ends_at)
    return service_record_create(
        volunteer=volunteer,
        region=activity.region,
        started_at=activity.starts_at,
        ended_at=activity.ends_at,
        source_type=ServiceSource.ACTIVITY,
        source_id=activity.pk,
        verification=Verification.BACKFILL,
        verified_by=actor,
        team=activity.team,
        description=(f"{activity.title}（{note}）" if note else activity.title)[:200],
        is_backfill=True,
        hours=min(Decimal(hours), length) if hours else None,
        max_hours=length,
    )


@transaction.atomic
def checkin_codes_renew(*, actor, activity: Activity) -> Activity:
    """Issue a new 6-digit code and QR token (e.g. after a photo of the code went round);
    the old ones stop working at once."""
    from ..models.activity import new_checkin_code, new_nonce

    require_organiser(actor, activity)
    activity = lock(activity)
    code = new_checkin_code()
    while code == activity.checkin_code:
        code = new_checkin_code()
    Activity.objects.filter(pk=activity.pk).update(checkin_code=code, qr_nonce=new_nonce())
    activity.refresh_from_db()
    return activity

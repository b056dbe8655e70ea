"""Activities API, continued: taking part — sign up and cancel, check in and out by QR,
code, geofence or the organiser, the organiser's after-the-fact record (补录) and online
views. Registered on the same router as ``activities``."""

from django.utils.translation import gettext as _
from ninja import Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import NotFound, ValidationFailed
from xinfeng.core.schema import DbId

from .. import selectors, services
from ..models import Signup
from ..permissions import can_organise
from ..schemas import (
    ActivityBackfillIn,
    ActivityCheckIn,
    AttendanceOut,
    ServiceRecordOut,
    SignupOut,
    ViewIn,
    ViewOut,
)
from .activities import _managed, router


# Taking part ------------------------------------------------------------------------
@router.post(
    "/{activity_id}/signups", response={201: SignupOut}, summary="Sign me up", auth=signed_in
)
def sign_up(request, activity_id: DbId):
    # Visible, or 404; the service re-reads the row under its lock.
    activity = selectors.activity_get_public(activity_id=activity_id, user=request.user, lean=True)
    return Status(201, services.signup_create(actor=request.auth, activity=activity))


@router.post("/signups/{signup_id}/cancel", response=SignupOut, auth=signed_in)
def cancel_signup(request, signup_id: DbId):
    """Cancel my sign-up (or, as organiser, someone's); the waiting list moves up."""
    user = request.auth
    signup = Signup.objects.select_related("activity", "user").filter(pk=signup_id).first()
    if signup is None or (signup.user_id != user.pk and not can_organise(user, signup.activity)):
        raise NotFound()
    return services.signup_cancel(actor=user, signup=signup)


def _check(request, activity_id: int, payload: ActivityCheckIn, fn):
    user = request.auth
    # Visible, or 404; the service re-reads the row under its lock.
    activity = selectors.activity_get_public(activity_id=activity_id, user=user, lean=True)
    person = None
    if payload.person_id is not None:
        from xinfeng.accounts.models import User

        person = User.objects.filter(pk=payload.person_id).first()
        if person is None:
            raise ValidationFailed(_("人员不存在。"), code="unknown_person")
    return fn(
        actor=user,
        activity=activity,
        method=payload.method,
        token=payload.token,
        code=payload.code,
        latitude=payload.latitude,
        longitude=payload.longitude,
        location_consent=payload.location_consent,
        person=person,
    )


@router.post("/{activity_id}/check-in", response={201: AttendanceOut}, auth=signed_in)
def check_in(request, activity_id: DbId, payload: ActivityCheckIn):
    """Check in by ``qr`` (token from the QR URL), ``code`` (6 digits) or ``geofence``
    (latitude/longitude with consent); organisers use ``organiser`` with ``person_id``."""
    return Status(201, _check(request, activity_id, payload, services.attendance_check_in))


@router.post("/{activity_id}/check-out", response=AttendanceOut, auth=signed_in)
def check_out(request, activity_id: DbId, payload: ActivityCheckIn):
    """Check out; a volunteer's hours become a service record."""
    return _check(request, activity_id, payload, services.attendance_check_out)


@router.post("/{activity_id}/backfill", response={201: ServiceRecordOut}, auth=signed_in)
def backfill(request, activity_id: DbId, payload: ActivityBackfillIn):
    """Record a volunteer's service after the fact (补录), flagged and capped at the
    activity's length; the volunteer is named by number (志愿者编号)."""
    from xinfeng.volunteers.models import Volunteer

    activity = _managed(request, activity_id)
    volunteer = Volunteer.objects.filter(number=payload.volunteer_number, is_active=True).first()
    if volunteer is None:
        raise ValidationFailed(_("志愿者编号不存在。"), code="unknown_volunteer")
    record = services.attendance_backfill(
        actor=request.user,
        activity=activity,
        volunteer=volunteer,
        hours=payload.hours,
        note=payload.note,
    )
    return Status(201, record)


@router.post(
    "/{activity_id}/views", response=ViewOut, summary="Count me as an online viewer", auth=signed_in
)
def record_view(request, activity_id: DbId, payload: ViewIn):
    user = request.auth
    activity = selectors.activity_get_public(activity_id=activity_id, user=user)
    counted = services.online_view_record(activity=activity, user=user, kind=payload.kind)
    activity.refresh_from_db(fields=["online_viewers"])
    return {"counted": counted, "online_viewers": activity.online_viewers}

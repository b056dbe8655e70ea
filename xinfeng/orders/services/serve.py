"""Serving: start (check-in of the confirmed members) and complete (report, photos,
check-out of everybody, service hours credited, project outcome counted)."""

from collections.abc import Iterable, Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from xinfeng.core.errors import Conflict, ValidationFailed
from xinfeng.notifications.services import notify
from xinfeng.projects.models import Project

from .. import texts as T
from ..choices import AssignmentStatus, OrderAction
from ..models import Order, OrderPhoto
from ._common import guard, lock, move, order_link, requester_users
from .hours import HoursLine, check_lines, credit_hours, hours_defaults

MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_REPORT = 5000


def validate_photo(f: UploadedFile) -> str:
    """Check an uploaded photo: at most 5 MB, and really a JPEG, PNG or WebP image (the
    content is decoded, the name and declared type are not trusted). Returns the format."""
    if f.size is not None and f.size > MAX_PHOTO_BYTES:
        raise ValidationFailed(
            _("照片“%(name)s”超过 5 MB。") % {"name": f.name}, code="photo_too_large"
        )
    try:
        f.seek(0)
        with Image.open(f) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailed(
            _("“%(name)s”不是有效的图片。") % {"name": f.name}, code="photo_invalid"
        ) from exc
    finally:
        f.seek(0)
    if fmt not in PHOTO_FORMATS:
        raise ValidationFailed(_("照片只支持 JPEG、PNG、WebP 格式。"), code="photo_type")
    return PHOTO_FORMATS[fmt]


def require_enough_confirmed(order: Order) -> None:
    """409 unless at least ``order.members_needed`` named members confirmed themselves."""
    rows = list(order.assignments.select_related("volunteer").order_by("id"))
    confirmed = sum(1 for a in rows if a.status == AssignmentStatus.CONFIRMED)
    if confirmed >= max(order.members_needed, 1):
        return
    waiting = [a.volunteer.name for a in rows if a.status == AssignmentStatus.INVITED]
    message = _("需要 %(n)d 名队员确认参加，目前已确认 %(k)d 名，不能开始服务。") % {
        "n": order.members_needed,
        "k": confirmed,
    }
    if waiting:
        message += _("尚未答复：%(names)s。") % {"names": "、".join(waiting)}
    else:
        message += _("请增派队员。")
    raise Conflict(message, code="not_enough_confirmed")


@transaction.atomic
def order_start(*, actor, order: Order) -> Order:
    """开始服务: accepted → in_service by the team leader; every confirmed member is
    checked in. Needs as many confirmed members as the order needs (``members_needed``);
    the refusal names who has not answered yet."""
    order = lock(order)
    guard(order, OrderAction.START, actor)
    require_enough_confirmed(order)
    now = timezone.now()
    order.started_at = now
    move(order, OrderAction.START, actor=actor, now=now, fields=("started_at",))
    order.assignments.filter(status=AssignmentStatus.CONFIRMED, checked_in_at__isnull=True).update(
        checked_in_at=now
    )
    notify(
        recipients=requester_users(order),
        title=T.STARTED(t=order.title),
        link=order_link(order),
        kind="order_started",
    )
    return order


@transaction.atomic
def order_complete(
    *,
    actor,
    order: Order,
    report: str,
    people_served: int | None = None,
    photos: Sequence[UploadedFile] = (),
    member_hours: Iterable[HoursLine] = (),
) -> Order:
    """完成服务: in_service → completed by the team leader with a report (text, photos,
    how many people were served) and the hours they confirm for every member who served
    (``member_hours``, see ``services.hours``: defaults from the times, within bounds, a
    reason when far from the default, 0 for "did not serve"). Checks everybody out and
    credits the hours (never a 0-hour record); counts the outcome on the project."""
    report = (report or "").strip()
    if len(report) < 2:
        raise ValidationFailed(_("请填写服务报告。"), code="report_required")
    if len(report) > MAX_REPORT:
        raise ValidationFailed(_("服务报告最多 5000 个字。"), code="report_too_long")
    if people_served is not None and not 0 <= people_served <= 100000:
        raise ValidationFailed(_("服务人数不合理。"), code="invalid_people")
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(_("最多上传 9 张照片。"), code="too_many_photos")
    formats = [validate_photo(p) for p in photos]
    order = lock(order)
    guard(order, OrderAction.COMPLETE, actor)
    now = timezone.now()
    rows = hours_defaults(order, now=now)
    lines = check_lines(rows, list(member_hours))
    confirmed_hours = credit_hours(order=order, rows=rows, lines=lines, actor=actor, now=now)
    for f, ext in zip(photos, formats, strict=True):
        f.name = f"photo.{ext}"
        OrderPhoto.objects.create(order=order, image=f, uploaded_by=actor, uploaded_at=now)
    order.completed_at = now
    order.report = report
    order.people_served = people_served
    move(
        order,
        OrderAction.COMPLETE,
        actor=actor,
        now=now,
        detail={"people_served": people_served, "photos": len(photos), "hours": confirmed_hours},
        fields=("completed_at", "report", "people_served"),
    )
    if order.project_id:
        Project.objects.filter(pk=order.project_id).update(
            orders_completed=F("orders_completed") + 1,
            outcome_count=F("outcome_count") + (people_served or 0),
        )
    notify(
        recipients=requester_users(order),
        title=T.COMPLETED(t=order.title),
        link=order_link(order) + "rate/",
        kind="order_completed",
        channels=("sms", "wechat"),
    )
    return order

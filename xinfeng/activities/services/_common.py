"""Small helpers shared by the activity services."""

from django.db.models import F

from ..models import Activity


def lock(activity: Activity | int) -> Activity:
    """The activity row, locked for the rest of the transaction (``SELECT … FOR UPDATE``).
    Sign-ups, check-ins and counters of one activity change only under this lock."""
    pk = activity.pk if isinstance(activity, Activity) else activity
    return (
        Activity.objects.select_for_update(of=("self",)).select_related("site", "venue").get(pk=pk)
    )


def bump(activity: Activity, **deltas: int) -> None:
    """Add to an activity's counters; call with the activity row locked."""
    Activity.objects.filter(pk=activity.pk).update(**{k: F(k) + v for k, v in deltas.items()})


MAX_IMAGE_BYTES = 10 * 1024 * 1024


def check_image(upload) -> None:
    """Refuse an upload that is not a readable JPEG/PNG/GIF/WebP image or is too large
    (the model's ImageField checks neither when written outside a form)."""
    from django.utils.translation import gettext as _
    from PIL import Image

    from xinfeng.core.errors import ValidationFailed

    if upload is None or not hasattr(upload, "read"):
        return
    if getattr(upload, "size", 0) > MAX_IMAGE_BYTES:
        raise ValidationFailed(_("图片不能超过 10 MB。"), code="image_too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            kind = img.format
            img.verify()
    except Exception as exc:  # Pillow raises many kinds for a bad file
        raise ValidationFailed(_("请上传有效的图片文件（JPG/PNG）。"), code="bad_image") from exc
    finally:
        upload.seek(0)
    if kind not in ("JPEG", "PNG", "GIF", "WEBP"):
        raise ValidationFailed(_("请上传有效的图片文件（JPG/PNG）。"), code="bad_image")

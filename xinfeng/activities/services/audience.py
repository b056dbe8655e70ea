"""Online audience (云讲堂): each viewer of the live stream or the replay counts once."""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xinfeng.core.errors import NotFound, ValidationFailed

from ..choices import PUBLIC_STATES, ViewKind
from ..models import Activity, OnlineView
from ._common import bump

ANON_KEY = re.compile(r"^[A-Za-z0-9_-]{16,60}$")


def viewer_key_for(user, anonymous_key: str = "") -> str:
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    if not ANON_KEY.match(anonymous_key or ""):
        raise ValidationFailed(_("无法识别观看者。"), code="bad_viewer")
    return f"a{anonymous_key}"


@transaction.atomic
def online_view_record(
    *, activity: Activity, user=None, anonymous_key: str = "", kind: str = ViewKind.LIVE
) -> bool:
    """Count a viewer of an online activity once: a signed-in user by account, anyone
    else by their viewer cookie. Returns whether this viewer is new. The unique
    (activity, viewer) index decides under concurrency; the counter moves only with a new
    row."""
    if activity.state not in PUBLIC_STATES:
        raise NotFound()
    if not activity.is_online:
        raise ValidationFailed(_("本活动没有线上直播或回放。"), code="not_online")
    if kind not in ViewKind.values:
        raise ValidationFailed(_("观看方式无效。"), code="bad_kind")
    key = viewer_key_for(user, anonymous_key)
    try:
        with transaction.atomic():
            OnlineView.objects.create(
                activity=activity,
                user=user if user is not None and user.is_authenticated else None,
                viewer_key=key,
                kind=kind,
            )
    except IntegrityError:
        return False
    bump(activity, online_viewers=1)
    return True

"""云讲堂 pages: the lecture list (live now, next, replays), the player page of one online
activity, and the play beacon that counts a viewer once the video really plays."""

import secrets

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError, NotFound
from xinfeng.core.security import content_security_policy

from .. import lectures, selectors, services
from ..choices import ActivityState

VIEWER_COOKIE = "xf_viewer"
COOKIE_AGE = 3600 * 24 * 365


def _online(request, activity_id):
    activity = selectors.activity_get_public(activity_id=activity_id, user=request.user)
    if not activity.is_online:
        raise NotFound()
    return activity


def _allow_media_from(response, request, origin: str) -> None:
    """The page plays the site's stream: let media and the HLS player's requests reach its
    origin (and MSE's blob: URLs) on this page only; everything else keeps the site CSP."""
    nonce = getattr(request, "csp_nonce", None)
    if not origin or nonce is None:
        return
    policy = content_security_policy(nonce)
    policy = policy.replace("media-src 'self'", f"media-src 'self' blob: {origin}")
    policy = policy.replace("connect-src 'self'", f"connect-src 'self' {origin}")
    response["Content-Security-Policy"] = policy


@require_safe
def watch(request, activity_id: int):
    """The player: the live stream once the lecture has started, the replay afterwards.
    Opening the page counts nobody; the play beacon does (``watch_play``)."""
    activity = _online(request, activity_id)
    src = lectures.source(activity)
    response = render(
        request,
        "activities/watch.html",
        {
            "activity": activity,
            "source": src,
            "not_started": activity.state == ActivityState.PUBLISHED
            and activity.starts_at > timezone.now(),
        },
    )
    if src is not None:
        _allow_media_from(response, request, src.origin)
    if not request.user.is_authenticated and not request.COOKIES.get(VIEWER_COOKIE):
        response.set_cookie(
            VIEWER_COOKIE,
            secrets.token_urlsafe(18),
            max_age=COOKIE_AGE,
            httponly=True,
            samesite="Lax",
        )
    return response


@require_POST
def watch_play(request, activity_id: int):
    """The play beacon: the page's player posts here on its first ``playing`` event. A
    viewer (account, or the anonymous viewer cookie) counts once per lecture."""
    try:
        activity = _online(request, activity_id)
    except NotFound:
        return JsonResponse({"detail": str(NotFound().detail), "code": "not_found"}, status=404)
    src = lectures.source(activity)
    if src is None:
        return JsonResponse(
            {"detail": _("现在没有可播放的直播或回放。"), "code": "not_playing"}, status=409
        )
    try:
        counted = services.online_view_record(
            activity=activity,
            user=request.user,
            anonymous_key=request.COOKIES.get(VIEWER_COOKIE, ""),
            kind=src.kind,
        )
    except DomainError as exc:
        return JsonResponse({"detail": str(exc.detail), "code": exc.code}, status=exc.status)
    activity.refresh_from_db(fields=["online_viewers"])
    return JsonResponse({"counted": counted, "online_viewers": activity.online_viewers})


@require_safe
def lecture_list(request):
    """云讲堂: online lectures live now or coming, and the replays of past ones."""
    now = timezone.now()
    qs = selectors.cloud_lectures()
    live = list(qs.filter(state=ActivityState.PUBLISHED, starts_at__lte=now, ends_at__gt=now))
    upcoming = list(
        qs.filter(state=ActivityState.PUBLISHED, starts_at__gt=now).order_by("starts_at", "id")[:3]
    )
    replays = Paginator(
        qs.filter(state=ActivityState.FINISHED).order_by("-starts_at", "-id"), 12
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/lectures.html",
        {"live": live, "upcoming": upcoming, "page": replays},
    )

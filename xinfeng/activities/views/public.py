"""Public pages: the phone-first activity list, the activity page, sign-up, check-in and
check-out (code, geofence, QR scan), online viewing, and my sign-ups."""

from html import escape

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError, NotFound
from xinfeng.core.publiccache import public_read
from xinfeng.places.cascade import region_cascade
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import ServiceCategory

from .. import live, pickers, selectors, services
from ..choices import ActivityState, CheckMethod
from ..models import Signup
from ..permissions import can_organise
from ..templatetags.activity_tags import distance
from .common import date_param, float_param, int_param

PAGE_SIZE = 100
RADII = (1000, 3000, 5000, 10000)
DEFAULT_RADIUS = 5000


def render_options(items, selected) -> str:
    """``<option>`` tags for (value, label) pairs, escaped; built in Python for the same
    reason as the rows (the village picker has up to 300 entries)."""
    return mark_safe(  # noqa: S308 (values and labels escaped)
        "".join(
            f'<option value="{escape(str(v))}"{" selected" if v == selected else ""}>'
            f"{escape(str(label))}</option>"
            for v, label in items
        )
    )


def render_rows(rows, base: str) -> str:
    """The list rows as HTML, built in Python with every value escaped (stdlib
    ``html.escape``, the same entities as Django's ``escape``): the phone list shows 100
    rows, and template lookups or ``format_html`` per row would cost more than the rest of
    the request."""
    online = _("可线上观看")
    places = live.places_labels()
    labels = {value: escape(str(label)) for value, label in ServiceCategory.choices}
    base = escape(base)
    tz = timezone.get_current_timezone()
    parts = []
    for a in rows:
        # The places are filled in again at serve time when only counts changed (live).
        sub = live.places_span(a["id"], a["signup_count"], a["capacity"], places)
        d = a.get("distance_m")
        if d is not None:
            sub += " · " + escape(distance(d))
        if a["mode"] != "offline":
            sub += " · " + escape(online)
        parts.append(
            f'<li class="list-item"><a class="list-link" href="{base}{a["id"]}/">'
            f'<span class="list-title">{escape(a["title"])}</span>'
            f'<span class="list-meta"><span class="badge">{labels.get(a["category"], "")}</span> '
            f"{a['starts_at'].astimezone(tz):%m-%d %H:%M} · {escape(a['site__name'])}</span>"
            f'<span class="list-sub">{sub}</span></a></li>'
        )
    return mark_safe("\n".join(parts))  # noqa: S308 (every value above is escaped)


@public_read("activities", "places", "projects", "regions", live=live.PLACES)
@require_safe
def activity_list(request):
    """Upcoming activities; filters: near (browser location or a village), region,
    category, date. 100 rows per page, one query for the rows (site and venue joined)."""
    cascade = region_cascade(request.GET)
    region = cascade.selected
    category = request.GET.get("category") or None
    if category not in ServiceCategory.values:
        category = None
    day = date_param(request, "date")
    radius = int_param(request, "radius") or DEFAULT_RADIUS
    radius = radius if radius in RADII else DEFAULT_RADIUS
    near = near_village = None
    lat = float_param(request, "lat", -90, 90)
    lng = float_param(request, "lng", -180, 180)
    village_id = int_param(request, "near")
    if village_id:
        near_village = Region.objects.filter(pk=village_id, latitude__isnull=False).first()
        if near_village is not None:
            lat, lng = near_village.latitude, near_village.longitude
    if lat is not None and lng is not None:
        near = selectors.Near(lat, lng, radius)
    qs = selectors.public_activities(region=region, category=category, day=day, near=near).values(
        *selectors.ROW_FIELDS
    )
    offset = max(int_param(request, "page") or 1, 1) - 1
    if near is not None:
        rows = selectors.sort_by_distance(qs[:2000], near)
        page_rows = rows[offset * PAGE_SIZE : (offset + 1) * PAGE_SIZE]
        has_next = len(rows) > (offset + 1) * PAGE_SIZE
    else:
        fetched = list(
            qs.order_by("starts_at", "id")[offset * PAGE_SIZE : (offset + 1) * PAGE_SIZE + 1]
        )
        page_rows, has_next = fetched[:PAGE_SIZE], len(fetched) > PAGE_SIZE
    params = request.GET.copy()
    params.pop("page", None)
    base = reverse("activities:list")
    context = {
        "rows_html": render_rows(page_rows, base),
        "rows": page_rows,
        "page": offset + 1,
        "has_next": has_next,
        "query": params.urlencode(),
        "region": region,
        "category": category,
        "day": day,
        "near": near,
        "near_village": near_village,
        "lat": lat if near_village is None else None,
        "lng": lng if near_village is None else None,
        "radius": radius,
        "radius_options": render_options(
            [(r, _("%(d)s以内") % {"d": distance(r)}) for r in RADII], radius
        ),
        "category_options": render_options(ServiceCategory.choices, category),
        "cascade": cascade,
        "village_options": render_options(
            pickers.village_choices(region=region, user=request.user),
            near_village.pk if near_village else None,
        ),
        "base": base,
    }
    template = "activities/_rows.html" if request.htmx else "activities/list.html"
    return render(request, template, context)


def _detail_context(request, activity, **extra):
    user = request.user
    signup = selectors.my_signup(user, activity)
    context = {
        "activity": activity,
        "signup": signup,
        "position": selectors.waitlist_position(signup)
        if signup and signup.state == "waitlisted"
        else None,
        "attendance": selectors.my_attendance(user, activity),
        "can_organise": can_organise(user, activity),
        "is_running": activity.state == ActivityState.PUBLISHED and activity.is_offline,
    }
    context.update(extra)
    return context


def _show(request, activity, status=200, **extra):
    return render(
        request,
        "activities/detail.html",
        _detail_context(request, activity, **extra),
        status=status,
    )


def _get(request, activity_id):
    return selectors.activity_get_public(activity_id=activity_id, user=request.user)


@public_read("activities", "places", "projects", "regions", per_object=(live.TOPIC, "activity_id"))
@require_safe
def activity_detail(request, activity_id: int):
    activity = _get(request, activity_id)
    return _show(request, activity)


def _act(request, activity_id, fn, success):
    """Run a participant action; on a domain error show the page with the message and
    the error's status (4xx)."""
    activity = _get(request, activity_id)
    try:
        fn(activity)
    except DomainError as exc:
        return _show(request, activity, status=exc.status, error=str(exc.detail))
    from django.contrib import messages

    messages.success(request, success)
    return redirect("activities:detail", activity_id=activity.pk)


@login_required
@require_POST
def signup(request, activity_id: int):
    return _act(
        request,
        activity_id,
        lambda a: services.signup_create(actor=request.user, activity=a),
        _("报名成功。"),
    )


@login_required
@require_POST
def signup_cancel(request, activity_id: int):
    def cancel(activity):
        mine = selectors.my_signup(request.user, activity)
        if mine is None:
            raise NotFound(_("您没有报名此活动。"))
        services.signup_cancel(actor=request.user, signup=mine)

    return _act(request, activity_id, cancel, _("已取消报名。"))


def _check_kwargs(request) -> dict:
    method = request.POST.get("method") or ""
    kwargs = {
        "method": method if method in CheckMethod.values else "bad",
        "code": (request.POST.get("code") or "").strip()[:20],
        "token": (request.POST.get("t") or "")[:500],
        "location_consent": request.POST.get("consent") == "1",
    }
    for key in ("latitude", "longitude"):
        try:
            kwargs[key] = float(request.POST.get(key) or "")
        except ValueError:
            kwargs[key] = None
    return kwargs


@login_required
@require_POST
def check(request, activity_id: int):
    """Check in or out (``direction``) by code, geofence or QR token."""
    direction = request.POST.get("direction")
    fn = services.attendance_check_out if direction == "out" else services.attendance_check_in
    done = _("签退成功。") if direction == "out" else _("签到成功。")
    kwargs = _check_kwargs(request)
    if kwargs["method"] not in (CheckMethod.QR, CheckMethod.CODE, CheckMethod.GEOFENCE):
        kwargs["method"] = "bad"
    return _act(request, activity_id, lambda a: fn(actor=request.user, activity=a, **kwargs), done)


@require_safe
def scan(request, activity_id: int):
    """Where the activity's QR code leads: sign in if needed, then one tap to check in or
    out (a GET never changes anything)."""
    activity = _get(request, activity_id)
    token = request.GET.get("t") or ""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")
    attendance = selectors.my_attendance(request.user, activity)
    return render(
        request,
        "activities/scan.html",
        {"activity": activity, "token": token, "attendance": attendance},
    )


@require_safe
@login_required
def my_signups(request):
    signups = (
        Signup.objects.filter(user=request.user)
        .select_related("activity", "activity__site")
        .order_by("-activity__starts_at", "-id")[:100]
    )
    return render(request, "activities/my.html", {"signups": signups})

"""自助终端 pages (issue 16). Staff: ``devices`` (pair codes, revoke). The kiosk:
``home`` (pair → who are you → what to do), identification by phone and SMS code (the
accounts code flow, purpose ``login``) or as a walk-in, ordering through
``orders.services.order_create``, ``end``. Every answer is ``no-store`` (the back button
shows nothing) and the visit is flushed after a finished task or 60 s idle."""

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from xinfeng.accounts.models import CodePurpose
from xinfeng.accounts.registration import code_request, user_login_by_code
from xinfeng.activities import services as activity_services
from xinfeng.activities.choices import CheckMethod
from xinfeng.activities.selectors import public_activities
from xinfeng.activities.services.checkin import qr_token
from xinfeng.activities.services.signups import volunteer_of
from xinfeng.core.errors import DomainError
from xinfeng.orders import services as order_services
from xinfeng.orders.choices import OrderChannel
from xinfeng.orders.views_care import common_projects
from xinfeng.places.models import Site
from xinfeng.places.selectors import sites_managed_by
from xinfeng.regions.choices import RegionLevel

from . import services
from .models import KioskDevice, KioskWalkIn
from .services import COOKIE, IDLE_SECONDS

VILLAGES = (RegionLevel.VILLAGE, RegionLevel.NATURAL_VILLAGE)
TICKET = "kiosk_ticket"


def _render(request, site, template, ctx=None, status=200):
    ctx = {"site": site, "idle_seconds": IDLE_SECONDS, **(ctx or {})}
    return render(request, f"kiosk/{template}", ctx, status=status)


def _device(request, site) -> KioskDevice | None:
    device = services.device_for(getattr(request, "kiosk_token", None))
    return device if device is not None and device.site_id == site.pk else None


def _kiosk_view(func):
    """Site from the URL, the paired device for it (else the pair page), no-store."""

    @never_cache
    def wrapper(request, site_id: int, *args, **kwargs):
        site = get_object_or_404(Site, pk=site_id)
        name = func.__name__
        if name != "pair" and _device(request, site) is None:
            if name != "home":
                return redirect("kiosk:home", site.pk)
            # Not paired here: the pair page (404 for a kiosk of another site or a revoked one).
            status = 404 if getattr(request, "kiosk_token", None) else 200
            return _render(request, site, "pair.html", status=status)
        return func(request, site, *args, **kwargs)

    wrapper.__name__ = func.__name__
    return wrapper


def _person(visit):
    if not visit or not visit.get("person"):
        return None
    return get_user_model().objects.filter(pk=visit["person"], is_active=True).first()


@_kiosk_view
def pair(request, site):
    if request.method != "POST":
        return redirect("kiosk:home", site.pk)
    try:
        _device_row, raw = services.kiosk_pair(site=site, code=request.POST.get("code", ""))
    except DomainError as exc:
        return _render(request, site, "pair.html", {"error": exc.detail}, status=exc.status)
    response = redirect("kiosk:home", site.pk)
    response.set_cookie(
        COOKIE,
        raw,
        max_age=5 * 365 * 24 * 3600,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure(),
    )
    return response


@_kiosk_view
def home(request, site):
    visit = services.visit_get(request.session, site=site)
    if visit is None:
        return _render(request, site, "start.html")
    person = _person(visit)
    volunteer = volunteer_of(person) if person else None
    return _render(
        request, site, "menu.html", {"person": person, "visit": visit, "volunteer": volunteer}
    )


@_kiosk_view
def activities(request, site):
    """Today's activities at this site: 报名 and 签到 (being at the kiosk is being at the
    site, so the kiosk proves presence with the site's own QR token)."""
    visit = services.visit_get(request.session, site=site)
    if visit is None:
        return redirect("kiosk:home", site.pk)
    person = _person(visit)
    rows = list(public_activities(site=site, day=timezone.localdate()).order_by("starts_at")[:20])
    error = done = None
    status = 200
    if request.method == "POST":
        chosen = next((a for a in rows if str(a.pk) == request.POST.get("activity")), None)
        if chosen is None or person is None:
            return redirect("kiosk:activities", site.pk)
        try:
            if request.POST.get("action") == "checkin":
                activity_services.attendance_check_in(
                    actor=person, activity=chosen, method=CheckMethod.QR, token=qr_token(chosen)
                )
                done = _("已签到：%(t)s") % {"t": chosen.title}
            else:
                activity_services.signup_create(actor=person, activity=chosen)
                done = _("已报名：%(t)s") % {"t": chosen.title}
        except DomainError as exc:
            error, status = exc.detail, exc.status
    return _render(
        request,
        site,
        "activities.html",
        {"rows": rows, "person": person, "error": error, "done": done},
        status=status,
    )


@_kiosk_view
@require_POST
def code_request_view(request, site):
    phone = request.POST.get("phone", "")
    try:
        code_request(phone=phone, purpose=CodePurpose.LOGIN, request=request)
    except DomainError as exc:
        return _render(
            request, site, "start.html", {"error": exc.detail, "phone": phone}, status=exc.status
        )
    return _render(request, site, "code.html", {"phone": phone})


@_kiosk_view
@require_POST
def code_verify_view(request, site):
    phone = request.POST.get("phone", "")
    try:
        user = user_login_by_code(phone=phone, code=request.POST.get("code", ""), request=request)
    except DomainError as exc:
        return _render(
            request, site, "code.html", {"error": exc.detail, "phone": phone}, status=exc.status
        )
    services.visit_start(request.session, site=site, person_id=user.pk)
    return redirect("kiosk:home", site.pk)


@_kiosk_view
@require_POST
def qr_view(request, site):
    """The scanner typed the code from the person's phone (kiosk:me_qr)."""
    try:
        user_id = services.qr_resolve(request.POST.get("qr", ""))
    except DomainError as exc:
        return _render(request, site, "start.html", {"qr_error": exc.detail}, status=exc.status)
    person = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if person is None:
        return _render(request, site, "start.html", status=400)
    services.visit_start(request.session, site=site, person_id=person.pk)
    return redirect("kiosk:home", site.pk)


@require_safe
@never_cache
@login_required
def me_qr(request):
    """The person's phone: a QR code for the kiosk's scanner, valid two minutes, once."""
    token = services.qr_issue(request.user)
    svg = segno.make(token, error="m").svg_inline(scale=6, border=2)
    return render(
        request,
        "kiosk/me_qr.html",
        {"token": token, "svg": svg, "minutes": services.QR_MAX_AGE // 60},
    )


@_kiosk_view
@require_POST
def walk_in(request, site):
    services.walk_in_record(device=_device(request, site))
    services.visit_start(request.session, site=site, person_id=None, walk_in=True)
    return redirect("kiosk:home", site.pk)


@_kiosk_view
def order(request, site):
    """Tiles of the services of this site → confirm → the ticket; then the visit ends."""
    visit = services.visit_get(request.session, site=site)
    person = _person(visit)
    if person is None:
        return redirect("kiosk:home", site.pk)
    region = site.region if site.region.level in VILLAGES else (person.home_region or site.region)
    projects = [p for p in common_projects(person, region) if p.site_id == site.pk] or (
        common_projects(person, region)
    )
    raw = request.POST.get("project") or request.GET.get("project")
    project = next((p for p in projects if str(p.pk) == raw), None)
    if project is None:
        return _render(
            request,
            site,
            "order.html",
            {"projects": projects, "person": person},
            status=404 if raw else 200,
        )
    if request.method != "POST":
        return _render(
            request, site, "order.html", {"project": project, "person": person, "region": region}
        )
    try:
        made, _created = order_services.order_create(
            actor=person,
            region=region,
            project=project,
            contact_name=person.name,
            contact_phone=person.phone or "",
            beneficiary_age=None,
            channel=OrderChannel.RESIDENT,
        )
    except DomainError as exc:
        return _render(
            request,
            site,
            "order.html",
            {"project": project, "person": person, "region": region, "error": exc.detail},
            status=exc.status,
        )
    services.visit_end(request.session)
    # The ticket is shown once (POST, redirect, GET): going back shows nothing.
    request.session[TICKET] = {"site": site.pk, "no": made.pk, "title": made.title}
    return redirect("kiosk:done", site.pk)


@_kiosk_view
def done(request, site):
    ticket = request.session.pop(TICKET, None)
    if not ticket or ticket.get("site") != site.pk:
        return redirect("kiosk:home", site.pk)
    return _render(request, site, "done.html", {"ticket": ticket})


@_kiosk_view
@require_POST
def end(request, site):
    services.visit_end(request.session)
    return redirect("kiosk:home", site.pk)


@never_cache
@login_required
def devices(request):
    """Staff: pair a kiosk to one of their sites (a one-time code) and revoke kiosks."""
    sites = sites_managed_by(user=request.user)
    if not sites.exists():
        return render(request, "404.html", status=404)
    code = chosen = None
    if request.method == "POST":
        chosen = sites.filter(pk=request.POST.get("site") or 0).first()
        if chosen is None:
            messages.error(request, _("请选择您管理的阵地。"))
        else:
            code = services.pair_code_issue(
                actor=request.user, site=chosen, name=request.POST.get("name", "")
            )
    rows = KioskDevice.objects.filter(site__in=sites).select_related("site").order_by("-id")
    walk_ins = (
        KioskWalkIn.objects.filter(site__in=sites, confirmed_at__isnull=True)
        .select_related("site")
        .order_by("-id")
    )
    return render(
        request,
        "kiosk/devices.html",
        {
            "sites": sites[:200],
            "rows": rows[:100],
            "walk_ins": walk_ins[:100],
            "code": code,
            "chosen": chosen,
        },
    )


@require_POST
@login_required
def device_revoke(request, device_id: int):
    device = get_object_or_404(KioskDevice.objects.select_related("site"), pk=device_id)
    try:
        services.kiosk_revoke(actor=request.user, device=device)
    except DomainError:
        return render(request, "404.html", status=404)
    messages.success(request, _("已停用该自助终端。"))
    return redirect("kiosk:devices")


@require_POST
@login_required
def walk_in_confirm(request, walk_in_id: int):
    walk_in = get_object_or_404(KioskWalkIn.objects.select_related("site"), pk=walk_in_id)
    try:
        services.walk_in_confirm(actor=request.user, walk_in=walk_in)
    except DomainError:
        return render(request, "404.html", status=404)
    messages.success(request, _("已确认现场登记。"))
    return redirect("kiosk:devices")

"""Volunteer pages (phone first): registration, my profile, hours, points, certificates,
teams, the love supermarket, and the public certificate verification page.

Reads go through the scoped selectors and writes through the services the API uses, so a
rule lives in one place; a refusal is shown with its 4xx status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError, NotFound
from xinfeng.places.models import Site
from xinfeng.volunteers import selectors
from xinfeng.volunteers.choices import STAR_THRESHOLDS, MembershipStatus
from xinfeng.volunteers.forms import ProfileForm, SelfRegistrationForm
from xinfeng.volunteers.models import Volunteer
from xinfeng.volunteers.policy import hours_dispute_window
from xinfeng.volunteers.presenters import masked_contacts
from xinfeng.volunteers.services import certificates, exchange
from xinfeng.volunteers.services import profiles as registration


def refusal(request, exc: DomainError, *, back: str = ""):
    """Show a service's refusal on a page with its status (400/403/404/409)."""
    if isinstance(exc, NotFound):
        return render(request, "404.html", status=404)
    return render(
        request,
        "volunteers/refusal.html",
        {"message": str(exc.detail), "back": back or request.META.get("HTTP_REFERER", "")},
        status=exc.status,
    )


def safe_next(request, default: str) -> str:
    """A ``next`` target inside this app only (no open redirects)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/volunteers/") and "//" not in target:
        return target
    return default


def form_refusal(form, exc: DomainError) -> int:
    form.add_error(None, str(exc.detail))
    return exc.status


@require_safe
def privacy_notice(request):
    return render(
        request, "volunteers/privacy.html", {"version": registration.PRIVACY_NOTICE_VERSION}
    )


def register(request):
    """Self-registration of the signed-in person. A visitor first signs up by phone and
    SMS code (accounts) and is brought back here: one flow, one account."""
    if not request.user.is_authenticated:
        signup = reverse("accounts:signup")
        return redirect(f"{signup}?next={reverse('volunteers:register')}")
    if selectors.volunteer_of(request.user) is not None:
        return redirect("volunteers:me")
    form = SelfRegistrationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            kwargs = form.service_kwargs()
            try:
                volunteer = registration.volunteer_self_register(
                    actor=request.user, request=request, **kwargs
                )
            except DomainError as exc:
                status = form_refusal(form, exc)
            else:
                messages.success(
                    request,
                    _("登记成功！您的志愿者编号是 %(number)s。") % {"number": volunteer.number},
                )
                return redirect("volunteers:me")
        else:
            status = 400
    return render(
        request,
        "volunteers/register.html",
        {"form": form, "version": registration.PRIVACY_NOTICE_VERSION},
        status=status,
    )


def _own_or_register(request):
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        return None, redirect("volunteers:register")
    return volunteer, None


def _next_star(volunteer: Volunteer):
    for threshold in STAR_THRESHOLDS:
        if volunteer.total_hours < threshold:
            return threshold, threshold - volunteer.total_hours
    return None, None


@require_safe
def me(request):
    """My volunteer card: number, star level, hours, points, consents. Someone not yet
    registered (or not signed in) is taken to the registration page."""
    volunteer, redirect_ = _own_or_register(request)
    if redirect_:
        return redirect_
    next_star, hours_to_go = _next_star(volunteer)
    context = {
        "v": volunteer,
        "phone_masked": masked_contacts(volunteer)["phone"],
        "emergency_masked": masked_contacts(volunteer)["emergency_contact_phone"],
        "next_star": next_star,
        "hours_to_go": hours_to_go,
        "stars": range(volunteer.star_level),
        "privacy_current": volunteer.privacy_notice_version == registration.PRIVACY_NOTICE_VERSION,
        "version": registration.PRIVACY_NOTICE_VERSION,
        "team_count": volunteer.memberships.filter(status=MembershipStatus.ACTIVE).count(),
    }
    return render(request, "volunteers/me.html", context)


@login_required
def me_edit(request):
    volunteer, redirect_ = _own_or_register(request)
    if redirect_:
        return redirect_
    initial = {
        "skills": "、".join(volunteer.skills or []),
        "availability": volunteer.availability,
        "political_status": volunteer.political_status,
        "emergency_contact_name": volunteer.emergency_contact_name,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changes = {
                k: v
                for k, v in form.cleaned_data.items()
                if k not in ("phone", "emergency_contact_phone")
            }
            for key in ("phone", "emergency_contact_phone"):
                if form.cleaned_data.get(key):
                    changes[key] = form.cleaned_data[key]
            try:
                registration.volunteer_update(actor=request.user, volunteer=volunteer, **changes)
            except DomainError as exc:
                status = form_refusal(form, exc)
            else:
                messages.success(request, _("资料已保存。"))
                return redirect("volunteers:me")
        else:
            status = 400
    return render(request, "volunteers/me_edit.html", {"form": form, "v": volunteer}, status=status)


@login_required
@require_POST
def me_consent(request):
    """Give or withdraw location consent; accept the current privacy notice."""
    volunteer, redirect_ = _own_or_register(request)
    if redirect_:
        return redirect_
    try:
        if "location" in request.POST:
            registration.volunteer_set_location_consent(
                actor=request.user, volunteer=volunteer, consent=request.POST["location"] == "1"
            )
        if "privacy_version" in request.POST:
            registration.volunteer_accept_privacy(
                actor=request.user, volunteer=volunteer, version=request.POST["privacy_version"]
            )
    except DomainError as exc:
        return refusal(request, exc)
    messages.success(request, _("授权设置已更新。"))
    return redirect("volunteers:me")


@login_required
@require_POST
def reveal(request, volunteer_id: int, field: str):
    """htmx: replace a masked value with the real one, writing an audit event."""
    try:
        volunteer = Volunteer.objects.filter(pk=volunteer_id).first()
        if volunteer is None:
            raise NotFound()
        value = registration.volunteer_reveal(
            actor=request.user, volunteer=volunteer, field=field, request=request
        )
    except DomainError as exc:
        if isinstance(exc, NotFound) or exc.status == 403:
            return HttpResponse(_("未找到。"), status=404)
        return HttpResponse(str(exc.detail), status=exc.status)
    return render(request, "volunteers/_revealed.html", {"value": value or "—"})


@require_safe
@login_required
def me_hours(request):
    volunteer, redirect_ = _own_or_register(request)
    if redirect_:
        return redirect_
    page = Paginator(selectors.own_records(volunteer).order_by("-started_at", "-id"), 30).get_page(
        request.GET.get("page")
    )
    # Each record with its latest dispute and whether it may still be disputed (时长申诉).
    ids = [r.pk for r in page.object_list]
    latest = {}
    for d in selectors.own_disputes(volunteer).filter(record_id__in=ids).order_by("id"):
        latest[d.record_id] = d
    open_until = timezone.now() - hours_dispute_window()
    for r in page.object_list:
        r.dispute = latest.get(r.pk)
        r.may_dispute = (
            r.corrects_id is None
            and r.created_at >= open_until
            and not (r.dispute and r.dispute.status == "open")
        )
    return render(
        request,
        "volunteers/me_hours.html",
        {
            "v": volunteer,
            "page": page,
            "window_days": hours_dispute_window().days,
            # A leader or organiser also sees the disputes waiting for them.
            "to_resolve": selectors.disputes_to_resolve(user=request.user).count(),
        },
    )


@require_safe
@login_required
def me_points(request):
    volunteer, redirect_ = _own_or_register(request)
    if redirect_:
        return redirect_
    page = Paginator(selectors.points_entries(volunteer), 30).get_page(request.GET.get("page"))
    redemptions = volunteer.redemptions.select_related("reward", "site").order_by("-id")[:20]
    return render(
        request,
        "volunteers/me_points.html",
        {"v": volunteer, "page": page, "redemptions": redemptions},
    )


@require_safe
@login_required
def me_certificates(request):
    volunteer, redirect_ = _own_or_register(request)
    if redirect_:
        return redirect_
    certs = volunteer.certificates.defer("pdf").order_by("-id")
    return render(request, "volunteers/me_certificates.html", {"v": volunteer, "certs": certs})


@require_safe
@login_required
def me_teams(request):
    volunteer, redirect_ = _own_or_register(request)
    if redirect_:
        return redirect_
    memberships = volunteer.memberships.select_related("team", "team__home_site").order_by(
        "status", "-id"
    )
    return render(request, "volunteers/me_teams.html", {"v": volunteer, "memberships": memberships})


@require_safe
@login_required
def certificate_pdf(request, certificate_id: int):
    cert = selectors.certificate_get(user=request.user, certificate_id=certificate_id)
    data = certificates.certificate_pdf(cert, request.build_absolute_uri("/"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.number}.pdf"'
    return response


@require_safe
def certificate_verify(request, number: str):
    """Public: anyone holding a certificate (or scanning its QR code) checks it here."""
    try:
        cert = selectors.certificate_by_number(number)
    except NotFound:
        return render(
            request, "volunteers/verify.html", {"cert": None, "number": number[:30]}, status=404
        )
    return render(request, "volunteers/verify.html", {"cert": certificates.public_view(cert)})


@require_safe
def love_supermarket(request):
    """The rewards on the shelves (public), with my balance when I'm a volunteer."""
    site = None
    site_id = request.GET.get("site")
    if site_id and site_id.isdigit():
        site = Site.objects.filter(pk=int(site_id)).first()
    rewards = selectors.reward_list(site=site).order_by("site__name", "points_cost", "id")
    page = Paginator(rewards, 40).get_page(request.GET.get("page"))
    site_ids = selectors.reward_list().values_list("site_id", flat=True).distinct()
    sites = Site.objects.filter(pk__in=site_ids).order_by("name")
    return render(
        request,
        "volunteers/exchange.html",
        {
            "page": page,
            "site": site,
            "sites": sites,
            "v": selectors.volunteer_of(request.user),
        },
    )


@login_required
@require_POST
def redeem(request, reward_id: int):
    try:
        reward = selectors.reward_get(reward_id=reward_id)
        quantity = request.POST.get("quantity", "1")
        redemption = exchange.reward_redeem(
            actor=request.user, reward=reward, quantity=int(quantity) if quantity.isdigit() else 0
        )
    except DomainError as exc:
        return refusal(request, exc)
    messages.success(
        request,
        _("兑换成功，凭领取码 %(code)s 到%(site)s领取。")
        % {"code": redemption.pickup_code, "site": reward.site.name},
    )
    return redirect("volunteers:me_points")


@login_required
@require_POST
def redemption_cancel(request, redemption_id: int):
    try:
        r = selectors.redemption_get(user=request.user, redemption_id=redemption_id)
        exchange.redemption_cancel(actor=request.user, redemption=r, reason=_("本人取消"))
    except DomainError as exc:
        return refusal(request, exc)
    messages.success(request, _("已取消兑换，积分已退回。"))
    return redirect(safe_next(request, "volunteers:me_points"))

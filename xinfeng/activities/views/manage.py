"""Organiser pages: my activities, create and edit, one activity's sign-ups, check-ins,
audience and report, and a site's activity settings. All scoped: an activity outside the
user's staff scope answers 404."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.accounts.models import User
from xinfeng.core.errors import DomainError, NotFound
from xinfeng.places.selectors import sites_managed_by

from .. import selectors, services
from ..choices import ActivityState
from ..forms import ActivityForm, HeadcountForm, ReportForm, SiteSettingsForm
from ..models import ActivityReport, ActivitySiteSettings, Signup
from ..permissions import can_organise, can_review, can_set_review
from ..policy import has_started, organiser_actions
from .common import not_found

ACTIONS = {"submit", "publish", "approve", "reject", "cancel", "finish"}
RENEW = "renew_codes"


@require_safe
@login_required
def manage_list(request):
    qs = selectors.activities_managed_by(user=request.user).order_by("-starts_at", "-id")
    state = request.GET.get("state")
    if state in ActivityState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/manage_list.html",
        {
            "page": page,
            "state": state,
            "states": ActivityState.choices,
            "to_review": selectors.activities_to_review(user=request.user).order_by("starts_at")[
                :50
            ],
            "can_create": sites_managed_by(user=request.user).exists(),
        },
    )


def _save_form(request, form, save):
    """Validate, call the service; a domain error is shown on the form with its status."""
    if request.method == "POST" and form.is_valid():
        try:
            return save(form.service_fields()), 200
        except DomainError as exc:
            # A service's refusal goes next to the field it concerns, when it names one.
            fields = {
                k: v for k, v in (getattr(exc, "fields", None) or {}).items() if k in form.fields
            }
            for name, msgs in fields.items():
                form.add_error(name, msgs)
            if not fields:
                form.add_error(None, str(exc.detail))
            return None, exc.status
    return None, 400 if form.errors else 200


@login_required
def manage_new(request):
    if not sites_managed_by(user=request.user).exists():
        return not_found(request)
    form = ActivityForm(request.POST or None, request.FILES or None, user=request.user)

    def save(data):
        site = data.pop("site")
        return services.activity_create(actor=request.user, site=site, **data)

    activity, status = _save_form(request, form, save)
    if activity is not None:
        messages.success(request, _("活动已创建（草稿）。"))
        return redirect("activities:manage", activity_id=activity.pk)
    return render(
        request, "activities/manage_form.html", {"form": form, "activity": None}, status=status
    )


def _managed(request, activity_id):
    return selectors.activity_get_managed(user=request.user, activity_id=activity_id)


@login_required
def manage_edit(request, activity_id: int):
    activity = _managed(request, activity_id)
    initial = {
        f: getattr(activity, f)
        for f in ActivityForm.base_fields
        if f not in ("cover",) and hasattr(activity, f)
    }
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        user=request.user,
        activity=activity,
    )

    def save(data):
        data.pop("site", None)
        return services.activity_update(actor=request.user, activity=activity, **data)

    saved, status = _save_form(request, form, save)
    if saved is not None:
        messages.success(request, _("已保存。"))
        return redirect("activities:manage", activity_id=activity.pk)
    return render(
        request, "activities/manage_form.html", {"form": form, "activity": activity}, status=status
    )


def _manage_context(request, activity, **extra):
    signups = list(selectors.signups_of(activity))
    attendances = {a.user_id: a for a in selectors.attendances_of(activity)}
    ctx = {
        "activity": activity,
        "confirmed": [s for s in signups if s.state == "confirmed"],
        "waitlisted": [s for s in signups if s.state == "waitlisted"],
        "cancelled_count": sum(1 for s in signups if s.state == "cancelled"),
        "attendances": list(attendances.values()),
        "present_ids": set(attendances),
        "events": activity.events.select_related("actor").order_by("at", "id"),
        "can_review": can_review(request.user, activity),
        "headcount_form": HeadcountForm(initial={"headcount": activity.extra_headcount}),
        "scan_url": request.build_absolute_uri(
            reverse("activities:scan", args=[activity.pk]) + "?t=" + services.qr_token(activity)
        ),
        "booking": activity.bookings.filter(state="confirmed").select_related("venue").first(),
        "can_organise": can_organise(request.user, activity),
        "actions": organiser_actions(activity, request.user),
        "start_passed": activity.state in (ActivityState.DRAFT, ActivityState.SUBMITTED)
        and has_started(activity),
        "hours_rows": services.hours_pending(activity),
    }
    ctx.update(extra)
    return ctx


@login_required
def manage_detail(request, activity_id: int, status: int = 200, error: str = ""):
    activity = selectors.activity_get_public(activity_id=activity_id, user=request.user)
    if not (can_organise(request.user, activity) or can_review(request.user, activity)):
        return not_found(request)
    return render(
        request,
        "activities/manage.html",
        _manage_context(request, activity, error=error),
        status=status,
    )


def _run(request, activity_id, fn, success):
    activity = selectors.activity_get_public(activity_id=activity_id, user=request.user)
    if not (can_organise(request.user, activity) or can_review(request.user, activity)):
        raise NotFound()
    try:
        fn(activity)
    except DomainError as exc:
        return manage_detail(request, activity_id, status=exc.status, error=str(exc.detail))
    messages.success(request, success)
    return redirect("activities:manage", activity_id=activity_id)


@login_required
@require_POST
def manage_action(request, activity_id: int):
    action = request.POST.get("action")
    if action == RENEW:
        return _run(
            request,
            activity_id,
            lambda a: services.checkin_codes_renew(actor=request.user, activity=a),
            _("签到码和二维码已更新，旧的已失效。"),
        )
    if action not in ACTIONS:
        return manage_detail(request, activity_id, status=400, error=_("未知的操作。"))
    fn = getattr(services, f"activity_{action}")
    reason = (request.POST.get("reason") or "").strip()[:200]
    kwargs = {"reason": reason} if action in ("reject", "cancel") else {}
    return _run(
        request,
        activity_id,
        lambda a: fn(actor=request.user, activity=a, **kwargs),
        _("操作成功。"),
    )


@login_required
@require_POST
def manage_headcount(request, activity_id: int):
    form = HeadcountForm(request.POST)
    if not form.is_valid():
        return manage_detail(
            request, activity_id, status=400, error=_("现场人数必须是 0 或正整数。")
        )
    return _run(
        request,
        activity_id,
        lambda a: services.activity_set_headcount(
            actor=request.user, activity=a, headcount=form.cleaned_data["headcount"]
        ),
        _("现场人数已保存。"),
    )


@login_required
@require_POST
def manage_hours(request, activity_id: int):
    """The organiser confirms the pending hours (``services.attendance_hours_confirm``)."""
    lines = {}
    for key, value in request.POST.items():
        att = key.removeprefix("hours_")
        if key.startswith("hours_") and att.isdigit() and len(att) < 19 and value != "":
            lines[int(att)] = (value, request.POST.get(f"reason_{att}", ""))
    return _run(
        request,
        activity_id,
        lambda a: services.attendance_hours_confirm(actor=request.user, activity=a, lines=lines),
        _("服务时长已确认。"),
    )


@login_required
@require_POST
def manage_person(request, activity_id: int):
    """The organiser checks a signed-up person in or out, or cancels their sign-up."""
    op = request.POST.get("op")
    pk = request.POST.get("user") or ""
    person = User.objects.filter(pk=int(pk)).first() if pk.isdigit() and len(pk) < 12 else None

    def do(activity):
        if person is None:
            raise NotFound(_("人员不存在。"))
        if op == "in":
            services.attendance_check_in(
                actor=request.user, activity=activity, method="organiser", person=person
            )
        elif op == "out":
            services.attendance_check_out(
                actor=request.user, activity=activity, method="organiser", person=person
            )
        elif op == "cancel":
            signup = Signup.objects.filter(
                activity=activity, user=person, state__in=["confirmed", "waitlisted"]
            ).first()
            if signup is None:
                raise NotFound(_("该报名不存在。"))
            services.signup_cancel(actor=request.user, signup=signup)
        else:
            raise NotFound(_("未知的操作。"))

    return _run(request, activity_id, do, _("操作成功。"))


@require_safe
@login_required
def qr_svg(request, activity_id: int):
    """The check-in QR code (an SVG of the scan URL with its signed token)."""
    activity = _managed(request, activity_id)
    url = request.build_absolute_uri(
        reverse("activities:scan", args=[activity.pk]) + "?t=" + services.qr_token(activity)
    )
    out = io.BytesIO()
    # A standalone SVG document (with its namespace), so it works as an <img> source.
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=True)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@login_required
def manage_report(request, activity_id: int):
    activity = _managed(request, activity_id)
    report = ActivityReport.objects.filter(activity=activity).first()
    initial = {"summary": report.summary, "body": report.body} if report else None
    form = ReportForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("publish"):
                if report is None:
                    raise NotFound(_("尚未撰写活动报道。"))
                news = services.report_publish_as_news(actor=request.user, report=report)
                messages.success(request, _("已发布为新闻。"))
                return redirect("activities:news_detail", news_id=news.pk)
            if form.is_valid():
                data = form.cleaned_data
                report = services.report_save(
                    actor=request.user,
                    activity=activity,
                    body=data["body"],
                    summary=data["summary"],
                )
                if data.get("photo"):
                    services.report_add_photo(
                        actor=request.user,
                        report=report,
                        image=data["photo"],
                        caption=data["caption"],
                    )
                messages.success(request, _("活动报道已保存。"))
                return redirect("activities:manage_report", activity_id=activity.pk)
            status = 400
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
            status = exc.status
    photos = list(report.photos.all()) if report else []
    return render(
        request,
        "activities/manage_report.html",
        {"activity": activity, "report": report, "form": form, "photos": photos},
        status=status,
    )


@login_required
def site_settings(request, site_id: int):
    site = sites_managed_by(user=request.user).filter(pk=site_id).first()
    if site is None:
        return not_found(request)
    current = ActivitySiteSettings.for_site(site)
    form = SiteSettingsForm(
        request.POST or None,
        initial={
            "requires_review": current.requires_review,
            "geofence_radius_m": current.geofence_radius_m,
            "checkin_opens_minutes": current.checkin_opens_minutes,
        },
    )
    if not can_set_review(request.user, site):
        # Only the level above switches review on or off; the site sees the setting.
        form.fields["requires_review"].disabled = True
        form.fields["requires_review"].help_text = _("由上一级阵地设置。")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.site_settings_update(actor=request.user, site=site, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
                status = exc.status
            else:
                messages.success(request, _("已保存。"))
                return redirect("activities:site_settings", site_id=site.pk)
        else:
            status = 400
    return render(
        request, "activities/site_settings.html", {"site": site, "form": form}, status=status
    )

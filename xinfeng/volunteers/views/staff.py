"""Staff pages: volunteers and hours in my scope (filters, search, Excel export),
registration by staff, backfills and corrections, certificates, imports and team creation
(the exchange counter: ``exchange_staff``). Everything is scoped; outside the scope answers
404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.accounts.choices import READ_ROLES
from xinfeng.accounts.scope import has_role_at, scope_paths
from xinfeng.core.errors import DomainError, PermissionDenied
from xinfeng.places.cascade import region_cascade
from xinfeng.volunteers import selectors
from xinfeng.volunteers.api.profiles import XLSX
from xinfeng.volunteers.choices import PoliticalStatus, ServiceSource
from xinfeng.volunteers.forms import (
    BackfillForm,
    CertificateForm,
    CorrectForm,
    GuardianForm,
    ImportForm,
    LeaderTeamForm,
    ReasonForm,
    StaffRegistrationForm,
    TeamForm,
)
from xinfeng.volunteers.params import parse_day
from xinfeng.volunteers.pickers import parent_team_candidates, staff_regions, staff_sites
from xinfeng.volunteers.policy import (
    may_export_personal_data,
    needs_guardian_consent,
    user_leads_team,
    volunteer_may_take_risky_work,
)
from xinfeng.volunteers.presenters import masked_contacts, with_masked_phone
from xinfeng.volunteers.services import certificates, exports, imports, teams
from xinfeng.volunteers.services import ledger as services
from xinfeng.volunteers.services import profiles as registration
from xinfeng.volunteers.views.profiles import form_refusal, refusal

# The same sets the pickers of these forms search (volunteers.pickers).
_staff_regions = staff_regions
_staff_sites = staff_sites


def _require_scope(request, roles=None):
    paths = scope_paths(request.user, roles or READ_ROLES)
    if paths == []:
        raise PermissionDenied(_("此页面仅供工作人员使用。"))


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _region_filter(request):
    """The cascading region filter over the user's read scope (places.cascade)."""
    return region_cascade(request.GET, roots=scope_paths(request.user, READ_ROLES))


def _volunteer_filters(request, cascade):
    g = request.GET
    region = cascade.selected
    status = g.get("political_status") or None
    if status not in PoliticalStatus.values:
        status = None
    stars = (
        int(g["stars"]) if (g.get("stars") or "").isdigit() and 1 <= int(g["stars"]) <= 5 else None
    )
    q = (g.get("q") or "").strip()[:50]
    return {"q": q or None, "region": region, "political_status": status, "min_stars": stars}


@require_safe
@login_required
def volunteer_list(request):
    try:
        _require_scope(request)
    except DomainError as exc:
        return refusal(request, exc)
    cascade = _region_filter(request)
    f = _volunteer_filters(request, cascade)
    qs = selectors.volunteer_list(user=request.user, **f).order_by("-id")
    if request.GET.get("export") == "xlsx":
        try:
            data = exports.volunteers_xlsx(
                actor=request.user,
                queryset=qs,
                request=request,
                filters={k: str(v) for k, v in f.items() if v},
            )
        except DomainError as exc:
            return refusal(request, exc)
        return _xlsx(data, "volunteers.xlsx")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    with_masked_phone(page.object_list)
    context = {
        **f,
        "page": page,
        "cascade": cascade,
        "statuses": PoliticalStatus.choices,
        "star_range": range(1, 6),
        "query": request.GET.urlencode(),
        "can_export": may_export_personal_data(request.user),
    }
    template = (
        "volunteers/staff/_volunteer_rows.html"
        if request.htmx
        else "volunteers/staff/volunteer_list.html"
    )
    return render(request, template, context)


@login_required
def volunteer_create(request):
    regions = _staff_regions(request.user)
    if not regions.exists():
        return refusal(request, PermissionDenied(_("此页面仅供工作人员使用。")))
    form = StaffRegistrationForm(request.POST or None, regions=regions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            kwargs = form.service_kwargs()
            try:
                volunteer = registration.volunteer_staff_register(
                    actor=request.user, service_regions=kwargs.pop("service_regions"), **kwargs
                )
            except DomainError as exc:
                status = form_refusal(form, exc)
            else:
                messages.success(
                    request, _("已登记，志愿者编号 %(number)s。") % {"number": volunteer.number}
                )
                return redirect("volunteers:staff_volunteer", volunteer_id=volunteer.pk)
        else:
            status = 400
    return render(request, "volunteers/staff/volunteer_form.html", {"form": form}, status=status)


def _get_volunteer(request, volunteer_id):
    return selectors.volunteer_get(user=request.user, volunteer_id=volunteer_id)


@require_safe
@login_required
def volunteer_detail(request, volunteer_id: int):
    v = _get_volunteer(request, volunteer_id)
    contacts = masked_contacts(v)
    is_staff = has_role_at(request.user, v.home_region)
    context = {
        "v": v,
        "phone_masked": contacts["phone"],
        "emergency_masked": contacts["emergency_contact_phone"],
        "guardian_masked": contacts["guardian_phone"],
        "may_risky": volunteer_may_take_risky_work(v),
        "needs_guardian": needs_guardian_consent(v),
        "records": selectors.own_records(v).order_by("-started_at", "-id")[:20],
        "memberships": v.memberships.select_related("team").order_by("status", "-id"),
        "certs": v.certificates.defer("pdf").order_by("-id"),
        "points": selectors.points_entries(v)[:10],
        "is_staff": is_staff,
        "cert_form": CertificateForm(sites=_staff_sites(request.user)),
        "guardian_form": GuardianForm(),
        "service_regions": v.service_regions.all(),
    }
    return render(request, "volunteers/staff/volunteer_detail.html", context)


@login_required
def backfill(request, volunteer_id: int):
    v = _get_volunteer(request, volunteer_id)
    form = BackfillForm(request.POST or None, regions=_staff_regions(request.user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.service_record_backfill(
                    actor=request.user,
                    volunteer=v,
                    region=d["region"],
                    started_at=d["started_at"],
                    ended_at=d["ended_at"],
                    hours=d.get("hours"),
                    description=d["description"],
                )
            except DomainError as exc:
                status = form_refusal(form, exc)
            else:
                messages.success(request, _("已补录服务时长。"))
                return redirect("volunteers:staff_volunteer", volunteer_id=v.pk)
        else:
            status = 400
    return render(
        request, "volunteers/staff/backfill_form.html", {"form": form, "v": v}, status=status
    )


@login_required
def record_correct(request, record_id: int):
    record = selectors.service_record_get(user=request.user, record_id=record_id)
    root = record.corrects or record
    form = CorrectForm(request.POST or None, initial={"hours": services.effective_hours(root)})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.service_record_correct(
                    actor=request.user,
                    record=record,
                    hours=form.cleaned_data["hours"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                status = form_refusal(form, exc)
            else:
                messages.success(request, _("已更正，原记录保留。"))
                return redirect("volunteers:staff_records")
        else:
            status = 400
    return render(
        request,
        "volunteers/staff/correct_form.html",
        {"form": form, "record": root, "current": services.effective_hours(root)},
        status=status,
    )


@require_safe
@login_required
def record_list(request):
    try:
        _require_scope(request)
    except DomainError as exc:
        return refusal(request, exc)
    g = request.GET
    cascade = _region_filter(request)
    region = cascade.selected
    source = g.get("source") if g.get("source") in ServiceSource.values else None
    try:
        since, until = parse_day(g.get("since")), parse_day(g.get("until"), end=True)
    except DomainError as exc:
        return refusal(request, exc)
    qs = selectors.service_record_list(
        user=request.user, region=region, source_type=source, since=since, until=until
    ).order_by("-started_at", "-id")
    if g.get("export") == "xlsx":
        try:
            data = exports.hours_xlsx(
                actor=request.user,
                queryset=qs,
                request=request,
                filters={
                    **({"region": str(region)} if region else {}),
                    **{k: g.get(k) for k in ("source", "since", "until") if g.get(k)},
                },
            )
        except DomainError as exc:
            return refusal(request, exc)
        return _xlsx(data, "service-hours.xlsx")
    page = Paginator(qs, 30).get_page(g.get("page"))
    context = {
        "page": page,
        "region": region,
        "source": source,
        "since": g.get("since", ""),
        "until": g.get("until", ""),
        "sources": ServiceSource.choices,
        "cascade": cascade,
        "query": g.urlencode(),
        "can_export": may_export_personal_data(request.user),
    }
    return render(request, "volunteers/staff/record_list.html", context)


@login_required
@require_POST
def certificate_issue(request, volunteer_id: int):
    try:
        v = _get_volunteer(request, volunteer_id)
        form = CertificateForm(request.POST, sites=_staff_sites(request.user))
        if not form.is_valid():
            return render(
                request,
                "volunteers/refusal.html",
                {"message": " ".join(e for errs in form.errors.values() for e in errs)},
                status=400,
            )
        cert = certificates.certificate_issue(
            actor=request.user,
            volunteer=v,
            issuer_site=form.cleaned_data["issuer_site"],
            period_start=form.cleaned_data.get("period_start"),
            period_end=form.cleaned_data.get("period_end"),
        )
    except DomainError as exc:
        return refusal(request, exc)
    messages.success(request, _("已出具志愿服务证明 %(number)s。") % {"number": cert.number})
    return redirect("volunteers:staff_volunteer", volunteer_id=v.pk)


@login_required
@require_POST
def certificate_revoke(request, certificate_id: int):
    try:
        cert = selectors.certificate_get(user=request.user, certificate_id=certificate_id)
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        certificates.certificate_revoke(actor=request.user, certificate=cert, reason=reason)
    except DomainError as exc:
        return refusal(request, exc)
    messages.success(request, _("证明已撤销。"))
    return redirect("volunteers:staff_volunteer", volunteer_id=cert.volunteer_id)


@login_required
@require_POST
def guardian_consent(request, volunteer_id: int):
    try:
        v = _get_volunteer(request, volunteer_id)
        form = GuardianForm(request.POST)
        data = form.cleaned_data if form.is_valid() else {"guardian_name": "", "guardian_phone": ""}
        registration.volunteer_record_guardian_consent(actor=request.user, volunteer=v, **data)
    except DomainError as exc:
        return refusal(request, exc)
    messages.success(request, _("已记录监护人同意。"))
    return redirect("volunteers:staff_volunteer", volunteer_id=v.pk)


@login_required
def import_list(request):
    regions = _staff_regions(request.user)
    if not regions.exists():
        return refusal(request, PermissionDenied(_("此页面仅供工作人员使用。")))
    form = ImportForm(request.POST or None, request.FILES or None, regions=regions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = imports.import_create(
                    actor=request.user,
                    region=form.cleaned_data["region"],
                    file_name=upload.name,
                    content=upload.read(imports.MAX_UPLOAD_BYTES + 1),
                )
            except DomainError as exc:
                status = form_refusal(form, exc)
            else:
                return redirect("volunteers:staff_import", import_id=job.pk)
        else:
            status = 400
    jobs = selectors.import_list(user=request.user).order_by("-id")[:20]
    return render(
        request, "volunteers/staff/imports.html", {"form": form, "jobs": jobs}, status=status
    )


@require_safe
@login_required
def import_detail(request, import_id: int):
    """The import's progress; the bar polls ``?partial=1`` with htmx until it finishes."""
    job = selectors.import_get(user=request.user, import_id=import_id)
    if request.GET.get("download") == "rejected":
        try:
            data = imports.rejected_report_xlsx(actor=request.user, job=job, request=request)
        except DomainError as exc:
            return refusal(request, exc)
        return _xlsx(data, f"import-{job.pk}-rejected.xlsx")
    preview = imports.rejected_rows(job)[1][:50] if job.is_finished else []
    context = {"job": job, "preview": preview}
    if request.htmx or request.GET.get("partial"):
        return render(request, "volunteers/staff/_import_progress.html", context)
    return render(request, "volunteers/staff/import_detail.html", context)


@require_safe
def import_template(request):
    return _xlsx(imports.template_xlsx(), "volunteer-import-template.xlsx")


@login_required
def team_create(request):
    sites = _staff_sites(request.user)
    if not sites.exists():
        return refusal(request, PermissionDenied(_("此页面仅供工作人员使用。")))
    form = TeamForm(request.POST or None, sites=sites, teams=parent_team_candidates(request.user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                data = dict(form.cleaned_data)
                data.pop("is_active", None)  # a new team is active; team_create has no flag
                team = teams.team_create(actor=request.user, **data)
            except DomainError as exc:
                status = form_refusal(form, exc)
            else:
                messages.success(request, _("队伍已建立。"))
                return redirect("volunteers:team_detail", team_id=team.pk)
        else:
            status = 400
    return render(request, "volunteers/staff/team_form.html", {"form": form}, status=status)


@login_required
def team_edit(request, team_id: int):
    """Staff of the team's region edit everything; its leader the service details."""
    team = selectors.team_get(team_id=team_id)
    staff = has_role_at(request.user, team.region)
    if not staff and not user_leads_team(request.user, team):
        return refusal(request, PermissionDenied())
    fields = ["service_categories", "capacity", "standby_24h", "description"]
    if staff:
        fields += ["name", "team_type", "home_site", "parent", "is_active"]
        form = TeamForm(
            request.POST or None,
            sites=_staff_sites(request.user),
            teams=parent_team_candidates(request.user),
            team=team,
            initial={f: getattr(team, f) for f in fields},
        )
    else:
        form = LeaderTeamForm(request.POST or None, initial={f: getattr(team, f) for f in fields})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changes = {f: form.cleaned_data[f] for f in fields if f in form.cleaned_data}
            try:
                teams.team_update(actor=request.user, team=team, **changes)
            except DomainError as exc:
                status = form_refusal(form, exc)
            else:
                messages.success(request, _("队伍信息已保存。"))
                return redirect("volunteers:team_detail", team_id=team.pk)
        else:
            status = 400
    return render(
        request, "volunteers/staff/team_form.html", {"form": form, "team": team}, status=status
    )

"""Staff pages: the sites in my scope, create and edit a site, its venues and operators.

Every write goes through ``places.services`` (the same functions the API calls); reads go
through the scoped selectors, so a site outside the user's scope answers 404.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.selectors import user_by_identifier
from xinfeng.core.errors import DomainError, ValidationFailed
from xinfeng.core.pages import apply_errors

from . import selectors, services
from .forms import OperatorForm, SiteForm, VenueForm


def _not_found(request):
    return render(request, "404.html", status=404)


def _responsible(form):
    """Resolve the optional responsible-account field; ``False`` when it names nobody."""
    identifier = (form.cleaned_data.get("responsible_account") or "").strip()
    if not identifier:
        return None
    try:
        return user_by_identifier(identifier=identifier)
    except ValidationFailed as exc:
        form.add_error("responsible_account", str(exc.detail))
        return False


@require_safe
@login_required
def manage_site_list(request):
    """The sites the user manages (staff roles in their scope), searchable."""
    q = (request.GET.get("q") or "").strip()[:50]
    qs = (
        selectors.sites_managed_by(user=request.user)
        .annotate(venue_count=Count("venues"))
        .order_by(selectors.level_rank(), "name", "id")
    )
    if q:
        qs = qs.filter(name__icontains=q)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    can_create = selectors.regions_managed_by(user=request.user).exists()
    return render(
        request,
        "places/manage_site_list.html",
        {"page": page, "q": q, "can_create": can_create},
    )


@login_required
def manage_site_create(request):
    regions = selectors.regions_managed_by(user=request.user)
    if not regions.exists():
        return _not_found(request)
    parents = selectors.parent_candidates(user=request.user)
    form = SiteForm(request.POST or None, regions=regions, parents=parents)
    if request.method == "POST" and form.is_valid():
        responsible = _responsible(form)
        if responsible is not False:
            fields = form.site_fields()
            region = fields.pop("region")
            try:
                site = services.site_create(
                    actor=request.user, region=region, responsible_user=responsible, **fields
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("阵地已创建。"))
                return redirect("places:manage_site", site_id=site.pk)
    status = 400 if form.errors else 200
    return render(request, "places/manage_site_form.html", {"form": form}, status=status)


@login_required
def manage_site(request, site_id: int):
    """Edit a site; the page also lists its venues and operators."""
    site = selectors.site_get_managed(user=request.user, site_id=site_id, roles=STAFF_ROLES)
    regions = selectors.regions_managed_by(user=request.user)
    parents = selectors.parent_candidates(user=request.user).exclude(pk=site.pk)
    # The form edits a copy: ``site`` stays as stored for the page header and the service.
    form = SiteForm(
        request.POST or None, instance=copy.copy(site), regions=regions, parents=parents
    )
    if request.method == "POST" and form.is_valid():
        responsible = _responsible(form)
        if responsible is not False:
            try:
                services.site_update(
                    actor=request.user,
                    site=site,
                    responsible_user=responsible,
                    **form.site_fields(),
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("places:manage_site", site_id=site.pk)
    context = {
        "site": site,
        "form": form,
        "venues": site.venues.order_by("name", "id"),
        "operators": site.operators.all(),
        "operator_form": OperatorForm(),
    }
    status = 400 if form.errors else 200
    return render(request, "places/manage_site.html", context, status=status)


@login_required
@require_POST
def manage_operator_add(request, site_id: int):
    site = selectors.site_get_managed(user=request.user, site_id=site_id, roles=STAFF_ROLES)
    form = OperatorForm(request.POST)
    if form.is_valid():
        try:
            user = user_by_identifier(identifier=form.cleaned_data["identifier"])
            services.site_operator_add(actor=request.user, site=site, user=user)
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, _("已添加管理员：%(name)s") % {"name": user.name})
    else:
        messages.error(request, _("请填写用户名或手机号。"))
    return redirect("places:manage_site", site_id=site.pk)


@login_required
@require_POST
def manage_operator_remove(request, site_id: int, user_id: int):
    site = selectors.site_get_managed(user=request.user, site_id=site_id, roles=STAFF_ROLES)
    user = site.operators.filter(pk=user_id).first()
    if user is None:
        return _not_found(request)
    services.site_operator_remove(actor=request.user, site=site, user=user)
    messages.success(request, _("已移除管理员：%(name)s") % {"name": user.name})
    return redirect("places:manage_site", site_id=site.pk)


@login_required
def manage_venue_create(request, site_id: int):
    site = selectors.site_get_managed(user=request.user, site_id=site_id, roles=STAFF_ROLES)
    form = VenueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.venue_create(actor=request.user, site=site, **form.cleaned_data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("场所已添加。"))
            return redirect("places:manage_site", site_id=site.pk)
    status = 400 if form.errors else 200
    return render(
        request, "places/manage_venue_form.html", {"form": form, "site": site}, status=status
    )


@login_required
def manage_venue(request, venue_id: int):
    venue = selectors.venue_get_managed(user=request.user, venue_id=venue_id)
    form = VenueForm(request.POST or None, instance=copy.copy(venue))
    if request.method == "POST" and form.is_valid():
        try:
            services.venue_update(actor=request.user, venue=venue, **form.cleaned_data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("places:manage_site", site_id=venue.site_id)
    status = 400 if form.errors else 200
    return render(
        request,
        "places/manage_venue_form.html",
        {"form": form, "site": venue.site, "venue": venue},
        status=status,
    )

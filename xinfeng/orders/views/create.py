"""点单 pages: a resident orders from the menu or in free text; staff order on behalf (代点单)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from xinfeng.accounts.care import care_on
from xinfeng.core.errors import DomainError
from xinfeng.projects.selectors import project_list
from xinfeng.volunteers.pickers import staff_regions, staff_sites

from .. import services
from ..choices import OrderChannel
from ..forms import OrderForm, StaffOrderForm
from ._common import _is_staff, _not_found


@login_required
def order_new(request):
    """点单 by a resident: a project from the menu, or a need in free text. In 长辈模式
    the three-step care flow (views_care) unless the full form is asked for."""
    if care_on(request) and not request.GET.get("full") and request.method == "GET":
        target = reverse("orders:care")
        if request.GET.get("project"):
            target += "?" + urlencode({"project": request.GET["project"]})
        return redirect(target)
    return _order_form(request, staff=False)


@login_required
def order_new_staff(request):
    """代点单 / 制单 by staff of the area."""
    if not _is_staff(request.user):
        return _not_found(request)
    return _order_form(request, staff=True)


def _order_form(request, *, staff: bool):
    user = request.user
    # Where the user lives: their home region, else where they hold a role.
    region = user.home_region or next(
        (a.region for a in user.role_assignments.select_related("region")), None
    )
    projects = list(project_list(user=user, orderable_at=region)) if region else []
    if not projects:
        projects = list(project_list(user=user, status="active").order_by("name")[:200])
    initial = {
        "region": region.pk if region else None,
        "contact_name": "" if staff else user.name,
        "contact_phone": "" if staff else (user.phone or ""),
        "idempotency_key": uuid.uuid4().hex,
        "project": request.GET.get("project"),
    }
    kwargs = {"projects": projects}
    form_class = OrderForm
    if staff:
        form_class = StaffOrderForm
        # The staff scope, as the pickers' endpoints search it (never a whole-table select).
        kwargs["sites"] = staff_sites(user)
        kwargs["regions"] = staff_regions(user)
    form = form_class(request.POST or None, initial=initial, **kwargs)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        project = next((p for p in projects if p.pk == d["project"]), None)
        try:
            order, _created = services.order_create(
                actor=user,
                region=d["region"],
                project=project,
                title=d["title"],
                description=d["description"],
                category=d["category"],
                address=d["address"],
                latitude=d["latitude"],
                longitude=d["longitude"],
                wanted_from=d["wanted_from"],
                wanted_until=d["wanted_until"],
                contact_name=d["contact_name"],
                contact_phone=d["contact_phone"],
                beneficiary_age=d["beneficiary_age"],
                channel=d.get("channel") or OrderChannel.RESIDENT,
                site=d.get("site"),
                open_for_grab=d.get("open_for_grab") or False,
                idempotency_key=d["idempotency_key"] or None,
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
            status = exc.status
        else:
            messages.success(request, _("点单已提交，我们会尽快安排。"))
            return redirect("orders:detail", order.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "orders/order_form.html", {"form": form, "staff": staff}, status=status)

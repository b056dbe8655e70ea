"""长辈模式 点单 (accounts.care): at most three steps — a big tile of a common service,
confirm the village (home village preselected), submit. The phone is prefilled and nothing
asks for free text. The order is made by ``services.order_create`` like every other page."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xinfeng.core.errors import DomainError
from xinfeng.projects.choices import AgeGroup
from xinfeng.projects.selectors import project_list

from . import services
from .choices import OrderChannel
from .forms import CareOrderForm

TILES = 8


def common_projects(user, region) -> list:
    """The services people order most, orderable at ``region`` (else any active ones)."""
    qs = project_list(user=user, orderable_at=region) if region else None
    if qs is None or not qs.exists():
        qs = project_list(user=user, status="active")
    return list(qs.annotate(n_orders=Count("orders")).order_by("-n_orders", "name")[:TILES])


@login_required
def order_care(request):
    """Step 1 (no ``project``): the tiles. Steps 2–3 (``project``): confirm and submit."""
    user = request.user
    region = user.home_region
    projects = common_projects(user, region)
    raw = request.POST.get("project") or request.GET.get("project")
    project = next((p for p in projects if str(p.pk) == raw), None)
    if project is None:
        status = 404 if raw else 200
        return render(request, "orders/order_care.html", {"projects": projects}, status=status)
    form = CareOrderForm(
        request.POST or None,
        needs_age=project.age_group != AgeGroup.ALL,
        initial={
            "project": project.pk,
            "region": region.pk if region else None,
            "contact_phone": user.phone or "",
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            order, _created = services.order_create(
                actor=user,
                region=d["region"],
                project=project,
                contact_name=user.name,
                contact_phone=d["contact_phone"],
                beneficiary_age=d.get("beneficiary_age"),
                channel=OrderChannel.RESIDENT,
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
    return render(
        request, "orders/order_care.html", {"project": project, "form": form}, status=status
    )

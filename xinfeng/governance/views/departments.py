"""指导部门: the figures of the work each guiding department guides, in its region."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import departments


@require_safe
@login_required
def department_view(request):
    try:
        region_id = int(request.GET.get("region") or 0) or None
    except ValueError:
        region_id = None
    code = (request.GET.get("department") or "")[:32]
    region, sections, regions = departments.view_for(
        request.user, region_id=region_id, department=code
    )
    return render(
        request,
        "governance/departments.html",
        {"region": region, "sections": sections, "regions": regions, "department": code},
    )

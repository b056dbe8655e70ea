"""The guiding departments' figures (read-only; totals, no person named)."""

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.schema import DbId

from .. import departments
from . import router
from .schemas import DepartmentViewOut


@router.get(
    "/departments",
    response=DepartmentViewOut,
    auth=signed_in,
    summary="Figures of the work each guiding department guides, in its region",
)
def department_view(request, region_id: DbId | None = None, department: str = ""):
    """A guiding department sees its own section for its own region; staff and leaders
    all six for the top of their scope. Another region: 404."""
    region, sections, _regions = departments.view_for(
        request.auth, region_id=region_id, department=department[:32]
    )
    return {
        "region_id": region.pk,
        "region": region.display_name,
        "sections": [
            {
                "code": s.code,
                "label": s.label,
                "guides": s.guides,
                "figures": [
                    {"label": str(lbl), "value": str(v), "key": k} for lbl, v, k in s.figures
                ],
            }
            for s in sections
        ],
    }

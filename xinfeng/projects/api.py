"""Service projects API: the public menu, declaration and approval by staff."""

from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import ValidationFailed
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import Limit, PatchSchema
from xinfeng.places.selectors import site_get
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import ServiceCategory
from xinfeng.volunteers.models import Team

from . import selectors, services
from .choices import AgeGroup, ProjectStatus

router = Router(tags=["projects"])


class ProjectOut(Schema):
    id: int
    name: str
    category: str
    category_label: str = Field(..., alias="get_category_display")
    summary: str
    description: str
    site_id: int
    site_name: str = Field(..., alias="site.name")
    region_id: int
    age_group: str
    is_risky: bool
    review_within: timedelta
    dispatch_within: timedelta
    accept_within: timedelta
    start_within: timedelta
    rate_within: timedelta
    status: str
    status_label: str = Field(..., alias="get_status_display")
    is_provincial_demo: bool
    approved_at: datetime | None
    outcome_label: str
    outcome_count: int
    orders_completed: int


class ProjectPage(Schema):
    items: list[ProjectOut]
    next_cursor: str | None


class ProjectIn(Schema):
    name: str = Field(..., min_length=2, max_length=120)
    category: ServiceCategory
    site_id: int
    summary: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)
    age_group: AgeGroup = AgeGroup.ALL
    is_risky: bool = False
    review_within: timedelta | None = None
    dispatch_within: timedelta | None = None
    accept_within: timedelta | None = None
    start_within: timedelta | None = None
    rate_within: timedelta | None = None
    outcome_label: str = Field("", max_length=30)
    team_ids: list[int] = Field(default_factory=list, max_length=200)
    area_ids: list[int] = Field(default_factory=list, max_length=500)


class ProjectPatch(PatchSchema):
    name: str | None = Field(None, min_length=2, max_length=120)
    category: ServiceCategory | None = None
    summary: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    age_group: AgeGroup | None = None
    is_risky: bool | None = None
    review_within: timedelta | None = None
    dispatch_within: timedelta | None = None
    accept_within: timedelta | None = None
    start_within: timedelta | None = None
    rate_within: timedelta | None = None
    outcome_label: str | None = Field(None, max_length=30)
    team_ids: list[int] | None = Field(None, max_length=200)
    area_ids: list[int] | None = Field(None, max_length=500)


class DemoIn(Schema):
    is_provincial_demo: bool


def _by_ids(model, ids, label):
    if ids is None:
        return None
    ids = list(dict.fromkeys(ids))
    found = list(model.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        missing = sorted(set(ids) - {o.pk for o in found})
        raise ValidationFailed(
            _("未找到%(what)s：%(ids)s") % {"what": label, "ids": ", ".join(map(str, missing))}
        )
    return found


def _split(data: dict) -> tuple[dict, list | None, list | None]:
    teams = _by_ids(Team, data.pop("team_ids", None), _("队伍"))
    areas = _by_ids(Region, data.pop("area_ids", None), _("区划"))
    return {k: v for k, v in data.items() if v is not None}, teams, areas


@router.get("/", response=ProjectPage, summary="The project menu (active projects; staff see more)")
def list_projects(
    request,
    category: ServiceCategory | None = None,
    status: ProjectStatus | None = None,
    site_id: int | None = None,
    demo: bool | None = None,
    region_id: int | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    region = Region.objects.filter(pk=region_id).first() if region_id else None
    qs = selectors.project_list(
        user=request.user,
        category=category,
        status=status,
        site_id=site_id,
        demo=demo,
        q=(q or "").strip()[:50] or None,
        orderable_at=region,
    )
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("-id",))
    return {"items": items, "next_cursor": nxt}


@router.get("/{project_id}", response=ProjectOut)
def get_project(request, project_id: int):
    return selectors.project_get(user=request.user, project_id=project_id)


@router.post(
    "/", response={201: ProjectOut}, summary="Declare a project (staff of the site)", auth=signed_in
)
def declare_project(request, payload: ProjectIn):
    user = request.auth
    data, teams, areas = _split(payload.dict())
    site = site_get(site_id=data.pop("site_id"))
    project = services.project_declare(
        actor=user, site=site, teams=teams or [], areas=areas or [], **data
    )
    return Status(201, selectors.project_get(user=user, project_id=project.pk))


@router.patch("/{project_id}", response=ProjectOut, auth=signed_in)
def update_project(request, project_id: int, payload: ProjectPatch):
    user = request.auth
    project = selectors.project_get(user=user, project_id=project_id)
    data, teams, areas = _split(payload.dict(exclude_unset=True))
    services.project_update(actor=user, project=project, teams=teams, areas=areas, **data)
    return selectors.project_get(user=user, project_id=project_id)


def _project_move(request, project_id: int, fn, **kwargs):
    user = request.auth
    project = selectors.project_get(user=user, project_id=project_id)
    fn(actor=user, project=project, **kwargs)
    return selectors.project_get(user=user, project_id=project_id)


@router.post(
    "/{project_id}/approve",
    response=ProjectOut,
    summary="Approve (the level above)",
    auth=signed_in,
)
def approve_project(request, project_id: int):
    return _project_move(request, project_id, services.project_approve)


@router.post(
    "/{project_id}/activate", response=ProjectOut, summary="Put on the menu", auth=signed_in
)
def activate_project(request, project_id: int):
    return _project_move(request, project_id, services.project_activate)


@router.post(
    "/{project_id}/retire", response=ProjectOut, summary="Take off the menu", auth=signed_in
)
def retire_project(request, project_id: int):
    return _project_move(request, project_id, services.project_retire)


@router.post(
    "/{project_id}/demo",
    response=ProjectOut,
    summary="Provincial demonstration flag",
    auth=signed_in,
)
def set_demo(request, project_id: int, payload: DemoIn):
    return _project_move(
        request, project_id, services.project_set_demo, value=payload.is_provincial_demo
    )

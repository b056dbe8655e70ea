"""Indicator schemes: list, create, read the tree, add nodes, publish, new version, Excel
export and import."""

from decimal import Decimal

from django.http import HttpResponse
from ninja import File, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.schema import DbId
from xinfeng.core.spreadsheet import XLSX_CONTENT_TYPE

from .. import selectors
from ..services import schemes as svc
from . import router
from .schemas import Text200, Year


class SchemeIn(Schema):
    region_id: DbId
    year: Year
    title: Text200 = Field(min_length=1)


class SchemeOut(Schema):
    id: int
    region_id: int
    year: int
    version: int
    title: str
    published: bool
    total_points: Decimal


class NodeIn(Schema):
    kind: str = Field(description="indicator, content or standard")
    code: str = Field(max_length=20, description="1, 1.2, 1.2.3: the parent is the code's prefix")
    title: Text200 = Field(min_length=1)
    points: Decimal | None = Field(None, ge=0, le=1000)
    level: str = ""
    method: str = ""
    rule: str = ""
    metric: str = ""
    target: Decimal | None = Field(None, ge=0, le=10**9)
    cap: Decimal | None = Field(None, ge=0, le=10)
    per_unit: Decimal | None = Field(None, ge=0, le=1000)


class NodeOut(Schema):
    id: int
    code: str
    kind: str
    title: str
    depth: int
    points: Decimal | None
    level: str
    method: str
    rule: str
    metric: str
    target: Decimal | None
    cap: Decimal | None
    per_unit: Decimal | None


class SchemeDetail(SchemeOut):
    nodes: list[NodeOut]


def _out(s) -> dict:
    return {
        "id": s.pk,
        "region_id": s.region_id,
        "year": s.year,
        "version": s.version,
        "title": s.title,
        "published": s.published_at is not None,
        "total_points": svc.total_points(s),
    }


@router.get("/schemes", response=list[SchemeOut], summary="Indicator schemes I may read")
def list_schemes(request):
    return [_out(s) for s in selectors.schemes_for(request.user)[:200]]


@router.post(
    "/schemes",
    auth=signed_in,
    response={201: SchemeOut},
    summary="Start a scheme (next version of the year)",
)
def create_scheme(request, payload: SchemeIn):
    user = request.auth
    region = selectors.readable_region(user, payload.region_id)
    return Status(
        201,
        _out(svc.scheme_create(actor=user, region=region, year=payload.year, title=payload.title)),
    )


@router.get("/schemes/{scheme_id}", response=SchemeDetail, summary="A scheme and its tree")
def get_scheme(request, scheme_id: DbId):
    s = selectors.scheme(request.user, scheme_id)
    return {**_out(s), "nodes": selectors.scheme_tree(s)}


@router.post(
    "/schemes/{scheme_id}/nodes",
    auth=signed_in,
    response={201: NodeOut},
    summary="Add an indicator, content or standard",
)
def add_node(request, scheme_id: DbId, payload: NodeIn):
    user = request.auth
    s = selectors.scheme(user, scheme_id)
    node = svc.node_add(actor=user, scheme=s, **payload.dict())
    return Status(201, next(n for n in selectors.scheme_tree(s) if n["id"] == node.pk))


@router.post(
    "/schemes/{scheme_id}/publish",
    auth=signed_in,
    response=SchemeOut,
    summary="Publish (freeze) a scheme",
)
def publish(request, scheme_id: DbId):
    user = request.auth
    return _out(svc.scheme_publish(actor=user, scheme=selectors.scheme(user, scheme_id)))


@router.post(
    "/schemes/{scheme_id}/versions",
    auth=signed_in,
    response={201: SchemeOut},
    summary="A new draft version",
)
def new_version(request, scheme_id: DbId):
    user = request.auth
    return Status(
        201, _out(svc.scheme_new_version(actor=user, scheme=selectors.scheme(user, scheme_id)))
    )


@router.get("/schemes/{scheme_id}/export.xlsx", summary="The tree as Excel")
def export_scheme(request, scheme_id: DbId):
    s = selectors.scheme(request.user, scheme_id)
    response = HttpResponse(svc.scheme_xlsx(s), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="scheme-{s.pk}.xlsx"'
    return response


@router.post(
    "/schemes/{scheme_id}/import",
    auth=signed_in,
    response=SchemeDetail,
    summary="Fill an empty draft from Excel",
)
def import_scheme(request, scheme_id: DbId, file: File[UploadedFile]):
    user = request.auth
    s = selectors.scheme(user, scheme_id)
    svc.scheme_import(actor=user, scheme=s, content=file.read(svc.MAX_IMPORT_BYTES + 1))
    return {**_out(s), "nodes": selectors.scheme_tree(s)}

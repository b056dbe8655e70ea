"""Excel import API: upload a sheet, poll progress, download rejected rows."""

from ninja import File, Form, Status
from ninja.files import UploadedFile

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import Limit
from xinfeng.volunteers import selectors
from xinfeng.volunteers.api.profiles import region_or_404, router, xlsx_response
from xinfeng.volunteers.schemas import ImportOut, ImportPage
from xinfeng.volunteers.services import imports


@router.get("/imports/template.xlsx", summary="The import template")
def import_template(request):
    return xlsx_response(imports.template_xlsx(), "volunteer-import-template.xlsx")


@router.post(
    "/imports",
    response={201: ImportOut},
    summary="Upload a sheet (staff); runs queued",
    auth=signed_in,
)
def upload(request, region_id: Form[int], file: File[UploadedFile]):
    actor = request.auth
    job = imports.import_create(
        actor=actor,
        region=region_or_404(region_id),
        file_name=file.name,
        content=file.read(imports.MAX_UPLOAD_BYTES + 1),
    )
    return Status(201, job)


@router.get("/imports", response=ImportPage, summary="Imports in my scope")
def list_imports(request, cursor: str | None = None, limit: Limit = 50):
    items, nxt = keyset_page(selectors.import_list(user=request.user), cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": nxt}


@router.get("/imports/{int:import_id}", response=ImportOut, summary="Progress of an import")
def get_import(request, import_id: int):
    return selectors.import_get(user=request.user, import_id=import_id)


@router.get(
    "/imports/{int:import_id}/rejected.xlsx",
    summary="Rejected rows with reasons (audited)",
    auth=signed_in,
)
def rejected_report(request, import_id: int):
    job = selectors.import_get(user=request.user, import_id=import_id)
    data = imports.rejected_report_xlsx(actor=request.auth, job=job, request=request)
    return xlsx_response(data, f"import-{job.pk}-rejected.xlsx")

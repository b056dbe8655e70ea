"""Certificates API: issue, list, PDF, revoke; public verification by number."""

from django.http import HttpResponse
from ninja import Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import NotFound
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import Limit
from xinfeng.volunteers import selectors
from xinfeng.volunteers.api.profiles import own_volunteer, router
from xinfeng.volunteers.api.teams import site_or_404
from xinfeng.volunteers.models import Volunteer
from xinfeng.volunteers.schemas import (
    CertificateIn,
    CertificateOut,
    CertificatePage,
    VerifyOut,
    VolunteerReasonIn,
)
from xinfeng.volunteers.services import certificates


@router.get("/certificates", response=CertificatePage, summary="Certificates issued in my scope")
def list_certificates(
    request, volunteer_id: int | None = None, cursor: str | None = None, limit: Limit = 50
):
    volunteer = (
        selectors.volunteer_get(user=request.user, volunteer_id=volunteer_id)
        if volunteer_id is not None
        else None
    )
    qs = selectors.certificate_list(user=request.user, volunteer=volunteer)
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": nxt}


@router.get("/me/certificates", response=CertificatePage, summary="My certificates", auth=signed_in)
def my_certificates(request, cursor: str | None = None, limit: Limit = 50):
    qs = own_volunteer(request).certificates.defer("pdf")
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": nxt}


@router.post(
    "/certificates",
    response={201: CertificateOut},
    summary="Issue a certificate (staff of the issuing site's region)",
    auth=signed_in,
)
def issue(request, payload: CertificateIn):
    actor = request.auth
    volunteer = Volunteer.objects.filter(pk=payload.volunteer_id).first()
    if volunteer is None:
        raise NotFound()
    cert = certificates.certificate_issue(
        actor=actor,
        volunteer=volunteer,
        issuer_site=site_or_404(payload.site_id),
        period_start=payload.period_start,
        period_end=payload.period_end,
    )
    return Status(201, cert)


@router.get("/certificates/{int:certificate_id}", response=CertificateOut)
def get_certificate(request, certificate_id: int):
    return selectors.certificate_get(user=request.user, certificate_id=certificate_id)


@router.get("/certificates/{int:certificate_id}/pdf", summary="The certificate as PDF")
def certificate_pdf(request, certificate_id: int):
    cert = selectors.certificate_get(user=request.user, certificate_id=certificate_id)
    data = certificates.certificate_pdf(cert, request.build_absolute_uri("/"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.number}.pdf"'
    return response


@router.post("/certificates/{int:certificate_id}/revoke", response=CertificateOut, auth=signed_in)
def revoke(request, certificate_id: int, payload: VolunteerReasonIn):
    cert = selectors.certificate_get(user=request.user, certificate_id=certificate_id)
    return certificates.certificate_revoke(
        actor=request.auth, certificate=cert, reason=payload.reason
    )


@router.get("/verify/{number}", response=VerifyOut, summary="Verify a certificate (public)")
def verify(request, number: str):
    return certificates.public_view(selectors.certificate_by_number(number))

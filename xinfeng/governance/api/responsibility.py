"""Sites' responsible persons and staff, and handovers."""

from django.utils.translation import gettext as _
from ninja import Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.accounts.models import User
from xinfeng.core.errors import NotFound, ValidationFailed
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import DbId, Limit, SearchText

from .. import policy, presenters, selectors
from ..models import SiteStaff
from ..services import responsibility as svc
from . import router
from .schemas import (
    GovernanceSitePage,
    HandoverIn,
    HandoverOut,
    HandoverPage,
    SitePeopleOut,
    StaffEndIn,
    StaffIn,
    StaffOut,
    TermIn,
    TermOut,
)


def _user(user_id: int, field: str) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationFailed(
            _("账号不存在。"), code="unknown_user", fields={field: [_("账号不存在。")]}
        )
    return user


@router.get(
    "/sites",
    response=GovernanceSitePage,
    auth=signed_in,
    summary="Sites in my scope with their people",
)
def site_list(
    request,
    q: SearchText = "",
    gaps: bool = False,
    cursor: str | None = None,
    limit: Limit = 50,
):
    """Centers, institutes and stations the caller reads, each with the responsible
    person in office, the staff in post and its gaps; ``gaps=true``: only those lacking
    a responsible person or staff (what the level above must fill)."""
    qs = selectors.site_list(user=request.auth, q=q, gaps_only=gaps)
    rows, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("id",))
    return {"items": [presenters.present_site_row(r) for r in rows], "next_cursor": nxt}


def _people(user, site_id: int) -> dict:
    site = selectors.site_get(user=user, site_id=site_id)
    row = (
        selectors.with_people(type(site).objects.filter(pk=site.pk)).select_related("region").get()
    )
    return {
        "site": presenters.present_site_row(row),
        "terms": [presenters.present_term(t) for t in selectors.terms_of(site)],
        "staff": [presenters.present_staff(s) for s in selectors.staff_of(site)],
        "handovers": [
            presenters.present_handover(h, items=False)
            for h in site.handovers.select_related("site")
        ],
        "may_appoint": policy.may_appoint_at(user, site),
    }


@router.get("/sites/{site_id}", response=SitePeopleOut, auth=signed_in, summary="A site's people")
def site_people(request, site_id: DbId):
    return _people(request.auth, site_id)


@router.post(
    "/sites/{site_id}/terms",
    response={201: TermOut},
    auth=signed_in,
    summary="Record the responsible person (一把手) for a term",
)
def term_create(request, site_id: DbId, body: TermIn):
    site = selectors.site_get(user=request.auth, site_id=site_id)
    term = svc.responsible_appoint(
        actor=request.auth,
        site=site,
        user=_user(body.user_id, "user_id"),
        post=body.post,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
    )
    return Status(201, presenters.present_term(term))


@router.post(
    "/sites/{site_id}/staff", response={201: StaffOut}, auth=signed_in, summary="Add a staff member"
)
def staff_create(request, site_id: DbId, body: StaffIn):
    site = selectors.site_get(user=request.auth, site_id=site_id)
    staff = svc.staff_add(
        actor=request.auth,
        site=site,
        name=body.name,
        kind=body.kind,
        post=body.post,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        user=_user(body.user_id, "user_id") if body.user_id else None,
    )
    return Status(201, presenters.present_staff(staff))


@router.post(
    "/staff/{staff_id}/end", response=StaffOut, auth=signed_in, summary="A staff member leaves"
)
def staff_end(request, staff_id: DbId, body: StaffEndIn):
    staff = SiteStaff.objects.filter(pk=staff_id).first()
    if staff is None:
        raise NotFound()
    selectors.site_get(user=request.auth, site_id=staff.site_id)
    return presenters.present_staff(
        svc.staff_end(actor=request.auth, staff=staff, ends_on=body.ends_on)
    )


@router.post(
    "/sites/{site_id}/handovers",
    response={201: HandoverOut},
    auth=signed_in,
    summary="Record a handover (the open items are kept for the successor)",
)
def handover_create(request, site_id: DbId, body: HandoverIn):
    site = selectors.site_get(user=request.auth, site_id=site_id)
    staff = None
    if body.staff_id is not None:
        staff = SiteStaff.objects.filter(pk=body.staff_id, site=site).first()
        if staff is None:
            raise ValidationFailed(
                _("该阵地没有这名专职人员。"),
                code="unknown_staff",
                fields={"staff_id": [_("该阵地没有这名专职人员。")]},
            )
    h = svc.handover_record(
        actor=request.auth,
        site=site,
        successor=_user(body.successor_id, "successor_id"),
        on=body.on,
        kind=body.kind,
        post=body.post,
        note=body.note,
        staff=staff,
    )
    return Status(201, presenters.present_handover(h))


@router.get(
    "/handovers", response=HandoverPage, auth=signed_in, summary="Handovers I read or took over"
)
def handover_list(request, q: SearchText = "", cursor: str | None = None, limit: Limit = 50):
    qs = selectors.handovers_for(user=request.auth, q=q)
    rows, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("-id",))
    return {
        "items": [presenters.present_handover(h, items=False) for h in rows],
        "next_cursor": nxt,
    }


@router.get(
    "/handovers/{handover_id}",
    response=HandoverOut,
    auth=signed_in,
    summary="A handover with its open items",
)
def handover_detail(request, handover_id: DbId):
    return presenters.present_handover(
        selectors.handover_get(user=request.auth, handover_id=handover_id)
    )

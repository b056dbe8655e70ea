"""Volunteers API (/api/v1/volunteers/): registration, profiles, consents, audited reveal,
points, exports. Teams, hours, the exchange, certificates and imports are in the
``api_*`` modules, registered on the same router. Lists use keyset pagination."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import NotFound
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import Limit
from xinfeng.regions.models import Region
from xinfeng.volunteers import selectors
from xinfeng.volunteers.choices import PoliticalStatus, ServiceSource
from xinfeng.volunteers.policy import require_may_export_personal_data
from xinfeng.volunteers.schemas import (
    GuardianConsentIn,
    PointsAdjustIn,
    PointsEntryOut,
    PointsPage,
    RegisterIn,
    RevealIn,
    RevealOut,
    SelfRegisterIn,
    VolunteerConsentIn,
    VolunteerDetailOut,
    VolunteerPage,
    VolunteerPatch,
)
from xinfeng.volunteers.services import exports
from xinfeng.volunteers.services import ledger as services
from xinfeng.volunteers.services import profiles as registration

router = Router(tags=["volunteers"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def region_or_404(region_id: int | None) -> Region | None:
    if region_id is None:
        return None
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise NotFound()
    return region


def regions_or_404(ids: list[int]) -> list[Region]:
    regions = list(Region.objects.filter(pk__in=set(ids)))
    if len(regions) != len(set(ids)):
        raise NotFound()
    return regions


def own_volunteer(request):
    volunteer = selectors.volunteer_of(request.auth)
    if volunteer is None:
        raise NotFound(_("您还不是注册志愿者。"))
    return volunteer


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _registration_fields(data: dict) -> tuple[dict, list[Region]]:
    data["home_region"] = region_or_404(data.pop("home_region_id"))
    regions = regions_or_404(data.pop("service_region_ids", []) or [])
    data["gender"] = data.get("gender") or ""
    return data, regions


@router.post(
    "/register",
    response={201: VolunteerDetailOut},
    auth=signed_in,
    summary="Self-registration of the signed-in person (a visitor signs up by phone first: "
    "/api/v1/accounts/signup)",
)
def register_self(request, payload: SelfRegisterIn):
    data, regions = _registration_fields(payload.dict())
    volunteer = registration.volunteer_self_register(
        actor=request.auth, service_regions=regions, request=request, **data
    )
    return Status(201, volunteer)


@router.get("/me", response=VolunteerDetailOut, summary="My volunteer profile", auth=signed_in)
def me(request):
    return own_volunteer(request)


@router.patch("/me", response=VolunteerDetailOut, auth=signed_in)
def update_me(request, payload: VolunteerPatch):
    volunteer = own_volunteer(request)
    return _apply_patch(request, volunteer, payload)


def _apply_patch(request, volunteer, payload: VolunteerPatch):
    # ``null`` means "leave as is": none of these fields can be emptied to null.
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "service_region_ids" in changes:
        changes["service_regions"] = regions_or_404(changes.pop("service_region_ids") or [])
    if "home_region_id" in changes:
        changes["home_region"] = region_or_404(changes.pop("home_region_id"))
    return registration.volunteer_update(actor=request.user, volunteer=volunteer, **changes)


@router.post(
    "/me/consents", response=VolunteerDetailOut, summary="Give or withdraw consents", auth=signed_in
)
def my_consents(request, payload: VolunteerConsentIn):
    volunteer = own_volunteer(request)
    if payload.location is not None:
        volunteer = registration.volunteer_set_location_consent(
            actor=request.user, volunteer=volunteer, consent=payload.location
        )
    if payload.privacy_notice_version is not None:
        volunteer = registration.volunteer_accept_privacy(
            actor=request.user, volunteer=volunteer, version=payload.privacy_notice_version
        )
    return volunteer


@router.get("/me/points", response=PointsPage, summary="My points ledger", auth=signed_in)
def my_points(request, cursor: str | None = None, limit: Limit = 50):
    items, nxt = keyset_page(
        selectors.points_entries(own_volunteer(request)),
        cursor=cursor,
        limit=limit,
        ordering=selectors.LEDGER_ORDER,
    )
    return {"items": items, "next_cursor": nxt}


@router.get("", response=VolunteerPage, summary="Volunteers in my scope (staff)")
def list_volunteers(
    request,
    q: str | None = None,
    region_id: int | None = None,
    team_id: int | None = None,
    political_status: PoliticalStatus | None = None,
    min_stars: int | None = None,
    active: bool | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    qs = _volunteer_qs(request, q, region_id, team_id, political_status, min_stars, active)
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": nxt}


def _volunteer_qs(request, q, region_id, team_id, political_status, min_stars, active):
    team = selectors.team_get(team_id=team_id) if team_id is not None else None
    if min_stars is not None and not 1 <= min_stars <= 5:
        raise HttpError(422, "min_stars: 1-5")
    return selectors.volunteer_list(
        user=request.user,
        q=q,
        region=region_or_404(region_id),
        team=team,
        political_status=political_status,
        min_stars=min_stars,
        active=active,
    )


@router.get("/export.xlsx", summary="Excel export of volunteers in my scope (audited)")
def export_volunteers(
    request,
    q: str | None = None,
    region_id: int | None = None,
    team_id: int | None = None,
    political_status: PoliticalStatus | None = None,
    min_stars: int | None = None,
    active: bool | None = None,
):
    require_may_export_personal_data(request.user)
    qs = _volunteer_qs(request, q, region_id, team_id, political_status, min_stars, active)
    filters = {
        k: v
        for k, v in {"q": q, "region_id": region_id, "team_id": team_id}.items()
        if v is not None
    }
    data = exports.volunteers_xlsx(
        actor=request.user, queryset=qs, request=request, filters=filters
    )
    return xlsx_response(data, "volunteers.xlsx")


@router.get("/records/export.xlsx", summary="Excel export of service hours in my scope (audited)")
def export_hours(
    request,
    region_id: int | None = None,
    team_id: int | None = None,
    source_type: ServiceSource | None = None,
    since: str | None = None,
    until: str | None = None,
):
    from xinfeng.volunteers.params import parse_day

    require_may_export_personal_data(request.user)
    qs = selectors.service_record_list(
        user=request.user,
        region=region_or_404(region_id),
        team=selectors.team_get(team_id=team_id) if team_id is not None else None,
        source_type=source_type,
        since=parse_day(since),
        until=parse_day(until, end=True),
    )
    filters = {"region_id": region_id, "since": since, "until": until}
    data = exports.hours_xlsx(actor=request.user, queryset=qs, request=request, filters=filters)
    return xlsx_response(data, "service-hours.xlsx")


@router.post("", response={201: VolunteerDetailOut}, summary="Register a volunteer (staff)")
def register_by_staff(request, payload: RegisterIn):
    data, regions = _registration_fields(payload.dict())
    volunteer = registration.volunteer_staff_register(
        actor=request.user, service_regions=regions, **data
    )
    return Status(201, volunteer)


@router.get("/{int:volunteer_id}", response=VolunteerDetailOut)
def get_volunteer(request, volunteer_id: int):
    return selectors.volunteer_get(user=request.user, volunteer_id=volunteer_id)


@router.patch("/{int:volunteer_id}", response=VolunteerDetailOut)
def update_volunteer(request, volunteer_id: int, payload: VolunteerPatch):
    volunteer = selectors.volunteer_get(user=request.user, volunteer_id=volunteer_id)
    return _apply_patch(request, volunteer, payload)


@router.post(
    "/{int:volunteer_id}/reveal",
    response=RevealOut,
    summary="Show one personal-data field unmasked (audited)",
)
def reveal(request, volunteer_id: int, payload: RevealIn):
    volunteer = _visible_volunteer(request, volunteer_id)
    value = registration.volunteer_reveal(
        actor=request.user, volunteer=volunteer, field=payload.field, request=request
    )
    return {"field": payload.field, "value": value}


def _visible_volunteer(request, volunteer_id: int):
    """A volunteer in scope, or a member of a team the user leads (for contact phones)."""
    try:
        return selectors.volunteer_get(user=request.user, volunteer_id=volunteer_id)
    except NotFound:
        from xinfeng.volunteers.models import Volunteer

        volunteer = Volunteer.objects.filter(pk=volunteer_id).first()
        if volunteer is None or not registration.leads_team_of(request.user, volunteer):
            raise
        return volunteer


@router.post("/{int:volunteer_id}/guardian-consent", response=VolunteerDetailOut)
def guardian_consent(request, volunteer_id: int, payload: GuardianConsentIn):
    volunteer = selectors.volunteer_get(user=request.user, volunteer_id=volunteer_id)
    return registration.volunteer_record_guardian_consent(
        actor=request.user, volunteer=volunteer, **payload.dict()
    )


@router.get(
    "/{int:volunteer_id}/points", response=PointsPage, summary="A volunteer's points ledger"
)
def volunteer_points(request, volunteer_id: int, cursor: str | None = None, limit: Limit = 50):
    volunteer = selectors.volunteer_get(user=request.user, volunteer_id=volunteer_id)
    items, nxt = keyset_page(
        selectors.points_entries(volunteer),
        cursor=cursor,
        limit=limit,
        ordering=selectors.LEDGER_ORDER,
    )
    return {"items": items, "next_cursor": nxt}


@router.post("/{int:volunteer_id}/points", response={201: PointsEntryOut})
def adjust_points(request, volunteer_id: int, payload: PointsAdjustIn):
    volunteer = selectors.volunteer_get(user=request.user, volunteer_id=volunteer_id)
    entry = services.points_adjust(actor=request.user, volunteer=volunteer, **payload.dict())
    return Status(201, entry)

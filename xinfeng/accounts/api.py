"""Accounts API: who am I, the users staff may see in their scope, my API tokens."""

from datetime import datetime

from ninja import Field, Router, Schema, Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.masking import mask_phone
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import DbId, Limit, SearchText

from . import selectors, services
from .scope import is_system_admin

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    role_label: str
    region_id: int
    region_name: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    phone: str | None
    is_system_admin: bool
    roles: list[RoleOut]


class UserOut(Schema):
    """A user as staff in scope see them: the phone is masked."""

    id: int
    username: str
    name: str
    phone_masked: str
    home_region_id: int | None
    home_region_name: str | None

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_home_region_name(obj) -> str | None:
        return obj.home_region.name if obj.home_region_id else None


class UserPage(Schema):
    items: list[UserOut]
    next_cursor: str | None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(..., description="the bearer token; shown only in this response")


class TokenIn(Schema):
    name: str = Field("", max_length=80)


@router.get(
    "/me", response=MeOut, summary="The signed-in user and the roles they hold", auth=signed_in
)
def me(request):
    user = request.auth
    roles = [
        RoleOut(
            role=a.role,
            role_label=a.get_role_display(),
            region_id=a.region_id,
            region_name=a.region.name,
        )
        for a in user.role_assignments.select_related("region").order_by("id")
    ]
    return MeOut(
        id=user.id,
        username=user.username,
        name=user.name,
        phone=user.phone,
        is_system_admin=is_system_admin(user),
        roles=roles,
    )


@router.get(
    "/users",
    response=UserPage,
    summary="Users living in my staff scope (phones masked)",
    auth=signed_in,
)
def list_users(request, q: SearchText | None = None, cursor: str | None = None, limit: Limit = 50):
    actor = request.auth
    items, nxt = keyset_page(
        selectors.user_list(actor=actor, q=q), cursor=cursor, limit=limit, ordering=("id",)
    )
    return {"items": items, "next_cursor": nxt}


@router.get("/users/{user_id}", response=UserOut, auth=signed_in)
def get_user(request, user_id: DbId):
    return selectors.user_get(actor=request.auth, user_id=user_id)


@router.get("/tokens", response=list[TokenOut], summary="My API tokens", auth=signed_in)
def list_tokens(request):
    return list(selectors.api_tokens_of(user=request.auth))


@router.post(
    "/tokens", response={201: TokenCreated}, summary="Create an API token for me", auth=signed_in
)
def create_token(request, payload: TokenIn):
    token, raw = services.api_token_create(user=request.auth, name=payload.name)
    return Status(201, TokenCreated(**TokenOut.from_orm(token).dict(), token=raw))


@router.delete(
    "/tokens/{token_id}", response={204: None}, summary="Revoke one of my tokens", auth=signed_in
)
def revoke_token(request, token_id: DbId):
    user = request.auth
    token = selectors.api_token_get(user=user, token_id=token_id)
    services.api_token_revoke(user=user, token=token)
    return Status(204, None)


from .api_phone import router as phone_router  # noqa: E402 (sub-router of this one)

router.add_router("", phone_router)

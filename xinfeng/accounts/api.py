from ninja import Router, Schema

from xinfeng.core.errors import NotAuthenticated

from .scope import is_system_admin

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    region_id: int
    region_name: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    is_system_admin: bool
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="The signed-in user and the roles they hold")
def me(request):
    user = request.user
    if not user.is_authenticated:
        raise NotAuthenticated()
    roles = [
        RoleOut(role=a.role, region_id=a.region_id, region_name=a.region.name)
        for a in user.role_assignments.select_related("region")
    ]
    return MeOut(
        id=user.id,
        username=user.username,
        name=user.name,
        is_system_admin=is_system_admin(user),
        roles=roles,
    )

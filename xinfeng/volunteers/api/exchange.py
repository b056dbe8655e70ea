"""Points exchange API (积分兑换 / 爱心超市): rewards per site, redemptions."""

from ninja import Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import NotFound
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import Limit
from xinfeng.volunteers import selectors
from xinfeng.volunteers.api.profiles import own_volunteer, region_or_404, router
from xinfeng.volunteers.api.teams import site_or_404
from xinfeng.volunteers.choices import RedemptionStatus
from xinfeng.volunteers.models import Volunteer
from xinfeng.volunteers.schemas import (
    DeliverIn,
    RedeemIn,
    RedemptionOut,
    RedemptionPage,
    RestockIn,
    RewardIn,
    RewardOut,
    RewardPage,
    RewardPatch,
    VolunteerReasonIn,
)
from xinfeng.volunteers.services import exchange


@router.get("/rewards", response=RewardPage, summary="Rewards on the shelves (public)")
def list_rewards(
    request,
    site_id: int | None = None,
    region_id: int | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    qs = selectors.reward_list(
        site=site_or_404(site_id) if site_id is not None else None, region=region_or_404(region_id)
    )
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("id",))
    return {"items": items, "next_cursor": nxt}


@router.get("/rewards/{int:reward_id}", response=RewardOut)
def get_reward(request, reward_id: int):
    return selectors.reward_get(reward_id=reward_id)


@router.post(
    "/rewards",
    response={201: RewardOut},
    summary="Stock a reward (staff of the site)",
    auth=signed_in,
)
def create_reward(request, payload: RewardIn):
    data = payload.dict()
    site = site_or_404(data.pop("site_id"))
    return Status(201, exchange.reward_create(actor=request.auth, site=site, **data))


@router.patch("/rewards/{int:reward_id}", response=RewardOut, auth=signed_in)
def update_reward(request, reward_id: int, payload: RewardPatch):
    reward = selectors.reward_get(reward_id=reward_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return exchange.reward_update(actor=request.auth, reward=reward, **changes)


@router.post("/rewards/{int:reward_id}/restock", response=RewardOut, auth=signed_in)
def restock(request, reward_id: int, payload: RestockIn):
    reward = selectors.reward_get(reward_id=reward_id)
    return exchange.reward_restock(actor=request.auth, reward=reward, delta=payload.delta)


@router.post(
    "/rewards/{int:reward_id}/redeem",
    response={201: RedemptionOut},
    summary="Exchange points for a reward (409 when points or stock run out)",
    auth=signed_in,
)
def redeem(request, reward_id: int, payload: RedeemIn):
    actor = request.auth
    reward = selectors.reward_get(reward_id=reward_id)
    volunteer = None
    if payload.volunteer_id is not None:
        volunteer = Volunteer.objects.filter(pk=payload.volunteer_id).first()
        if volunteer is None:
            raise NotFound()
    redemption = exchange.reward_redeem(
        actor=actor, reward=reward, quantity=payload.quantity, volunteer=volunteer
    )
    return Status(201, redemption)


@router.get("/redemptions", response=RedemptionPage, summary="Redemptions at my sites (staff)")
def list_redemptions(
    request,
    site_id: int | None = None,
    status: RedemptionStatus | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    qs = selectors.redemption_list(
        user=request.user,
        site=site_or_404(site_id) if site_id is not None else None,
        status=status,
    )
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": nxt}


@router.get("/me/redemptions", response=RedemptionPage, summary="My redemptions", auth=signed_in)
def my_redemptions(request, cursor: str | None = None, limit: Limit = 50):
    qs = own_volunteer(request).redemptions.select_related("volunteer", "reward")
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": nxt}


@router.post("/redemptions/{int:redemption_id}/deliver", response=RedemptionOut, auth=signed_in)
def deliver(request, redemption_id: int, payload: DeliverIn):
    r = selectors.redemption_get(user=request.user, redemption_id=redemption_id)
    return exchange.redemption_deliver(
        actor=request.auth, redemption=r, pickup_code=payload.pickup_code
    )


@router.post("/redemptions/{int:redemption_id}/cancel", response=RedemptionOut, auth=signed_in)
def cancel(request, redemption_id: int, payload: VolunteerReasonIn):
    r = selectors.redemption_get(user=request.user, redemption_id=redemption_id)
    return exchange.redemption_cancel(actor=request.auth, redemption=r, reason=payload.reason)

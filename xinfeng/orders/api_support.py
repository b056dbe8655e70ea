"""What the orders API's operations share: looking up the objects a payload names (404 or
400 with a message a person understands) and the payloads answered for an order and a
suggested team."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xinfeng.core.errors import NotFound, ValidationFailed
from xinfeng.regions.models import Region
from xinfeng.volunteers.models import Volunteer

from . import selectors
from .presenters import present_order
from .services import routing


def _get(model, pk, **filters):
    """``model`` (or a queryset of it) with ``pk``, else 404."""
    if pk is None:
        return None
    qs = model if isinstance(model, QuerySet) else model.objects.all()
    obj = qs.filter(pk=pk, **filters).first()
    if obj is None:
        raise NotFound(
            _("未找到编号为 %(id)s 的%(what)s。") % {"id": pk, "what": qs.model._meta.verbose_name}
        )
    return obj


def _region(pk: int) -> Region:
    """The order's region, from the routing cache (ordering reads it on every order)."""
    region = routing.region(pk)
    if region is None:
        return _get(Region, pk)  # answers 404 with the usual message
    return region


def _members(ids: list[int]) -> list[Volunteer]:
    ids = list(dict.fromkeys(ids))
    found = list(Volunteer.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        missing = sorted(set(ids) - {v.pk for v in found})
        raise ValidationFailed(
            _("未找到志愿者：%(ids)s") % {"ids": ", ".join(map(str, missing))},
            code="unknown_volunteer",
        )
    return found


def detail_payload(request, order, *, just_created: bool = False) -> dict:
    """The order as the caller may see it (``presenters.present_order``, shared with the
    order page). ``just_created``: the order object in hand is complete (no members,
    photos or rating yet), so it is not read again — creation stays a few queries."""
    if not just_created:
        # Read again after a move (the object in hand is from before it), with the
        # rating and its rater joined (a rated order shows them).
        order = (
            selectors.order_detail_prefetch(type(order).objects.filter(pk=order.pk))
            .select_related(
                "region",
                "site",
                "site__region",
                "site__parent",
                "team",
                "project",
                "requester",
                "rating__rater",
            )
            .get()
        )
    return present_order(request.user, order, request=request, just_created=just_created)


def _suggestion_payload(entry: dict) -> dict:
    return {
        "team_id": int(entry["team_id"]),
        "team_name": entry["team_name"],
        "rank": int(entry["rank"]),
        "total": float(entry["total"]),
        "distance_km": float(entry["distance_km"]),
        "load": int(entry["load"]),
        "capacity": int(entry["capacity"]),
        "reason": str(entry["reason"]),
        "components": [
            {
                "name": c["name"],
                "label": str(c["label"]),
                "value": float(c["value"]),
                "weight": float(c["weight"]),
                "cost": float(c["cost"]),
            }
            for c in entry["components"]
        ],
    }

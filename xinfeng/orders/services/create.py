"""Ordering (点单): by a resident, by staff on a resident's behalf, or pushed down by a
site (制单). Idempotent: the same creator and key return the order made the first time."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import has_role_at
from xinfeng.core.errors import NotFound, PermissionDenied, ValidationFailed
from xinfeng.core.inserts import insert
from xinfeng.core.validation import PLAN, check_window, full_clean_or_raise
from xinfeng.notifications.services import notify
from xinfeng.places.models import Site
from xinfeng.projects.choices import AGE_RANGES, MAX_AGE, AgeGroup
from xinfeng.projects.models import Project
from xinfeng.regions.models import Region

from .. import texts as T
from ..choices import OrderAction, OrderChannel, OrderState
from ..models import Order
from . import routing
from ._common import event, order_link, require_user, set_deadline

# How far in the past a wanted time may lie (clock skew, a form left open).
WANTED_GRACE = timedelta(hours=1)
MAX_KEY = 64
# What a caller's input reaches; every other field of a new order is set here (the state,
# times and deadlines, the foreign keys as objects) and is not checked again.
_FROM_INPUT = {
    "category",
    "title",
    "description",
    "channel",
    "contact_name",
    "contact_phone",
    "idempotency_key",
    "address",
    "latitude",
    "longitude",
    "beneficiary_age",
    "wanted_from",
    "wanted_until",
    "is_open",
}
_SET_HERE = [f.name for f in Order._meta.fields if f.name not in _FROM_INPUT]


def _validate_inputs(*, now, wanted_from, wanted_until, latitude, longitude, title, project):
    if (latitude is None) != (longitude is None):
        raise ValidationFailed(_("经纬度需同时填写。"), code="invalid_location")
    check_window(PLAN, wanted_from=wanted_from, wanted_until=wanted_until)
    if wanted_from and wanted_until and wanted_until <= wanted_from:
        raise ValidationFailed(_("期望结束时间必须晚于开始时间。"), code="invalid_time")
    if wanted_from and wanted_from < now - WANTED_GRACE:
        raise ValidationFailed(_("期望服务时间不能早于现在。"), code="invalid_time")
    if not project and not (title or "").strip():
        raise ValidationFailed(_("请选择服务项目，或简要写下您的需求。"), code="title_required")


def lives_in_area_of(actor, person) -> bool:
    """Whether staff ``actor`` covers where ``person`` lives (their home region, or a
    region where they hold a role). Staff may only order for residents of their area:
    otherwise any account's name and phone could be pulled into an order they can read."""
    places = [person.home_region] if person.home_region_id else []
    places += [a.region for a in person.role_assignments.select_related("region")]
    return any(has_role_at(actor, r, STAFF_ROLES) for r in places)


def check_age(project: Project | None, age: int | None) -> None:
    """Who may order, by age: a project for an age group (老年人, 少年儿童…) needs the age
    of the person to be served, and it must fall in the group."""
    if age is not None and not 0 <= age <= MAX_AGE:
        raise ValidationFailed(_("服务对象年龄不合理。"), code="invalid_age")
    if project is None or project.age_group == AgeGroup.ALL:
        return
    group = AgeGroup(project.age_group).label
    if age is None:
        raise ValidationFailed(
            _("“%(p)s”的服务对象是%(group)s，请填写服务对象的年龄。")
            % {"p": project.name, "group": group},
            code="age_required",
        )
    low, high = AGE_RANGES[project.age_group]
    if not low <= age <= high:
        span = _("%(lo)d 岁以上") % {"lo": low} if high >= MAX_AGE else f"{low}–{high}"
        raise ValidationFailed(
            _("“%(p)s”只服务%(group)s（%(span)s），%(age)d 岁不在服务对象范围内。")
            % {"p": project.name, "group": group, "span": span, "age": age},
            code="age_not_eligible",
        )


def order_create(
    *,
    actor,
    region: Region,
    project: Project | None = None,
    title: str = "",
    description: str = "",
    category: str = "",
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    wanted_from: datetime | None = None,
    wanted_until: datetime | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    beneficiary_age: int | None = None,
    channel: str = OrderChannel.RESIDENT,
    on_behalf_of=None,
    site: Site | None = None,
    open_for_grab: bool = False,
    idempotency_key: str | None = None,
) -> tuple[Order, bool]:
    """Create an order and return ``(order, created)``.

    - ``resident``: the actor orders for themself.
    - ``proxy``: staff with a role at ``region`` enter an order taken by phone or at a
      kiosk; ``on_behalf_of`` is the resident's account if they have one.
    - ``site``: staff of ``site`` create the order themselves and push it down (制单); it
      skips review and starts as pending dispatch, optionally open for grabbing.

    Who may order a project: a place in its areas and, for a project of an age group, a
    ``beneficiary_age`` (the age of the person served) in that group.

    With ``idempotency_key`` a repeat by the same creator returns the first order
    (``created`` False) — also when two repeats race (the unique constraint decides).
    """
    require_user(actor)
    key = (idempotency_key or "").strip() or None
    if key and len(key) > MAX_KEY:
        raise ValidationFailed(_("幂等键过长（最多 64 个字符）。"), code="invalid_key")
    # No look-up first: the unique constraint decides (one round trip less per order);
    # a repeat fails the insert below and returns the order made the first time.
    now = timezone.now()
    _validate_inputs(
        now=now,
        wanted_from=wanted_from,
        wanted_until=wanted_until,
        latitude=latitude,
        longitude=longitude,
        title=title,
        project=project,
    )
    if channel not in OrderChannel.values:
        raise ValidationFailed(_("未知的点单方式。"), code="invalid_channel")
    requester = actor
    if channel in (OrderChannel.PROXY, OrderChannel.SITE):
        if not has_role_at(actor, region, STAFF_ROLES):
            raise PermissionDenied(_("只有该区域的阵地管理员可以代点单或制单。"))
        if on_behalf_of is not None and not lives_in_area_of(actor, on_behalf_of):
            raise NotFound(_("未找到该居民：只能为本辖区的居民代点单。"))
        requester = on_behalf_of
    if channel == OrderChannel.SITE:
        if site is None:
            raise ValidationFailed(_("制单须指定阵地。"), code="site_required")
        if not has_role_at(actor, site.region, STAFF_ROLES):
            raise PermissionDenied(_("您不是该阵地的管理员。"))
        if not region.path.startswith(site.region.path):
            raise ValidationFailed(_("服务地点不在该阵地辖区内。"), code="out_of_area")
    if project is not None:
        try:
            project.validate_orderable_at(region)
        except ValidationError as exc:
            raise ValidationFailed(" ".join(exc.messages), code="not_orderable") from exc
        check_age(project, beneficiary_age)
        category = project.category
        title = (title or "").strip() or project.name
        responsible: Site | None = site or project.site
    else:
        check_age(None, beneficiary_age)
        responsible = site or routing.responsible_site(region, now)
    if responsible is None:
        raise ValidationFailed(_("该区域还没有可受理点单的实践阵地。"), code="no_site")
    if requester is not None and not contact_name:
        contact_name = requester.name
    if requester is not None and not contact_phone:
        contact_phone = requester.phone or ""

    order = Order(
        project=project,
        category=category or "",
        title=title.strip()[:120],
        description=description.strip(),
        channel=channel,
        requester=requester,
        created_by=actor,
        contact_name=contact_name.strip()[:50],
        contact_phone=contact_phone.strip()[:20],
        idempotency_key=key,
        region=region,
        address=address.strip()[:255],
        latitude=latitude,
        longitude=longitude,
        wanted_from=wanted_from,
        wanted_until=wanted_until,
        beneficiary_age=beneficiary_age,
        site=responsible,
        state=OrderState.SUBMITTED,
        submitted_at=now,
    )
    if channel == OrderChannel.SITE:
        # The site made the order itself: no review step, straight to dispatch.
        order.state = OrderState.PENDING_DISPATCH
        order.reviewed_at = now
        order.is_open = open_for_grab
    set_deadline(order, now)
    # Field checks only, of the fields a caller's input reaches: foreign keys were passed
    # as objects, the rest is set here, constraints are the DB's.
    full_clean_or_raise(order, exclude=_SET_HERE, validate_constraints=False)
    try:
        with transaction.atomic():
            insert([order], signals_sent=True)  # order.save(), its SQL compiled once
            event(
                order,
                OrderAction.SUBMIT,
                actor=actor,
                now=now,
                from_state=OrderState.SUBMITTED,
                detail={"channel": channel},
            )
            if order.is_open:
                from .flow import notify_open_order

                notify_open_order(order)
            if order.state == OrderState.SUBMITTED:
                notify(
                    recipients=routing.answering_users(responsible),
                    title=T.SUBMITTED(t=order.title),
                    body=T.SUBMITTED_BODY(region=region.name, address=order.address),
                    link=order_link(order),
                    kind="order_submitted",
                    # Written with the order (commits or rolls back with it), not in a
                    # transaction of its own after the commit: two round trips less.
                    in_transaction=True,
                )
    except IntegrityError:
        if key:
            existing = Order.objects.filter(created_by=actor, idempotency_key=key).first()
            if existing is not None:
                return existing, False
        raise
    return order, True

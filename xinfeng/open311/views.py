"""Open311 GeoReport v2 endpoints (https://wiki.open311.org/GeoReport_v2), every one in
``.json`` and ``.xml``. Reads are public; ``POST requests`` needs an ``api_key`` (an
accounts ApiToken). Errors are the spec's list of ``{code, description}`` with HTTP 400,
403 or 404."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import wraps

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from xinfeng.accounts.models import ApiToken
from xinfeng.core.errors import DomainError
from xinfeng.core.publiccache import public_read
from xinfeng.orders.choices import OPEN_STATES, OrderChannel, OrderState
from xinfeng.orders.models import Order
from xinfeng.orders.services import order_create

from . import mapping
from .models import Open311Token
from .render import FORMATS, Open311Error, error_response, respond

CHANGESET = "2024-05-01T00:00:00+08:00"
DEFAULT_WINDOW = timedelta(days=90)  # the spec's default for GET requests
MAX_REQUESTS = 1000  # the spec's cap per response


def open311(view):
    """Check the format suffix and ``jurisdiction_id``; turn errors into the spec's form."""

    @wraps(view)
    def wrapper(request, *args, fmt: str, **kwargs):
        if fmt not in FORMATS:
            return error_response(
                "json", [(404, _("不支持的格式：%(f)s（可用 json、xml）") % {"f": fmt})], 404
            )
        params = request.POST if request.method == "POST" else request.GET
        try:
            mapping.check_jurisdiction(params.get("jurisdiction_id"))
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return error_response(fmt, [(exc.status, exc.description)], exc.status)
        except DomainError as exc:
            status = exc.status if exc.status in (400, 403, 404) else 400
            return error_response(fmt, [(status, str(exc.detail))], status)

    return csrf_exempt(wrapper)


def _api_user(request, *, required: bool):
    raw = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not raw:
        if required:
            raise Open311Error(403, _("缺少 api_key。"))
        return None
    token = ApiToken.lookup(raw)
    if token is None:
        raise Open311Error(403, _("api_key 无效或已停用。"))
    return token.user


@require_safe
@open311
def discovery(request, *, fmt):
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "json"}))
    base = base.rsplit("/", 1)[0] + "/"
    return respond(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": _("新风平台（新时代文明实践）"),
            "key_service": _("向平台管理员申请 API 令牌，作为 api_key 使用。"),
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
    )


@public_read("projects")
@require_safe
@open311
def services(request, *, fmt):
    projects = mapping.active_projects().order_by("category", "id")
    return respond(fmt, "services", mapping.service_rows(projects))


@public_read("projects")
@require_safe
@open311
def service_definition(request, code, *, fmt):
    project = mapping.get_project(code)
    return respond(fmt, "service_definition", mapping.service_definition(project))


def _public_orders(user):
    """Orders anyone may read through Open311: all but rejected ones, which only their
    creator (by api_key) sees."""
    qs = Order.objects.all()
    hidden = Q(state=OrderState.REJECTED)
    if user is not None:
        hidden &= ~Q(created_by=user)
    return qs.exclude(hidden)


def _base(request) -> str:
    """Scheme and host of this server, for absolute media URLs."""
    return request.build_absolute_uri("/").rstrip("/")


def _parse_ids(raw: str) -> list[int]:
    ids = [p.strip() for p in raw.split(",") if p.strip()]
    if not ids or not all(p.isdigit() for p in ids):
        raise Open311Error(400, _("service_request_id 应为逗号分隔的编号。"))
    return [int(p) for p in ids][:MAX_REQUESTS]


def _list_requests(request, fmt):
    user = _api_user(request, required=False)
    qs = _public_orders(user)
    raw_ids = request.GET.get("service_request_id")
    if raw_ids is not None:
        # The spec: with service_request_id, the other filters are ignored.
        orders = qs.filter(pk__in=_parse_ids(raw_ids)).order_by("-submitted_at", "-id")
        return respond(fmt, "service_requests", mapping.request_rows(orders, _base(request)))
    code = request.GET.get("service_code")
    if code:
        codes = [c.strip() for c in code.split(",") if c.strip()]
        if not all(c.isdigit() for c in codes):
            raise Open311Error(400, _("service_code 应为服务编号。"))
        qs = qs.filter(project_id__in=[int(c) for c in codes])
    start = mapping.parse_when(request.GET.get("start_date"), "start_date")
    end = mapping.parse_when(request.GET.get("end_date"), "end_date")
    if start and end and end < start:
        raise Open311Error(400, _("end_date 不能早于 start_date。"))
    if start is None and end is None:
        start = timezone.now() - DEFAULT_WINDOW
    if start:
        qs = qs.filter(submitted_at__gte=start)
    if end:
        qs = qs.filter(submitted_at__lte=end)
    status = request.GET.get("status")
    if status:
        wanted = {s.strip().lower() for s in status.split(",") if s.strip()}
        if not wanted or not wanted <= {"open", "closed"}:
            raise Open311Error(400, _("status 只能是 open 或 closed。"))
        if wanted == {"open"}:
            qs = qs.filter(state__in=OPEN_STATES)
        elif wanted == {"closed"}:
            qs = qs.exclude(state__in=OPEN_STATES)
    orders = qs.order_by("-submitted_at", "-id")[:MAX_REQUESTS]
    return respond(fmt, "service_requests", mapping.request_rows(orders, _base(request)))


def _idempotency_key(user, params) -> str:
    """An explicit key (``idempotency_key`` or the ``Idempotency-Key`` header) or, failing
    that, a digest of what was posted today: a client that repeats a POST (a lost response,
    a double tap) gets the first request back instead of a duplicate."""
    fields = ["service_code", "lat", "long", "address_string", "address_id", "description"]
    fields += ["email", "device_id", "account_id", "first_name", "last_name", "phone"]
    parts = [f"{f}={params.get(f, '').strip()}" for f in fields]
    parts += sorted(f"{k}={v}" for k, v in params.items() if k.startswith("attribute["))
    parts.append(timezone.localdate().isoformat())
    return "o311:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:59]


def _create_request(request, fmt):
    user = _api_user(request, required=True)
    p = request.POST
    project = mapping.get_project(p.get("service_code", ""))
    lat = mapping.parse_coordinate(p.get("lat"), "lat", -90, 90)
    lon = mapping.parse_coordinate(p.get("long"), "long", -180, 180)
    if (lat is None) != (lon is None):
        raise Open311Error(400, _("lat 与 long 需同时提供。"))
    address = (p.get("address_string") or "").strip()
    if lat is None and not address and not p.get("address_id"):
        raise Open311Error(400, _("请提供位置：lat 和 long，或 address_string。"))
    region = mapping.resolve_region(
        project, p.get("attribute[region]") or p.get("address_id"), lat, lon
    )
    wanted_from = mapping.parse_when(p.get("attribute[wanted_from]"), "wanted_from")
    wanted_until = mapping.parse_when(p.get("attribute[wanted_until]"), "wanted_until")
    age = mapping.parse_age(p.get("attribute[age]"))
    description = (p.get("description") or "").strip()
    if len(description) > 4000:
        raise Open311Error(400, _("description 过长（最多 4000 字）。"))
    key = (
        p.get("idempotency_key") or request.headers.get("Idempotency-Key") or ""
    ).strip() or _idempotency_key(user, p)
    name = " ".join(filter(None, [p.get("last_name", "").strip(), p.get("first_name", "").strip()]))
    with transaction.atomic():
        order, created = order_create(
            actor=user,
            region=region,
            project=project,
            title=project.name,
            description=description,
            address=address,
            latitude=lat,
            longitude=lon,
            wanted_from=wanted_from,
            wanted_until=wanted_until,
            contact_name=name,
            contact_phone=(p.get("phone") or "").strip(),
            beneficiary_age=age,
            channel=OrderChannel.OPEN311,
            idempotency_key=key[:64],
        )
        token, _new = Open311Token.objects.get_or_create(order=order, defaults={"api_user": user})
    body = [
        {
            "service_request_id": str(order.pk),
            "token": token.token,
            "service_notice": _("已受理，等待阵地审核。"),
            "account_id": p.get("account_id", ""),
        }
    ]
    return respond(fmt, "service_requests", body, status=201 if created else 200)


@public_read("orders", "places", "projects", "regions")
@require_http_methods(["GET", "HEAD", "POST"])
@open311
def requests(request, *, fmt):
    if request.method == "POST":
        return _create_request(request, fmt)
    return _list_requests(request, fmt)


@public_read("orders", "places", "projects", "regions")
@require_safe
@open311
def request_detail(request, rid, *, fmt):
    user = _api_user(request, required=False)
    if not rid.isdigit():
        raise Open311Error(404, _("未找到服务请求：%(id)s") % {"id": rid})
    rows = mapping.request_rows(_public_orders(user).filter(pk=int(rid)), _base(request))
    if not rows:
        raise Open311Error(404, _("未找到服务请求：%(id)s") % {"id": rid})
    return respond(fmt, "service_requests", rows)


@require_safe
@open311
def token_detail(request, token, *, fmt):
    found = Open311Token.objects.filter(token=token).first()
    if found is None:
        raise Open311Error(404, _("未找到令牌：%(t)s") % {"t": token})
    return respond(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": str(found.order_id) if found.order_id else "",
                "token": found.token,
            }
        ],
    )

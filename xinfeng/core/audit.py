"""Writing audit events. Call ``audit_record`` wherever unmasked personal data is shown."""

import ipaddress

from django.conf import settings

from .models import AuditEvent


def client_ip(request) -> str | None:
    """The client's address. Behind ``XINFENG_TRUSTED_PROXIES`` proxies it is the entry that
    many places from the right of X-Forwarded-For (entries further left can be forged by
    the client); otherwise the socket address."""
    if request is None:
        return None
    hops = getattr(settings, "XINFENG_TRUSTED_PROXIES", 0)
    if hops > 0:
        forwarded = [
            p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= hops:
            try:
                return str(ipaddress.ip_address(forwarded[-hops]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


def audit_record(
    *,
    action: str,
    actor=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    detail: dict | None = None,
    request=None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        detail=detail or {},
        ip=client_ip(request),
    )

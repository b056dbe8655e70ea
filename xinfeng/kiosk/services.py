"""Kiosk writes: pair codes, pairing, revoking, and the kiosk visit (who is at the screen).

The visit lives in the server-side session under ``VISIT`` and is flushed when the person
finishes or after ``IDLE_SECONDS`` without a touch; the kiosk never signs anybody in to the
platform, so its browser holds no account session."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.audit import audit_record
from xinfeng.core.errors import NotFound, PermissionDenied, Throttled, ValidationFailed
from xinfeng.places.models import Site
from xinfeng.places.policy import is_site_staff

from .models import KioskDevice, KioskPairCode, KioskWalkIn

COOKIE = "xf_kiosk"
TOKEN_PREFIX = "kiosk_"
PAIR_CODE_TTL = timedelta(minutes=10)
PAIR_MAX_FAILS = 20
IDLE_SECONDS = 60
VISIT = "kiosk_visit"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def pair_code_issue(*, actor, site: Site, name: str = "") -> str:
    """A one-time 8-digit code that pairs one kiosk to ``site`` (staff of the site only)."""
    if not is_site_staff(actor, site):
        raise PermissionDenied(_("只有该阵地的管理员可以配对自助终端。"))
    code = f"{secrets.randbelow(10**8):08d}"
    KioskPairCode.objects.create(
        site=site,
        code_hash=_hash(f"{site.pk}:{code}"),
        name=name.strip()[:50],
        created_by=actor,
        expires_at=timezone.now() + PAIR_CODE_TTL,
    )
    audit_record(action="kiosk_pair_code", actor=actor, obj=site)
    return code


@transaction.atomic
def kiosk_pair(*, site: Site, code: str) -> tuple[KioskDevice, str]:
    """Use a pair code once: a new device for ``site`` and its raw token (shown only now).
    ``PAIR_MAX_FAILS`` wrong codes for a site within the codes' life stop pairing there
    for that long (429), so 10^8 codes cannot be tried."""
    from django.core.cache import cache

    fails_key = f"kiosk-pair-fails:{site.pk}"
    if cache.get(fails_key, 0) >= PAIR_MAX_FAILS:
        raise Throttled(_("错误次数过多，请 10 分钟后再试。"), code="too_many_tries")
    now = timezone.now()
    row = (
        KioskPairCode.objects.select_for_update()
        .filter(
            site=site,
            code_hash=_hash(f"{site.pk}:{(code or '').strip()}"),
            used_at__isnull=True,
            expires_at__gt=now,
        )
        .first()
    )
    if row is None:
        if not cache.add(fails_key, 1, int(PAIR_CODE_TTL.total_seconds())):
            cache.incr(fails_key)
        raise ValidationFailed(_("配对码无效或已过期。"), code="code_invalid")
    row.used_at = now
    row.save(update_fields=["used_at"])
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = KioskDevice.objects.create(
        site=site, name=row.name, token_hash=_hash(raw), paired_by=row.created_by
    )
    return device, raw


def kiosk_revoke(*, actor, device: KioskDevice) -> KioskDevice:
    if not is_site_staff(actor, device.site):
        raise NotFound()
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
        audit_record(action="kiosk_revoke", actor=actor, obj=device.site)
    return device


def device_for(raw: str | None) -> KioskDevice | None:
    """The live device holding ``raw``, else None (unknown or revoked)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    return (
        KioskDevice.objects.select_related("site")
        .filter(token_hash=_hash(raw), revoked_at__isnull=True)
        .first()
    )


def visit_start(session, *, site: Site, person_id: int | None, walk_in: bool = False) -> None:
    session.cycle_key()
    session[VISIT] = {
        "site": site.pk,
        "person": person_id,
        "walk_in": walk_in,
        "at": timezone.now().timestamp(),
    }


def visit_get(session, *, site: Site) -> dict | None:
    """The current visit at ``site``, touched; None (and the session wiped) when idle."""
    visit = session.get(VISIT)
    if not visit:
        return None
    now = timezone.now().timestamp()
    if visit.get("site") != site.pk or now - visit.get("at", 0) > IDLE_SECONDS:
        session.flush()
        return None
    visit["at"] = now
    session[VISIT] = visit
    return visit


def visit_end(session) -> None:
    session.flush()


# QR identification: the person's phone shows a short-lived signed code (kiosk:me_qr); the
# kiosk's scanner types it into the start screen. Single use (the cache remembers used
# nonces for longer than a code lives).
QR_SALT = "xinfeng.kiosk.qr"
QR_MAX_AGE = 120


def qr_issue(user) -> str:
    from django.core.signing import TimestampSigner

    return TimestampSigner(salt=QR_SALT).sign(f"{user.pk}.{secrets.token_hex(8)}")


def qr_resolve(token: str) -> int:
    """The user id a QR code names, once; else ``ValidationFailed`` (code ``qr_invalid``)."""
    from django.core.cache import cache
    from django.core.signing import BadSignature, TimestampSigner

    try:
        value = TimestampSigner(salt=QR_SALT).unsign((token or "").strip(), max_age=QR_MAX_AGE)
        user_id, nonce = value.split(".", 1)
    except (BadSignature, ValueError) as exc:
        raise ValidationFailed(
            _("二维码无效或已过期，请在手机上刷新后再扫。"), code="qr_invalid"
        ) from exc
    if not cache.add(f"kiosk-qr:{nonce}", 1, QR_MAX_AGE * 3):
        raise ValidationFailed(_("二维码无效或已过期，请在手机上刷新后再扫。"), code="qr_invalid")
    return int(user_id)


def walk_in_record(*, device: KioskDevice) -> KioskWalkIn:
    return KioskWalkIn.objects.create(site=device.site, device=device)


def walk_in_confirm(*, actor, walk_in: KioskWalkIn) -> KioskWalkIn:
    """Staff of the site confirm a walk-in (404 for anybody else)."""
    if not is_site_staff(actor, walk_in.site):
        raise NotFound()
    if walk_in.confirmed_at is None:
        walk_in.confirmed_at = timezone.now()
        walk_in.confirmed_by = actor
        walk_in.save(update_fields=["confirmed_at", "confirmed_by"])
    return walk_in

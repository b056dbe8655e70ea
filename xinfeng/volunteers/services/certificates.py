"""Certificates of volunteer service (志愿服务证明): issue, revoke, public verification.

A certificate covers the service recorded in the issuing site's region (the records the
issuer can vouch for) over a period, and keeps a snapshot of the figures, so the PDF and
the public ``/verify/<number>`` page always show what was certified.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.scope import require_role_at
from xinfeng.core.errors import Conflict, ValidationFailed
from xinfeng.core.masking import mask_name
from xinfeng.core.validation import RECORD, check_window
from xinfeng.places.models import Site
from xinfeng.regions.models import subtree_q
from xinfeng.volunteers.choices import ServiceSource
from xinfeng.volunteers.models import Certificate, ServiceRecord, Volunteer
from xinfeng.volunteers.services.numbers import certificate_number


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def certified_records(volunteer: Volunteer, site: Site, start: date | None, end: date):
    qs = ServiceRecord.objects.filter(
        subtree_q([site.region.path], "region__path"),
        volunteer=volunteer,
        started_at__lt=_day_start(end) + timedelta(days=1),
    )
    if start is not None:
        qs = qs.filter(started_at__gte=_day_start(start))
    return qs


def service_summary(records) -> tuple[Decimal, int, str]:
    """Total hours, person-times and a one-paragraph summary of what the service was."""
    rows = list(records.select_related("team").order_by("started_at", "id"))
    hours = sum((r.hours for r in rows), Decimal("0"))
    originals = [r for r in rows if r.corrects_id is None]
    by_source = Counter(r.source_type for r in originals)
    teams = Counter(r.team.name for r in originals if r.team_id)
    parts = [
        _("%(label)s %(n)d 次") % {"label": ServiceSource(src).label, "n": n}
        for src, n in by_source.most_common()
    ]
    summary = _("服务类型：%(parts)s。") % {"parts": "、".join(parts)} if parts else ""
    if teams:
        summary += _("服务队伍：%(teams)s。") % {
            "teams": "、".join(name for name, _n in teams.most_common(3))
        }
    descriptions = [r.description for r in originals if r.description][-3:]
    if descriptions:
        summary += _("近期服务：%(items)s。") % {"items": "；".join(descriptions)}
    return hours, len(originals), summary


@transaction.atomic
def certificate_issue(
    *,
    actor,
    volunteer: Volunteer,
    issuer_site: Site,
    period_start: date | None = None,
    period_end: date | None = None,
) -> Certificate:
    """Issue a numbered certificate for the volunteer's service recorded in the issuing
    site's region. Staff of that region. Raises ``ValidationFailed`` for an impossible
    period or when there is no service to certify."""
    require_role_at(actor, issuer_site.region)
    today = timezone.localdate()
    period_end = period_end or today
    if period_end > today:
        raise ValidationFailed(_("截止日期不能晚于今天。"), code="period_future")
    check_window(RECORD, period_start=period_start, period_end=period_end)
    if period_start is not None and period_start > period_end:
        raise ValidationFailed(_("起始日期不能晚于截止日期。"), code="period_invalid")
    hours, count, summary = service_summary(
        certified_records(volunteer, issuer_site, period_start, period_end)
    )
    if count == 0 or hours <= 0:
        raise ValidationFailed(
            _("该期间在本单位没有可证明的志愿服务记录。"), code="nothing_to_certify"
        )
    return Certificate.objects.create(
        number=certificate_number(),
        volunteer=volunteer,
        issuer_site=issuer_site,
        region=issuer_site.region,
        issuer_name=issuer_site.name,
        volunteer_name=volunteer.name,
        volunteer_number=volunteer.number,
        period_start=period_start,
        period_end=period_end,
        hours=hours,
        record_count=count,
        summary=summary,
        issued_by=actor,
    )


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate (e.g. issued in error); the verification page then says so.
    Staff of the issuing region. Locks the certificate row."""
    require_role_at(actor, certificate.region)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写撤销原因。"), code="reason_required")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise Conflict(_("该证明已撤销。"), code="already_revoked")
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = actor
    certificate.revoke_reason = reason[:200]
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return certificate


def verify_path(number: str) -> str:
    return reverse("certificate_verify", kwargs={"number": number})


def verify_url(certificate: Certificate, base_url: str) -> str:
    """The URL the certificate's QR code carries: the public verification page."""
    return base_url.rstrip("/") + verify_path(certificate.number)


def public_view(certificate: Certificate) -> dict:
    """What anyone holding the certificate may see: masked name, numbers, figures."""
    return {
        "number": certificate.number,
        "status": "revoked" if certificate.is_revoked else "valid",
        "volunteer_name": mask_name(certificate.volunteer_name),
        "volunteer_number": certificate.volunteer_number,
        "issuer_name": certificate.issuer_name,
        "period_start": certificate.period_start,
        "period_end": certificate.period_end,
        "hours": certificate.hours,
        "record_count": certificate.record_count,
        "issued_at": certificate.issued_at,
        "revoked_at": certificate.revoked_at,
        "revoke_reason": certificate.revoke_reason,
    }


def certificate_pdf(certificate: Certificate, base_url: str) -> bytes:
    """The certificate's PDF: rendered on first request, then kept with the certificate
    (its content is a snapshot, so it never changes; revocation shows on the verify page)."""
    if certificate.pdf:
        return bytes(certificate.pdf)
    from xinfeng.volunteers.services.certificate_pdf import certificate_pdf_bytes

    data = certificate_pdf_bytes(certificate, verify_url(certificate, base_url))
    Certificate.objects.filter(pk=certificate.pk, pdf__isnull=True).update(pdf=data)
    certificate.pdf = data
    return data

"""Demonstration sites (示范点): designations by the level above a township and their
yearly reviews. Every township should have two (每乡镇打造2个示范点)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.core.validation import full_clean_or_raise
from xinfeng.places.models import Site
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region

from .. import policy
from ..choices import DesignationStatus, ReviewOutcome
from ..models import Designation, DesignationReview
from .plans import _check_year, answering_site


def township_of(site: Site) -> Region | None:
    """The township (or street) whose subtree holds the site, if any."""
    region = site.region
    if region.level == RegionLevel.TOWNSHIP:
        return region
    path = region.path
    return (
        Region.objects.filter(level=RegionLevel.TOWNSHIP)
        .filter(path__in=[path[:i] for i in range(8, len(path), 8)])
        .first()
    )


def _require_user(actor) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()


@transaction.atomic
def designation_create(
    *,
    actor,
    site: Site,
    year: int,
    criteria: str,
    township: Region | None = None,
    designated_by: str = "",
) -> Designation:
    """Designate ``site`` a demonstration site of its township from ``year`` on. Named
    ``township`` must contain the site; one designation per site and year, and none while
    an earlier one still holds."""
    _require_user(actor)
    _check_year(year)
    own = township_of(site)
    if township is not None and (own is None or own.pk != township.pk):
        raise ValidationFailed(
            _("“%(site)s”不在“%(township)s”范围内，不能命名为该乡镇的示范点。")
            % {"site": site.name, "township": township.display_name},
            code="site_outside_township",
            fields={"site_id": [_("该阵地不在所选乡镇范围内。")]},
        )
    if own is None:
        raise ValidationFailed(
            _("只能命名乡镇（街道）范围内的阵地为示范点。"),
            code="site_outside_township",
            fields={"site_id": [_("该阵地不属于任何乡镇（街道）。")]},
        )
    if not policy.may_designate(actor, own):
        raise PermissionDenied(_("示范点由乡镇的上一级命名。"))
    if not (criteria or "").strip():
        raise ValidationFailed(
            _("请填写命名标准。"), code="criteria_required", fields={"criteria": [_("必填。")]}
        )
    holding = Designation.objects.filter(site=site).filter(
        status=DesignationStatus.ACTIVE, year__lte=year
    )
    if Designation.objects.filter(site=site, year=year).exists() or holding.exists():
        raise Conflict(
            _("“%(site)s”在 %(year)s 年已是示范点，同一阵地一年只能命名一次。")
            % {"site": site.name, "year": year},
            code="already_designated",
        )
    body_region = policy.designating_region(own)
    if not designated_by:
        body_site = answering_site(body_region)
        designated_by = body_site.name if body_site else body_region.display_name
    d = Designation(
        site=site,
        township=own,
        year=year,
        criteria=criteria.strip(),
        designated_by=designated_by,
        designated_by_region=body_region,
        created_by=actor,
    )
    full_clean_or_raise(d, validate_constraints=False)
    try:
        with transaction.atomic():
            d.save()
    except IntegrityError as exc:
        raise Conflict(_("该阵地本年度已命名为示范点。"), code="already_designated") from exc
    return d


@transaction.atomic
def review_record(
    *, actor, designation: Designation, year: int, outcome: str, reasons: str
) -> DesignationReview:
    """The yearly review of a designation: kept or withdrawn, with reasons. A withdrawal
    ends the designation from that year on."""
    _require_user(actor)
    d = Designation.objects.select_for_update().select_related("township").get(pk=designation.pk)
    if not policy.may_designate(actor, d.township):
        raise PermissionDenied(_("示范点由乡镇的上一级复核。"))
    _check_year(year)
    if year < d.year:
        raise ValidationFailed(
            _("复核年度不能早于命名年度（%(year)s 年）。") % {"year": d.year},
            code="review_before_designation",
            fields={"year": [_("复核年度不能早于命名年度。")]},
        )
    if outcome not in ReviewOutcome.values:
        raise ValidationFailed(_("复核结果无效。"), code="bad_outcome")
    if not (reasons or "").strip():
        raise ValidationFailed(
            _("请填写复核理由。"), code="reasons_required", fields={"reasons": [_("必填。")]}
        )
    if d.status == DesignationStatus.WITHDRAWN:
        raise Conflict(_("该示范点已撤销。"), code="designation_withdrawn")
    if d.reviews.filter(year=year).exists():
        raise Conflict(_("该示范点本年度已复核。"), code="already_reviewed")
    review = DesignationReview(
        designation=d, year=year, outcome=outcome, reasons=reasons.strip(), reviewed_by=actor
    )
    full_clean_or_raise(review, validate_constraints=False)
    review.save()
    if outcome == ReviewOutcome.WITHDRAWN:
        d.status = DesignationStatus.WITHDRAWN
        d.withdrawn_year = year
        d.save(update_fields=["status", "withdrawn_year"])
    return review

"""Demonstration-site pages: the list (search, year, pages), the "2 per township" rule
(which townships lack them), a township's sites with the designation and review forms."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError, NotAuthenticated, NotFound, PermissionDenied
from xinfeng.core.listing import page_of, search_text
from xinfeng.core.pages import apply_errors
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region

from .. import policy, selectors, services
from ..choices import DEMO_SITES_PER_TOWNSHIP, ReviewOutcome
from ..forms import DesignationForm, ReviewForm
from .plans import PER_PAGE, SEARCH_MAX, _year


@require_safe
def designation_list(request):
    year = _year(request.GET.get("year")) or selectors.current_year()
    q = search_text(request, max_length=SEARCH_MAX)
    qs = selectors.designations(year=year, q=q or None)
    page = page_of(request, qs.order_by("township__code", "site__name", "id"), PER_PAGE)
    rows = selectors.township_rule(year=year)
    return render(
        request,
        "workplans/demosite_list.html",
        {
            "page": page,
            "q": q,
            "year": year,
            "years": range(selectors.current_year() + 1, 2018, -1),
            "lacking": [r for r in rows if r.missing],
            "per_township": DEMO_SITES_PER_TOWNSHIP,
        },
    )


@require_safe
def township_rule(request):
    year = _year(request.GET.get("year")) or selectors.current_year()
    rows = selectors.township_rule(year=year)
    return render(
        request,
        "workplans/townships.html",
        {
            "rows": rows,
            "year": year,
            "years": range(selectors.current_year() + 1, 2018, -1),
            "lacking": sum(1 for r in rows if r.missing),
            "per_township": DEMO_SITES_PER_TOWNSHIP,
        },
    )


def _township(township_id: int) -> Region:
    t = Region.objects.filter(pk=township_id, level=RegionLevel.TOWNSHIP).first()
    if t is None:
        raise NotFound()
    return t


def _township_context(request, township, *, form=None, review_form=None, review_for=None):
    year = selectors.current_year()
    may = policy.may_designate(request.user, township)
    all_rows = list(
        selectors.designations(township=township)
        .prefetch_related("reviews")
        .order_by("-year", "site__name")
    )
    holding = {d.pk for d in selectors.designations(year=year, township=township)}
    return {
        "township": township,
        "year": year,
        "designations": all_rows,
        "holding": holding,
        "count": len(holding),
        "missing": max(0, DEMO_SITES_PER_TOWNSHIP - len(holding)),
        "per_township": DEMO_SITES_PER_TOWNSHIP,
        "may_designate": may,
        "form": form
        or (DesignationForm(township=township, initial={"year": year}) if may else None),
        "review_form": review_form or (ReviewForm(initial={"year": year}) if may else None),
        "review_for": review_for,
        "outcomes": ReviewOutcome.choices,
    }


@require_safe
def township_detail(request, township_id: int):
    township = _township(township_id)
    return render(request, "workplans/township.html", _township_context(request, township))


@require_POST
def township_designate(request, township_id: int):
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    township = _township(township_id)
    if not policy.may_designate(request.user, township):
        raise PermissionDenied(_("示范点由乡镇的上一级命名。"))
    form = DesignationForm(request.POST, township=township)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.designation_create(
                actor=request.user,
                site=d["site_id"],
                township=township,
                year=d["year"],
                criteria=d["criteria"],
                designated_by=d["designated_by"],
            )
        except DomainError as exc:
            status = apply_errors(form, exc)
        else:
            messages.success(request, _("示范点已命名。"))
            return redirect("workplans:township", township.pk)
    return render(
        request,
        "workplans/township.html",
        _township_context(request, township, form=form),
        status=status,
    )


@require_POST
def designation_review(request, designation_id: int):
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    d = selectors.designation_get(designation_id=designation_id)
    if not policy.may_designate(request.user, d.township):
        raise PermissionDenied(_("示范点由乡镇的上一级复核。"))
    form = ReviewForm(request.POST)
    status = 400
    if form.is_valid():
        c = form.cleaned_data
        try:
            services.review_record(
                actor=request.user,
                designation=d,
                year=c["year"],
                outcome=c["outcome"],
                reasons=c["reasons"],
            )
        except DomainError as exc:
            status = apply_errors(form, exc)
        else:
            messages.success(request, _("复核结果已记录。"))
            return redirect("workplans:township", d.township_id)
    return render(
        request,
        "workplans/township.html",
        _township_context(request, d.township, review_form=form, review_for=d.pk),
        status=status,
    )

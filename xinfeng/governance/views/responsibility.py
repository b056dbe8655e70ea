"""一把手与专职人员: the sites of the reader's scope with their people, the gaps for the
level above, a site's people with the forms to appoint, add staff and record a handover,
and the handovers (the successor's list of open items)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError, NotFound
from xinfeng.core.listing import page_of, search_text
from xinfeng.core.pages import apply_errors

from .. import forms as f
from .. import policy, presenters, selectors
from ..models import SiteStaff
from ..services import responsibility as svc

PAGE_SIZE = 30


def _list(request, *, gaps_only: bool):
    q = search_text(request)
    page = page_of(
        request, selectors.site_list(user=request.user, q=q, gaps_only=gaps_only), PAGE_SIZE
    )
    return render(
        request,
        "governance/site_list.html",
        {
            "page": page,
            "rows": [presenters.present_site_row(r) for r in page.object_list],
            "q": q,
            "gaps_only": gaps_only,
        },
    )


@require_safe
@login_required
def site_list(request):
    return _list(request, gaps_only=False)


@require_safe
@login_required
def gap_list(request):
    """What the level above must fill: sites without a responsible person or staff."""
    return _list(request, gaps_only=True)


def _staff_choices(site):
    return [
        (s.pk, f"{s.name}（{s.get_kind_display()}）")
        for s in selectors.staff_of(site, current_only=True)
    ]


@require_safe
@login_required
def site_people(request, site_id: int, forms=None, status=200):
    site = selectors.site_get(user=request.user, site_id=site_id)
    may = policy.may_appoint_at(request.user, site)
    forms = forms or {}
    ctx = {
        "site": site,
        "current": selectors.current_term(site),
        "terms": selectors.terms_of(site),
        "staff": selectors.staff_of(site),
        "handovers": site.handovers.all()[:20],
        "may_appoint": may,
        "today": selectors.today(),
    }
    if may:
        ctx |= {
            "term_form": forms.get("term") or f.TermForm(),
            "staff_form": forms.get("staff") or f.StaffForm(),
            "handover_form": forms.get("handover")
            or f.HandoverForm(staff_choices=_staff_choices(site)),
        }
    return render(request, "governance/site_people.html", ctx, status=status)


def _post(request, site_id, key, form, action):
    if not form.is_valid():
        return site_people(request, site_id, forms={key: form}, status=400)
    try:
        action(form.cleaned_data)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return site_people(request, site_id, forms={key: form}, status=apply_errors(form, exc))
    return None


@login_required
@require_POST
def term_create(request, site_id: int):
    site = selectors.site_get(user=request.user, site_id=site_id)
    form = f.TermForm(request.POST)

    def act(d):
        svc.responsible_appoint(
            actor=request.user,
            site=site,
            user=d["user"],
            post=d["post"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
        )

    refused = _post(request, site_id, "term", form, act)
    if refused is not None:
        return refused
    messages.success(request, _("已登记一把手。"))
    return redirect("governance:site", site_id=site.pk)


@login_required
@require_POST
def staff_create(request, site_id: int):
    site = selectors.site_get(user=request.user, site_id=site_id)
    form = f.StaffForm(request.POST)

    def act(d):
        svc.staff_add(
            actor=request.user,
            site=site,
            name=d["name"],
            kind=d["kind"],
            post=d["post"],
            starts_on=d["starts_on"],
            user=d["user"],
        )

    refused = _post(request, site_id, "staff", form, act)
    if refused is not None:
        return refused
    messages.success(request, _("已登记专职人员。"))
    return redirect("governance:site", site_id=site.pk)


@login_required
@require_POST
def handover_create(request, site_id: int):
    site = selectors.site_get(user=request.user, site_id=site_id)
    form = f.HandoverForm(request.POST, staff_choices=_staff_choices(site))
    done = {}

    def act(d):
        staff = SiteStaff.objects.filter(pk=d["staff"], site=site).first() if d["staff"] else None
        done["h"] = svc.handover_record(
            actor=request.user,
            site=site,
            kind=d["kind"],
            successor=d["successor"],
            on=d["on"],
            post=d["post"],
            note=d["note"],
            staff=staff,
        )

    refused = _post(request, site_id, "handover", form, act)
    if refused is not None:
        return refused
    messages.success(request, _("已办理交接，接任人会收到通知。"))
    return redirect("governance:handover", handover_id=done["h"].pk)


@login_required
@require_POST
def staff_end(request, staff_id: int):
    staff = SiteStaff.objects.filter(pk=staff_id).first()
    if staff is None:
        raise NotFound()
    site = selectors.site_get(user=request.user, site_id=staff.site_id)
    svc.staff_end(actor=request.user, staff=staff, ends_on=selectors.today())
    messages.success(request, _("已登记离岗。"))
    return redirect("governance:site", site_id=site.pk)


@require_safe
@login_required
def handover_list(request):
    q = search_text(request)
    page = page_of(request, selectors.handovers_for(user=request.user, q=q), PAGE_SIZE)
    return render(request, "governance/handover_list.html", {"page": page, "q": q})


@require_safe
@login_required
def handover_detail(request, handover_id: int):
    h = selectors.handover_get(user=request.user, handover_id=handover_id)
    return render(
        request, "governance/handover_detail.html", {"h": h, "data": presenters.present_handover(h)}
    )

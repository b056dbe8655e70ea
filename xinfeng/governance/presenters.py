"""One shape per object for pages and API, privacy applied once: people are shown by
name and post only — no private phone ever leaves here; the public route to a site is its
own phone."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfeng.accounts.scope import reads_anywhere

from . import policy, selectors
from .choices import Gap, GroupRole, HandoverKind, StaffKind
from .models import (
    Decision,
    GroupMember,
    Handover,
    LeadingGroup,
    Meeting,
    ResponsibleTerm,
    SiteStaff,
)

ITEM_LABELS = {
    "order": gettext_lazy("点单"),
    "activity": gettext_lazy("活动"),
    "booking": gettext_lazy("场所预约"),
}


def site_people_public(site) -> dict:
    """The public site page: the responsible person's post (not the name's contact), the
    site's own phone as the contact route, and how many staff are in post."""
    term = selectors.current_term(site)
    return {
        "post": term.post if term else site.responsible_title,
        "phone": site.phone,
        "staff_n": selectors.staff_of(site, current_only=True).count(),
    }


def governance_links(user) -> list[tuple[str, str]]:
    if user is None or not user.is_authenticated:
        return []
    links = []
    if reads_anywhere(user):
        links.append((reverse("governance:sites"), _("一把手与专职人员")))
        links.append((reverse("governance:groups"), _("工作领导小组")))
    if policy.may_see_department_view(user):
        links.append((reverse("governance:departments"), _("指导部门")))
    if reads_anywhere(user) or Handover.objects.filter(successor=user).exists():
        links.append((reverse("governance:handovers"), _("工作交接")))
    return links


def present_site_row(row) -> dict:
    gaps = selectors.gaps_of(row)
    return {
        "id": row.pk,
        "name": row.name,
        "level": row.level,
        "level_label": str(row.get_level_display()),
        "region": row.region.name,
        "responsible_name": row.resp_name or "",
        "responsible_post": row.resp_post or "",
        "staff_in_post": row.staff_n,
        "gaps": gaps,
        "gap_labels": [str(Gap(g).label) for g in gaps],
    }


def present_term(t: ResponsibleTerm) -> dict:
    return {
        "id": t.pk,
        "site_id": t.site_id,
        "user_id": t.user_id,
        "name": t.name,
        "post": t.post,
        "starts_on": t.starts_on,
        "ends_on": t.ends_on,
    }


def present_staff(s: SiteStaff) -> dict:
    return {
        "id": s.pk,
        "site_id": s.site_id,
        "name": s.name,
        "kind": s.kind,
        "kind_label": str(StaffKind(s.kind).label),
        "post": s.post,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
    }


def item_url(item: dict) -> str:
    kind, pk = item.get("kind"), item.get("id")
    if kind == "order":
        return reverse("orders:detail", args=[pk])
    if kind == "activity":
        return reverse("activities:manage", args=[pk])
    return ""


def present_item(item: dict) -> dict:
    return {
        "kind": item.get("kind", ""),
        "kind_label": str(ITEM_LABELS.get(item.get("kind"), "")),
        "id": item.get("id"),
        "title": item.get("title", ""),
        "state": item.get("state", ""),
        "when": item.get("when", ""),
        "url": item_url(item),
    }


def present_handover(h: Handover, *, items: bool = True) -> dict:
    out = {
        "id": h.pk,
        "site_id": h.site_id,
        "site": h.site.name,
        "kind": h.kind,
        "kind_label": str(HandoverKind(h.kind).label),
        "predecessor_name": h.predecessor_name,
        "successor_name": h.successor_name,
        "successor_id": h.successor_id,
        "handed_over_on": h.handed_over_on,
        "roles_moved_at": h.roles_moved_at,
        "note": h.note,
        "open_item_count": len(h.open_items or []),
    }
    if items:
        out["open_items"] = [present_item(i) for i in h.open_items or []]
    return out


def present_group(g: LeadingGroup) -> dict:
    return {
        "id": g.pk,
        "region_id": g.region_id,
        "region": g.region.name,
        "name": g.name,
        "established_on": g.established_on,
        "duties": g.duties,
        "member_count": getattr(g, "member_n", None),
        "meeting_count": getattr(g, "meeting_n", None),
    }


def present_member(m: GroupMember) -> dict:
    return {
        "id": m.pk,
        "name": m.name,
        "unit": m.unit,
        "post": m.post,
        "role": m.role,
        "role_label": str(GroupRole(m.role).label),
        "department": m.department,
        "department_label": str(m.get_department_display()) if m.department else "",
    }


def present_decision(d: Decision) -> dict:
    return {"id": d.pk, "meeting_id": d.meeting_id, "text": d.text, "task_id": d.task_id}


def present_meeting(m: Meeting) -> dict:
    return {
        "id": m.pk,
        "group_id": m.group_id,
        "held_on": m.held_on,
        "title": m.title,
        "minutes": m.minutes,
        "decisions": [present_decision(d) for d in m.decisions.all()],
    }

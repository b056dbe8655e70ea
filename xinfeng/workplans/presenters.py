"""One shape per object for pages and the API. Owners appear by display name only (no
phone, no account details)."""

from django.urls import reverse

from xinfeng.insights.geo import for_map

from . import policy
from .choices import LinkKind


def person(user) -> str:
    if user is None:
        return ""
    return user.display_name or user.username


def present_plan(plan, *, user=None, progress=None) -> dict:
    out = {
        "id": plan.pk,
        "region_id": plan.region_id,
        "region": plan.region.display_name,
        "year": plan.year,
        "title": plan.title,
        "summary": plan.summary,
        "site_id": plan.site_id,
        "may_edit": bool(user is not None and policy.may_edit_plan(user, plan)),
    }
    if progress is not None:
        out["progress"] = progress.as_dict()
    return out


def present_task(task, *, user=None) -> dict:
    return {
        "id": task.pk,
        "plan_id": task.plan_id,
        "goal_id": task.goal_id,
        "goal": task.goal.title if task.goal_id else "",
        "title": task.title,
        "description": task.description,
        "owner_id": task.owner_id,
        "owner": person(task.owner),
        "deadline": task.deadline,
        "status": task.status,
        "status_label": str(task.get_status_display()),
        "source": task.source,
        "source_ref": task.source_ref,
        "done_at": task.done_at,
        "reminded_at": task.reminded_at,
        "escalated_at": task.escalated_at,
        "escalated_to": task.escalated_to.display_name if task.escalated_to_id else "",
        "may_update": bool(user is not None and policy.may_update_task(user, task)),
    }


LINK_URLS = {
    LinkKind.ACTIVITY: "activities:detail",
    LinkKind.PROJECT: "projects:detail",
    LinkKind.ORDER: "orders:detail",
}


def evidence_link(ev, region_id: int | None = None) -> str:
    if ev.link_kind in LINK_URLS:
        return reverse(LINK_URLS[ev.link_kind], args=[ev.link_id])
    if ev.link_kind == LinkKind.FIGURE:
        if region_id:
            return reverse("insights:dashboard", args=[region_id])
        return reverse("insights:home")
    return ev.file.url if ev.file else ""


def present_evidence(ev) -> dict:
    return {
        "id": ev.pk,
        "kind": "file" if ev.file else ev.link_kind,
        "kind_label": str(ev.get_link_kind_display()) if ev.link_kind else ev.file_type.upper(),
        "file_type": ev.file_type,
        "link_kind": ev.link_kind,
        "link_id": ev.link_id,
        "figure": ev.figure,
        "note": ev.note,
        "url": evidence_link(ev, ev.task.plan.region_id),
        "created_at": ev.created_at,
    }


def present_designation(d) -> dict:
    return {
        "id": d.pk,
        "site_id": d.site_id,
        "site": d.site.name,
        "township_id": d.township_id,
        "township": d.township.display_name,
        "year": d.year,
        "criteria": d.criteria,
        "designated_by": d.designated_by,
        "status": d.status,
        "withdrawn_year": d.withdrawn_year,
    }


def designation_feature(d) -> dict | None:
    point = for_map(d.site.latitude, d.site.longitude)
    if point is None:
        return None
    lat, lng = point
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lng, lat]},
        "properties": {
            "i": d.site_id,
            "n": d.site.name,
            "t": d.township.display_name,
            "y": d.year,
            "u": reverse("places:site_detail", args=[d.site_id]),
        },
    }

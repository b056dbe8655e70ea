"""Governance objects for tests: terms, staff, a group with a meeting and a decision, an
open order and activity at a site (the open items a handover lists)."""

from datetime import date, timedelta

from django.utils import timezone

from tests.factories import UserFactory
from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment
from xinfeng.governance.choices import StaffKind
from xinfeng.governance.models import (
    Decision,
    GroupMember,
    Handover,
    LeadingGroup,
    Meeting,
    ResponsibleTerm,
    SiteStaff,
)


def term(site, user=None, *, post="村党支部书记", starts_on=date(2021, 10, 1), ends_on=None):
    user = user or UserFactory()
    return ResponsibleTerm.objects.create(
        site=site, user=user, name=user.name, post=post, starts_on=starts_on, ends_on=ends_on
    )


def staff(site, *, name="宣传员甲", kind=StaffKind.PROPAGANDIST, starts_on=date(2022, 1, 1)):
    return SiteStaff.objects.create(site=site, name=name, kind=kind, starts_on=starts_on)


def group(region, *, name="工作领导小组"):
    g = LeadingGroup.objects.create(region=region, name=name)
    GroupMember.objects.create(group=g, name="组长甲", unit="乡党委", post="书记", role="leader")
    return g


def meeting(g, *, decisions=("出台工作方案",)):
    m = Meeting.objects.create(
        group=g, held_on=timezone.localdate() - timedelta(days=3), title="推进会"
    )
    for text in decisions:
        Decision.objects.create(meeting=m, text=text)
    return m


def handover(site, successor, **kw):
    return Handover.objects.create(
        site=site,
        kind="responsible",
        successor=successor,
        successor_name=successor.name,
        handed_over_on=timezone.localdate(),
        open_items=[
            {"kind": "order", "id": 1, "title": "矩阵点单", "state": "submitted", "when": ""}
        ],
        **kw,
    )


def department_user(region, code="finance", username=None):
    user = UserFactory(username=username) if username else UserFactory()
    RoleAssignment.objects.create(user=user, role=Role.DEPARTMENT, region=region, department=code)
    user.__dict__.pop("_xf_roles", None)
    return user


def matrix_governance(tree, st_in) -> dict:
    """Governance objects for the authorization matrix, all at 水口村 (``tree.v1``)."""
    from tests.factories import UserFactory

    t = term(tree.st1, UserFactory(username="m-secretary"))
    s = staff(tree.st1)
    g = group(tree.v1, name="水口村领导小组")
    m = meeting(g)
    h = handover(tree.st1, UserFactory(username="m-successor"))
    return {
        "term_id": t.pk,
        "staff_id": s.pk,
        "group_id": g.pk,
        "member_id": g.members.first().pk,
        "meeting_id": m.pk,
        "decision_id": m.decisions.first().pk,
        "handover_id": h.pk,
    }

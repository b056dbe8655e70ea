"""Who to name for an order (接单派员): the team's active members, searched by name or
volunteer number, the free and skilled ones first.

A team may have hundreds of members, so the accept form never lists them all: it shows the
first ``LIMIT`` candidates in this order, and a search box asks ``/orders/<id>/members/pick/``
(htmx, same ranking) for the matches. The ranking, per member:

1. *free*: not named (invited or confirmed) for another order that is accepted or in
   service at an overlapping wanted time (an order without a wanted time overlaps all);
2. *skilled*: a skill of theirs fits the order's category, or is written in its title,
   description or project name;
3. then by name.

Minors are listed but cannot be chosen for risky work (``volunteers.policy``); the service
checks again on every request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from xinfeng.volunteers.choices import MembershipStatus, ServiceCategory
from xinfeng.volunteers.models import Volunteer
from xinfeng.volunteers.policy import volunteer_may_take_risky_work

from .choices import AssignmentStatus, OrderState
from .models import Order, OrderAssignment
from .services.members import is_risky

LIMIT = 20
QUERY_MAX = 50
SCAN_MAX = 2000  # members read to rank one search (a team larger than this is searched)

# Skills (as volunteers write them) that fit each service category.
CATEGORY_SKILLS: dict[str, tuple[str, ...]] = {
    ServiceCategory.THEORY: ("宣讲", "理论", "党史"),
    ServiceCategory.EDUCATION: ("教学", "辅导", "教育", "书法", "绘画"),
    ServiceCategory.CULTURE: ("文艺", "表演", "书法", "摄影", "舞蹈", "音乐", "绘画"),
    ServiceCategory.SCIENCE: ("科普", "电脑", "电工", "农技"),
    ServiceCategory.SPORT: ("健身", "体育", "舞蹈", "太极"),
    ServiceCategory.HEALTH: ("医护", "急救", "护理", "心理", "中医"),
    ServiceCategory.EVERYDAY_HELP: ("电工", "驾驶", "理发", "维修", "家政"),
    ServiceCategory.LAW: ("法律", "调解"),
    ServiceCategory.ELDERLY: ("医护", "护理", "理发", "心理", "陪护", "急救"),
    ServiceCategory.CHILDREN: ("教学", "辅导", "心理", "绘画"),
    ServiceCategory.ENVIRONMENT: ("环保", "农技"),
    ServiceCategory.EMERGENCY: ("急救", "驾驶", "救援", "医护"),
}


@dataclass
class Candidate:
    volunteer: Volunteer
    free: bool = True
    busy_order: int | None = None
    skills: list[str] = field(default_factory=list)
    blocked: bool = False  # a minor on risky work
    chosen: bool = False
    status: str = ""  # the member's answer when already named for this order

    @property
    def rank(self) -> tuple:
        return (not self.chosen, self.blocked, not self.free, not self.skills, self.volunteer.name)


def fitting_skills(order: Order, skills) -> list[str]:
    """The volunteer's skills that fit the order (category keywords or named in its text)."""
    words = CATEGORY_SKILLS.get(order.category or "", ())
    text = " ".join(
        [order.title or "", order.description or "", order.project.name if order.project_id else ""]
    )
    fit = []
    for s in skills or []:
        s = str(s)
        if s and (s in text or any(w in s for w in words)):
            fit.append(s)
    return fit


def _overlap_q(order: Order) -> Q:
    """Other orders whose wanted time may overlap this one's."""
    if not order.wanted_from:
        return Q()
    until = order.wanted_until or order.wanted_from
    return (
        Q(order__wanted_from__isnull=True)
        | Q(order__wanted_from__lte=until, order__wanted_until__gte=order.wanted_from)
        | Q(order__wanted_until__isnull=True, order__wanted_from__date=order.wanted_from.date())
    )


def busy_with(order: Order, volunteer_ids) -> dict[int, int]:
    """volunteer id → another order they are already named for at an overlapping time."""
    rows = (
        OrderAssignment.objects.filter(
            _overlap_q(order),
            volunteer_id__in=list(volunteer_ids),
            status__in=[AssignmentStatus.INVITED, AssignmentStatus.CONFIRMED],
            order__state__in=[OrderState.ACCEPTED, OrderState.IN_SERVICE],
        )
        .exclude(order=order)
        .values_list("volunteer_id", "order_id")
    )
    return dict(rows)


def candidates(
    order: Order, team, *, q: str = "", chosen_ids=(), limit: int = LIMIT
) -> tuple[list[Candidate], bool]:
    """(the chosen members, then up to ``limit`` ranked matches; whether there are more)."""
    q = (q or "").strip()[:QUERY_MAX].replace("\x00", "")
    chosen_ids = {int(i) for i in chosen_ids}
    members = Volunteer.objects.filter(
        memberships__team=team, memberships__status=MembershipStatus.ACTIVE, is_active=True
    )
    named = dict(order.assignments.values_list("volunteer_id", "status"))
    chosen = list(members.filter(pk__in=chosen_ids)) if chosen_ids else []
    found = members.exclude(pk__in=chosen_ids | set(named))
    if q:
        found = found.filter(Q(name__icontains=q) | Q(number__icontains=q))
    found = list(found.order_by("name", "id")[:SCAN_MAX])
    everyone = chosen + found
    busy = busy_with(order, [v.pk for v in everyone])
    risky = is_risky(order)
    out = []
    for v in everyone:
        out.append(
            Candidate(
                volunteer=v,
                free=v.pk not in busy,
                busy_order=busy.get(v.pk),
                skills=fitting_skills(order, v.skills),
                blocked=risky and not volunteer_may_take_risky_work(v),
                chosen=v.pk in chosen_ids,
            )
        )
    out.sort(key=lambda c: c.rank)
    n_chosen = len(chosen)
    return out[: n_chosen + limit], len(out) > n_chosen + limit

"""How one demo order lives: its steps walked with plausible times (each within the
project's deadline most of the time), the people and reasons at each step, the rating and
the follow-up. Used by the "orders" demo step."""

from datetime import timedelta

from xinfeng.orders.choices import (
    AssignmentStatus,
    FollowUpStatus,
    OrderAction,
    OrderChannel,
    OrderState,
    RatingLevel,
)
from xinfeng.orders.models import FollowUp, OrderAssignment, OrderRating

S = OrderState

REJECT_REASONS = ["不属于志愿服务范围，已转交村委会", "重复点单", "信息不全，电话无法联系"]
CANCEL_REASONS = ["已自行解决", "时间不合适", "家人已帮忙"]
DECLINE_REASONS = ["本周人手不足", "距离太远，建议派附近队伍"]
GOOD_COMMENTS = ["志愿者很耐心，谢谢！", "服务及时，态度很好", "很满意", "", "", ""]
LOW_COMMENTS = ["来得太晚了", "没有解决问题", "态度一般"]
FOLLOW_UP_OUTCOMES = [
    "已电话回访，队伍已致歉并补充服务",
    "已上门了解情况，问题已解决",
    "已协调其他队伍再次服务",
]


def _rating(rng) -> int:
    r = rng.random()
    if r < 0.62:
        return RatingLevel.VERY_SATISFIED
    if r < 0.87:
        return RatingLevel.SATISFIED
    if r < 0.94:
        return RatingLevel.NEUTRAL
    if r < 0.98:
        return RatingLevel.DISSATISFIED
    return RatingLevel.VERY_DISSATISFIED


def _hours(rng, lo, hi):
    return timedelta(hours=rng.uniform(lo, hi))


def _play(
    rng, o, final, now, project, places, project_teams, team_by_id, members, leader_teams, local
):
    """Walk the order to ``final`` with plausible step times; fill its fields and return
    (events, rating, follow_up, assignments). Times never pass ``now``."""
    within = {
        "review": project.review_within if project else timedelta(hours=24),
        "dispatch": project.dispatch_within if project else timedelta(hours=24),
        "accept": project.accept_within if project else timedelta(hours=12),
        "start": project.start_within if project else timedelta(days=3),
        "rate": project.rate_within if project else timedelta(days=7),
    }
    events = []
    t = o.submitted_at
    site_id = o.site_id

    def ev(action, frm, to, at, reason="", team_id=None, actor=None):
        events.append((action, frm, to, at, reason, actor, team_id, site_id))

    def clamp(x):
        return min(x, now - timedelta(minutes=1))

    def due(step, start):
        o.due_at = start + within[step]
        setattr(o, f"{step}_due_at", o.due_at)

    # A site's own order skips review: its submission lands in pending dispatch, as
    # ``orders.services.order_create`` records it.
    skips_review = o.channel == OrderChannel.SITE and final != S.SUBMITTED
    ev(OrderAction.SUBMIT, S.SUBMITTED, S.PENDING_DISPATCH if skips_review else S.SUBMITTED, t)
    due("review", t)
    if final == S.SUBMITTED:
        return events, None, None, []
    if o.channel == OrderChannel.SITE:
        o.reviewed_at = t
    else:
        t = clamp(t + _hours(rng, 0.2, 16))
        o.reviewed_at = t
        if final == S.REJECTED:
            o.state, o.closed_at = S.REJECTED, t
            o.due_at = None
            ev(OrderAction.REJECT, S.SUBMITTED, S.REJECTED, t, rng.choice(REJECT_REASONS))
            return events, None, None, []
        ev(OrderAction.APPROVE, S.SUBMITTED, S.PENDING_DISPATCH, t)
    o.state = S.PENDING_DISPATCH
    due("dispatch", t)
    if final == S.PENDING_DISPATCH:
        o.is_open = rng.random() < 0.3
        return events, None, None, []
    if final == S.CANCELLED:
        t = clamp(t + _hours(rng, 0.5, 30))
        o.state, o.closed_at, o.due_at = S.CANCELLED, t, None
        ev(OrderAction.CANCEL, S.PENDING_DISPATCH, S.CANCELLED, t, rng.choice(CANCEL_REASONS))
        return events, None, None, []
    # Dispatch (occasionally a team declines first, or the review was escalated).
    if o.project_id and project_teams.get(o.project_id) and rng.random() < 0.6:
        pool = [team_by_id[x] for x in project_teams[o.project_id] if x in team_by_id]
    else:
        pool = places.teams_near(o.region)
    if local and leader_teams and rng.random() < 0.7:
        pool = leader_teams
    team = rng.choice(pool or places.teams)
    if rng.random() < 0.06:
        t0 = clamp(t + _hours(rng, 1, 10))
        other = rng.choice(places.teams_near(o.region))
        ev(OrderAction.DISPATCH, S.PENDING_DISPATCH, S.DISPATCHED, t0, "就近派单", other.pk)
        t = clamp(t0 + _hours(rng, 0.5, 6))
        ev(
            OrderAction.DECLINE,
            S.DISPATCHED,
            S.PENDING_DISPATCH,
            t,
            rng.choice(DECLINE_REASONS),
            other.pk,
        )
    t = clamp(t + _hours(rng, 0.3, 20))
    o.team_id = team.pk
    o.dispatched_at = t
    o.dispatch_reason = "服务类别对口、距离最近" if rng.random() < 0.7 else "项目承接队伍"
    o.state = S.DISPATCHED
    ev(OrderAction.DISPATCH, S.PENDING_DISPATCH, S.DISPATCHED, t, o.dispatch_reason, team.pk)
    due("accept", t)
    if final == S.DISPATCHED:
        return events, None, None, []
    t = clamp(t + _hours(rng, 0.1, 8))
    o.accepted_at = t
    o.state = S.ACCEPTED
    ev(OrderAction.ACCEPT, S.DISPATCHED, S.ACCEPTED, t, "", team.pk)
    start_from = max(t, o.wanted_from or t)
    due("start", start_from)
    pool_members = members.get(team.pk, [])
    chosen = rng.sample(pool_members, min(len(pool_members), rng.randint(1, 3)))
    crew = [
        OrderAssignment(
            volunteer_id=v,
            status=AssignmentStatus.CONFIRMED,
            invited_at=t,
            answered_at=clamp(t + _hours(rng, 0.1, 3)),
        )
        for v in chosen
    ]
    if final == S.ACCEPTED:
        if crew and rng.random() < 0.5:
            crew[-1].status, crew[-1].answered_at = AssignmentStatus.INVITED, None
        return events, None, None, crew
    t = clamp(max(start_from, t + _hours(rng, 0.5, 2)) + _hours(rng, 0, 2))
    o.started_at = t
    o.state = S.IN_SERVICE
    o.due_at = None
    ev(OrderAction.START, S.ACCEPTED, S.IN_SERVICE, t, "", team.pk)
    for a in crew:
        a.checked_in_at = t
    if final == S.IN_SERVICE:
        return events, None, None, crew
    t = clamp(t + _hours(rng, 1, 4))
    o.completed_at = t
    o.report = rng.choice(
        ["服务已完成，群众满意。", "已上门完成服务并讲解注意事项。", "服务顺利，现场照片已留存。"]
    )
    o.people_served = (
        rng.randint(1, 30) if project and project.site.level == "center" else rng.randint(1, 5)
    )
    o.state = S.COMPLETED
    ev(OrderAction.COMPLETE, S.IN_SERVICE, S.COMPLETED, t, "", team.pk)
    for a in crew:
        a.checked_out_at = t
    due("rate", t)
    if final == S.COMPLETED:
        return events, None, None, crew
    auto = rng.random() < 0.15
    level = RatingLevel.SATISFIED if auto else _rating(rng)
    t = clamp(o.rate_due_at if auto else t + _hours(rng, 1, 100))
    o.rated_at = o.closed_at = t
    o.rating_level, o.rating_is_auto = level, auto
    o.state, o.due_at = S.RATED, None
    ev(
        OrderAction.AUTO_RATE if auto else OrderAction.RATE,
        S.COMPLETED,
        S.RATED,
        t,
        "",
        team.pk,
        None,
    )
    low = level <= RatingLevel.DISSATISFIED
    rating = OrderRating(
        level=level,
        dimensions={}
        if auto
        else {"attitude": min(5, level + rng.randint(0, 1)), "timeliness": level},
        comment="" if auto else rng.choice(LOW_COMMENTS if low else GOOD_COMMENTS),
        rater=o.requester,
        is_auto=auto,
        created_at=t,
    )
    follow_up = None
    if low:
        done = (now - t).days > 7
        follow_up = FollowUp(
            site_id=o.site_id,
            region_id=o.region_id,
            opened_at=t,
            status=FollowUpStatus.DONE if done else FollowUpStatus.OPEN,
            outcome=rng.choice(FOLLOW_UP_OUTCOMES) if done else "",
            resolved=done and rng.random() < 0.8,
            closed_at=clamp(t + _hours(rng, 4, 96)) if done else None,
        )
        if done:
            ev(OrderAction.FOLLOW_UP, S.RATED, S.RATED, follow_up.closed_at, follow_up.outcome)
    return events, rating, follow_up, crew

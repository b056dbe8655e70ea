"""Call-outs (召集): choose people, queue one delivery row each, send them in batches from
the worker, take the answers (来/不来/稍后) and escalate non-responders on a timer.

Delivery is idempotent: a ``CalloutRecipient`` row is unique per person and call-out, and
the worker turns ``queued`` into ``sent`` in the same transaction that writes the inbox
message, so a worker killed mid-send loses no message and sends none twice.
"""

import os
from datetime import date, datetime, timedelta
from functools import cache
from typing import NamedTuple

from django.core import signing
from django.db import connection, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.activities.geo import haversine_m
from xinfeng.core.errors import Conflict, NotFound, ValidationFailed
from xinfeng.notifications.models import Notification
from xinfeng.notifications.texts import to_message
from xinfeng.regions.models import Region, subtree_q
from xinfeng.volunteers.choices import MembershipStatus
from xinfeng.volunteers.models import TeamMembership, Volunteer

from .. import texts
from ..choices import Answer, CalloutStatus, EmergencySkill, IncidentAction, RecipientState
from ..models import Callout, CalloutRecipient, EmergencyProfile
from ..policy import may_be_called, require_may_run
from .rosters import on_standby_ids
from .timeline import event_add, require_open

SEND_BATCH = 500  # rows per transaction; XINFENG_EMERGENCY_SEND_BATCH overrides it
CHANNELS = ["sms"]
ANSWER_SALT = "xinfeng.emergency.answer"
NO_RECIPIENTS = _("没有符合条件的召集对象。")
CALLOUT_CLOSED = _("该召集已结束，不再接受答复。")
BAD_TOKEN = _("链接无效或已失效。")

SENT_STATES = (
    RecipientState.SENT,
    RecipientState.COMING,
    RecipientState.DECLINED,
    RecipientState.LATER,
    RecipientState.ARRIVED,
)


# ── Choosing people ────────────────────────────────────────────────────────────────────
class Candidate(NamedTuple):
    """The columns of a volunteer that choosing needs, read as a tuple: a call-out to
    10,000 people builds no model instances. Shaped like a ``Volunteer`` for the policy
    (``may_be_called``: the flags and ``age_on``)."""

    pk: int
    is_active: bool
    user_id: int | None
    birth_date: date | None
    privacy_notice_version: str
    guardian_consented_at: datetime | None
    home_region_id: int

    def age_on(self, day=None) -> int | None:
        return Volunteer.age_on(self, day)  # type: ignore[arg-type]  # the one age rule


def callout_candidates(
    *,
    incident,
    risky: bool = True,
    teams=(),
    skills=(),
    regions=(),
    standby_only: bool = False,
    within_km: float | None = None,
    include_returnees: bool = True,
) -> tuple[list[dict], dict]:
    """Who a call-out with these criteria reaches, in roster order (on standby first, then
    nearest), and how many were left out and why. Without teams or areas the incident's
    affected regions are the area. People living elsewhere whose home village lies in the
    area come too (返乡, ``include_returnees``)."""
    bad = [s for s in skills if s not in EmergencySkill.values]
    if bad:
        raise ValidationFailed(_("未知的应急技能：%(s)s") % {"s": ", ".join(map(str, bad))})
    if within_km is not None and within_km <= 0:
        raise ValidationFailed(_("距离必须大于 0 公里。"), code="bad_distance")
    team_ids = [t.pk for t in teams]
    regions = list(regions) or ([] if team_ids else list(incident.affected_regions.all()))
    paths = [r.path for r in regions]

    qs = Volunteer.objects.filter(is_active=True, user__isnull=False)
    team_of: dict[int, int] = {}
    if team_ids:
        for vid, tid in TeamMembership.objects.filter(
            team_id__in=team_ids, status=MembershipStatus.ACTIVE
        ).values_list("volunteer_id", "team_id"):
            team_of.setdefault(vid, tid)
        qs = qs.filter(
            pk__in=TeamMembership.objects.filter(
                team_id__in=team_ids, status=MembershipStatus.ACTIVE
            ).values("volunteer_id")
        )
    returnee_ids: set[int] = set()
    if paths:
        area = subtree_q(paths, "home_region__path")
        if include_returnees:
            returnee_ids = set(
                EmergencyProfile.objects.filter(subtree_q(paths, "home_village__path"))
                .exclude(subtree_q(paths, "volunteer__home_region__path"))
                .values_list("volunteer_id", flat=True)
            )
            area |= Q(pk__in=returnee_ids)
        qs = qs.filter(area)
    people = [Candidate(*row) for row in qs.values_list(*Candidate._fields)]
    chosen_ids = qs.values("pk")  # the same people, as a subquery (no list of 10,000 ids)
    profile_skills = (
        dict(
            EmergencyProfile.objects.filter(volunteer_id__in=chosen_ids).values_list(
                "volunteer_id", "skills"
            )
        )
        if skills
        else {}
    )
    if not team_of:
        for vid, tid in (
            TeamMembership.objects.filter(
                volunteer_id__in=chosen_ids, status=MembershipStatus.ACTIVE
            )
            .order_by("id")
            .values_list("volunteer_id", "team_id")
        ):
            team_of.setdefault(vid, tid)
    standby = on_standby_ids(team_ids or None)
    origin = incident.region
    km_to: dict[int, float | None] = {}  # distance per home region: computed once each
    if origin.latitude is not None:
        for rid, lat, lon in Region.objects.filter(
            pk__in={v.home_region_id for v in people}, latitude__isnull=False
        ).values_list("pk", "latitude", "longitude"):
            if lat is not None and lon is not None and origin.longitude is not None:
                km_to[rid] = haversine_m(origin.latitude, origin.longitude, lat, lon) / 1000
    today = timezone.localdate()
    left_out = {"not_callable": 0, "skill": 0, "standby": 0, "distance": 0}
    chosen = []
    for v in people:
        if not may_be_called(v, risky=risky, today=today):
            left_out["not_callable"] += 1
            continue
        if skills and not set(skills) & set(profile_skills.get(v.pk) or []):
            left_out["skill"] += 1
            continue
        on = v.pk in standby
        if standby_only and not on:
            left_out["standby"] += 1
            continue
        km = km_to.get(v.home_region_id)
        if within_km is not None and v.pk not in returnee_ids and (km is None or km > within_km):
            left_out["distance"] += 1
            continue
        chosen.append(
            {
                "volunteer_id": v.pk,
                "team_id": team_of.get(v.pk),
                "distance_km": km,
                "on_standby": on,
                "returnee": v.pk in returnee_ids,
            }
        )
    chosen.sort(
        key=lambda c: (
            not c["on_standby"],
            c["distance_km"] is None,
            c["distance_km"] or 0,
            c["volunteer_id"],
        )
    )
    return chosen, left_out


@transaction.atomic
def callout_create(
    *,
    actor,
    incident,
    title: str,
    message: str = "",
    risky: bool = True,
    teams=(),
    skills=(),
    regions=(),
    standby_only: bool = False,
    within_km: float | None = None,
    include_returnees: bool = True,
    wave: int | None = None,
    escalate_after_minutes: int = 15,
) -> Callout:
    """Call people out for ``incident``: one queued delivery row each (the first ``wave``
    in roster order; the rest wait in reserve for escalations); the worker sends them."""
    require_may_run(actor, incident)
    require_open(incident)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写召集事由。"), code="no_title")
    if not 1 <= escalate_after_minutes <= 24 * 60:
        raise ValidationFailed(_("升级时间须在 1 到 1440 分钟之间。"), code="bad_escalation")
    for t in teams:
        if not t.is_active:
            raise ValidationFailed(_("队伍已停用：%(n)s") % {"n": t.name}, code="team_inactive")
    chosen, left_out = callout_candidates(
        incident=incident,
        risky=risky,
        teams=teams,
        skills=skills,
        regions=regions,
        standby_only=standby_only,
        within_km=within_km,
        include_returnees=include_returnees,
    )
    if not chosen:
        raise ValidationFailed(NO_RECIPIENTS, code="no_recipients")
    wave = len(chosen) if wave is None else wave
    if wave < 1:
        raise ValidationFailed(_("首批人数至少为 1。"), code="bad_wave")
    callout = Callout.objects.create(
        incident=incident,
        title=title[:120],
        message=(message or "")[:300],
        risky=risky,
        wave=min(wave, len(chosen)),
        escalate_after_minutes=escalate_after_minutes,
        criteria={
            "teams": [t.pk for t in teams],
            "skills": list(skills),
            "regions": [r.pk for r in regions],
            "standby_only": standby_only,
            "within_km": within_km,
            "include_returnees": include_returnees,
            "left_out": left_out,
        },
        created_by=actor,
    )
    _insert_recipients(callout, chosen, wave)
    event_add(incident, IncidentAction.CALLOUT, actor, f"{title}（{len(chosen)}）")
    _enqueue_send(callout.pk)
    return callout


RECIPIENT_COLUMNS = (
    "callout_id",
    "volunteer_id",
    "team_id",
    "rank",
    "distance_km",
    "on_standby",
    "returnee",
    "state",
    "escalated",
)


def _insert_recipients(callout, chosen: list[dict], wave: int) -> None:
    """One delivery row per chosen person in roster order, set-based: on PostgreSQL one
    ``COPY`` (10,000 rows in tens of milliseconds, where ``bulk_create`` spends seconds
    building model instances and a statement with 100,000 parameters), elsewhere
    ``bulk_create``. Columns left out are the NULL timestamps."""
    rows = (
        (
            callout.pk,
            c["volunteer_id"],
            c["team_id"],
            i,
            c["distance_km"],
            c["on_standby"],
            c["returnee"],
            (RecipientState.QUEUED if i < wave else RecipientState.RESERVE).value,
            False,
        )
        for i, c in enumerate(chosen)
    )
    if connection.vendor != "postgresql":
        CalloutRecipient.objects.bulk_create(
            [CalloutRecipient(**dict(zip(RECIPIENT_COLUMNS, r, strict=True))) for r in rows],
            batch_size=2000,
        )
        return
    q = connection.ops.quote_name
    sql = (
        f"COPY {q(CalloutRecipient._meta.db_table)} "
        f"({', '.join(q(c) for c in RECIPIENT_COLUMNS)}) FROM STDIN"
    )
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for r in rows:
            copy.write_row(r)


# Sent when a call-out has rows queued; the tasks module queues the worker's send after
# commit (services do not import their tasks: no import cycle).
callout_queued = Signal()


def _enqueue_send(callout_id: int) -> None:
    callout_queued.send(sender=Callout, callout_id=callout_id)


# ── Sending (the worker) ───────────────────────────────────────────────────────────────
def answer_token(recipient_id: int) -> str:
    return signing.Signer(salt=ANSWER_SALT).sign(str(recipient_id))


def recipient_id_for_token(token: str) -> int:
    """The delivery row a signed answer link names (no query); 404 for a forged one."""
    try:
        return int(signing.Signer(salt=ANSWER_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise NotFound(BAD_TOKEN, code="bad_token") from None


def recipient_for_token(token: str) -> CalloutRecipient:
    pk = recipient_id_for_token(token)
    row = (
        CalloutRecipient.objects.select_related("callout__incident", "volunteer", "team")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise NotFound(BAD_TOKEN, code="bad_token")
    return row


def answer_link(recipient_id: int, *, base: str | None = None) -> str:
    """The path of the answer page for one recipient (``base``: the resolved prefix, so a
    batch resolves the URL once)."""
    base = base or reverse("emergency:answer", args=["-"])[:-2]
    return f"{base}{answer_token(recipient_id)}/"


def send_batch_size() -> int:
    return max(1, int(os.environ.get("XINFENG_EMERGENCY_SEND_BATCH", SEND_BATCH)))


def callout_send_batch(callout_id: int, *, batch: int | None = None) -> int:
    """Send up to ``batch`` queued rows of one call-out: write the inbox messages and mark
    the rows sent in one transaction (locked rows another worker holds are skipped), then
    queue the SMS copies. Returns how many were sent."""
    with transaction.atomic():
        callout = Callout.objects.select_related("incident").get(pk=callout_id)
        if callout.status != CalloutStatus.OPEN:
            return 0
        rows = list(
            CalloutRecipient.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(callout_id=callout_id, state=RecipientState.QUEUED)
            .order_by("rank")
            .values_list("pk", "volunteer__user_id")[: batch or send_batch_size()]
        )
        if not rows:
            return 0
        title, title_msg = to_message(texts.CALLOUT(t=callout.title))
        body, body_msg = to_message(texts.CALLOUT_BODY(incident=callout.incident.title))
        base = reverse("emergency:answer", args=["-"])[:-2]
        notes = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=user_id,
                    title=title[:200],
                    body=body,
                    title_msg=title_msg,
                    body_msg=body_msg,
                    link=answer_link(pk, base=base),
                    kind="emergency.callout",
                )
                for pk, user_id in rows
            ]
        )
        # One UPDATE marks the batch sent, in the transaction that wrote the inbox rows.
        CalloutRecipient.objects.filter(pk__in=[r[0] for r in rows]).update(
            state=RecipientState.SENT, sent_at=timezone.now()
        )
        ids = [n.pk for n in notes]
        transaction.on_commit(lambda: _deliver(ids))
    return len(rows)


def _deliver(ids: list[int]) -> None:
    from xinfeng.notifications.tasks import deliver_notifications

    deliver_notifications.enqueue(ids, CHANNELS)


def callout_send(callout_id: int) -> int:
    """Send every queued row of the call-out, batch by batch (each batch commits)."""
    total = 0
    while True:
        n = callout_send_batch(callout_id)
        if not n:
            return total
        total += n


# ── Answers and arrivals ───────────────────────────────────────────────────────────────
ANSWER_STATE = {
    Answer.COMING: RecipientState.COMING,
    Answer.DECLINED: RecipientState.DECLINED,
    Answer.LATER: RecipientState.LATER,
}


ANSWERABLE = (RecipientState.SENT, *ANSWER_STATE.values())


def callout_answer(*, recipient, answer: str) -> CalloutRecipient:
    """The person's answer from the link on the phone: 来, 不来 (no more messages for
    this call-out) or 稍后. A closed call-out or one the person has arrived at refuses."""
    recipient.state, recipient.answered_at = _answer(recipient.pk, answer)
    return recipient


def callout_answer_by_token(*, token: str, answer: str) -> str:
    """The answer posted from the phone's signed link, without reading the row first: in
    the usual case the whole answer is one UPDATE. Returns the new state."""
    return _answer(recipient_id_for_token(token), answer)[0]


@cache
def _answer_sql() -> str:
    """The answer's UPDATE, written once: the busiest statement of a call-out (hundreds a
    second), where building it through the ORM cost more than running it. Same as
    ``filter(pk=…, state__in=ANSWERABLE, callout__status=OPEN).update(state=…,
    answered_at=…)``."""
    q = connection.ops.quote_name
    table, callouts = q(CalloutRecipient._meta.db_table), q(Callout._meta.db_table)
    states = ", ".join(["%s"] * len(ANSWERABLE))
    # Only the model's quoted table names go into the text; every value is a parameter.
    return (
        f"UPDATE {table} SET state = %s, answered_at = %s "  # noqa: S608
        f"WHERE id = %s AND state IN ({states}) "
        f"AND callout_id IN (SELECT id FROM {callouts} WHERE status = %s)"
    )


def _answer(pk: int, answer: str):
    """Record ``answer`` for delivery row ``pk``; (state, answered_at). One conditional
    UPDATE, its own transaction: the answer lands only while the call-out is open and the
    person was sent it and has not arrived (no read-then-write race, no lock held). The same
    answer again is harmless; a changed mind overwrites it. Only a refused answer reads the
    row, to say why."""
    if answer not in ANSWER_STATE:
        raise ValidationFailed(_("答复只能是：来、不来或稍后答复。"), code="bad_answer")
    now = timezone.now()
    state = ANSWER_STATE[answer]
    with connection.cursor() as cursor:
        cursor.execute(
            _answer_sql(),
            [
                state.value,
                connection.ops.adapt_datetimefield_value(now),
                pk,
                *(s.value for s in ANSWERABLE),
                CalloutStatus.OPEN.value,
            ],
        )
        done = cursor.rowcount
    if done:
        return state, now
    row = CalloutRecipient.objects.select_related("callout").filter(pk=pk).first()
    if row is None:
        raise NotFound(BAD_TOKEN, code="bad_token")
    if row.callout.status != CalloutStatus.OPEN:
        raise Conflict(CALLOUT_CLOSED, code="callout_closed")
    if row.state == RecipientState.ARRIVED:
        raise Conflict(_("您已到达，无需再答复。"), code="already_arrived")
    raise Conflict(_("召集尚未发送给您。"), code="not_sent")


@transaction.atomic
def callout_mark_arrived(*, actor, recipient) -> CalloutRecipient:
    row = (
        CalloutRecipient.objects.select_for_update()
        .select_related("callout__incident")
        .get(pk=recipient.pk)
    )
    require_may_run(actor, row.callout.incident)
    if row.callout.status != CalloutStatus.OPEN:
        raise Conflict(CALLOUT_CLOSED, code="callout_closed")
    if row.state not in SENT_STATES:
        raise Conflict(_("召集尚未发送给此人。"), code="not_sent")
    row.state = RecipientState.ARRIVED
    row.arrived_at = row.arrived_at or timezone.now()
    row.save(update_fields=["state", "arrived_at"])
    return row


def mark_arrived_for_incident(*, incident, volunteer) -> int:
    """A check-in at a station of the incident counts as arrival in its open call-outs."""
    return CalloutRecipient.objects.filter(
        callout__incident=incident,
        callout__status=CalloutStatus.OPEN,
        volunteer=volunteer,
        state__in=[RecipientState.SENT, RecipientState.COMING, RecipientState.LATER],
    ).update(state=RecipientState.ARRIVED, arrived_at=timezone.now())


@transaction.atomic
def callout_close(*, actor, callout) -> Callout:
    callout = Callout.objects.select_for_update().select_related("incident").get(pk=callout.pk)
    require_may_run(actor, callout.incident)
    if callout.status != CalloutStatus.OPEN:
        raise Conflict(CALLOUT_CLOSED, code="callout_closed")
    callout.status, callout.closed_at = CalloutStatus.CLOSED, timezone.now()
    callout.save(update_fields=["status", "closed_at"])
    event_add(callout.incident, IncidentAction.CALLOUT_CLOSE, actor, callout.title)
    return callout


# ── Escalation (periodic) ──────────────────────────────────────────────────────────────
def escalate_due(now=None) -> dict:
    """For every open call-out: people sent (or 稍后) longer ago than its escalation time
    who have not said 来 or 不来 get one reminder, and as many reserve people as there are
    such non-responders are queued next, in roster order. 不来 people are never messaged
    again. Finds its work in the database, so a restarted worker carries on."""
    now = now or timezone.now()
    escalated = promoted = 0
    for callout in Callout.objects.filter(status=CalloutStatus.OPEN).select_related("incident"):
        cutoff = now - timedelta(minutes=callout.escalate_after_minutes)
        with transaction.atomic():
            stale = list(
                CalloutRecipient.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    callout=callout,
                    state__in=[RecipientState.SENT, RecipientState.LATER],
                    escalated=False,
                    sent_at__lte=cutoff,
                )
                .select_related("volunteer")
            )
            if not stale:
                continue
            _remind(callout, stale, now)
            reserve = list(
                CalloutRecipient.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(callout=callout, state=RecipientState.RESERVE)
                .order_by("rank")[: len(stale)]
            )
            CalloutRecipient.objects.filter(pk__in=[r.pk for r in reserve]).update(
                state=RecipientState.QUEUED
            )
            CalloutRecipient.objects.filter(pk__in=[r.pk for r in stale]).update(
                escalated=True, reminded_at=now
            )
            event_add(
                callout.incident,
                IncidentAction.ESCALATE,
                None,
                f"{callout.title}: {len(stale)} → +{len(reserve)}",
            )
            escalated += len(stale)
            promoted += len(reserve)
            if reserve:
                _enqueue_send(callout.pk)
    return {"escalated": escalated, "promoted": promoted}


def _remind(callout, rows, now) -> None:
    title, title_msg = to_message(texts.REMINDER(t=callout.title))
    body, body_msg = to_message(texts.CALLOUT_BODY(incident=callout.incident.title))
    notes = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=r.volunteer.user_id,
                title=title[:200],
                body=body,
                title_msg=title_msg,
                body_msg=body_msg,
                link=answer_link(r.pk),
                kind="emergency.callout",
            )
            for r in rows
        ]
    )
    ids = [n.pk for n in notes]
    transaction.on_commit(lambda: _deliver(ids))

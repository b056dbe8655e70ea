"""Call-outs: who is chosen (team, skill, area, standby, distance; never minors for risky
work; 返乡 volunteers), idempotent sending through notifications, answers from the signed
link, escalation of non-responders, 不来 stops messages, the board's counts."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from xinfeng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xinfeng.emergency import selectors
from xinfeng.emergency.choices import RecipientState
from xinfeng.emergency.models import CalloutRecipient
from xinfeng.emergency.services.callouts import (
    answer_token,
    callout_answer,
    callout_answer_by_token,
    callout_close,
    callout_create,
    callout_mark_arrived,
    callout_send,
    callout_send_batch,
    escalate_due,
    recipient_for_token,
)
from xinfeng.emergency.services.rosters import shift_create
from xinfeng.notifications.models import Notification


def _ids(callout, *states):
    qs = CalloutRecipient.objects.filter(callout=callout)
    if states:
        qs = qs.filter(state__in=states)
    return set(qs.values_list("volunteer_id", flat=True))


def test_team_callout_never_reaches_the_minor(ew, flood):
    c = callout_create(actor=ew.owner, incident=flood, title="抢险", teams=[ew.rescue])
    assert _ids(c) == {ew.a.pk, ew.b.pk, ew.leader.pk}
    assert c.criteria["left_out"]["not_callable"] == 1


def test_non_risky_callout_may_reach_an_adult_only_list_too(ew, flood):
    c = callout_create(actor=ew.owner, incident=flood, title="宣传", teams=[ew.rescue], risky=False)
    assert ew.minor.pk in _ids(c)


def test_area_callout_brings_returnees_home(ew, flood):
    c = callout_create(actor=ew.owner, incident=flood, title="返乡抗洪")
    chosen = _ids(c)
    assert ew.returnee.pk in chosen and ew.far.pk not in chosen and ew.minor.pk not in chosen
    assert CalloutRecipient.objects.get(callout=c, volunteer=ew.returnee).returnee
    c2 = callout_create(actor=ew.owner, incident=flood, title="本地", include_returnees=False)
    assert ew.returnee.pk not in _ids(c2)


def test_skill_and_standby_filters(ew, flood):
    c = callout_create(actor=ew.owner, incident=flood, title="驾船", skills=["boat"])
    assert _ids(c) == {ew.a.pk}
    shift_create(
        actor=ew.center_admin,
        team=ew.rescue,
        name="全天",
        weekdays=list(range(7)),
        start_time=time(0),
        end_time=time(0),
        members=[ew.b],
    )
    c = callout_create(
        actor=ew.owner, incident=flood, title="备勤", teams=[ew.rescue], standby_only=True
    )
    assert _ids(c) == {ew.b.pk}


def test_no_recipients_is_a_clear_400(ew, flood):
    with pytest.raises(ValidationFailed) as exc:
        callout_create(actor=ew.owner, incident=flood, title="潜水", skills=["diving"])
    assert exc.value.code == "no_recipients"


def test_out_of_scope_staff_cannot_call_out(ew, flood):
    with pytest.raises(PermissionDenied):
        callout_create(actor=ew.outsider, incident=flood, title="x", teams=[ew.rescue])


def test_sending_is_idempotent_and_goes_through_notifications(ew, flood):
    c = callout_create(actor=ew.owner, incident=flood, title="抢险", teams=[ew.rescue])
    assert callout_send(c.pk) == 3
    assert callout_send(c.pk) == 0  # a re-run sends nothing twice
    notes = Notification.objects.filter(kind="emergency.callout")
    assert notes.count() == 3
    assert {n.recipient_id for n in notes} == {ew.a.user_id, ew.b.user_id, ew.leader.user_id}
    row = CalloutRecipient.objects.get(callout=c, volunteer=ew.a)
    assert row.state == RecipientState.SENT and row.sent_at
    assert answer_token(row.pk) in Notification.objects.get(recipient=ew.a.user).link


def test_a_crash_mid_batch_loses_nothing(ew, flood, monkeypatch):
    """The inbox rows and the 'sent' marks commit together: if the batch dies after the
    inbox write, both roll back and the next run sends each message exactly once."""
    c = callout_create(actor=ew.owner, incident=flood, title="抢险", teams=[ew.rescue])
    from django.db.models.query import QuerySet

    real = QuerySet.update

    def die(self, *a, **kw):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(QuerySet, "update", die)
    with pytest.raises(RuntimeError):
        callout_send_batch(c.pk)
    monkeypatch.setattr(QuerySet, "update", real)
    assert Notification.objects.filter(kind="emergency.callout").count() == 0
    assert callout_send(c.pk) == 3
    assert Notification.objects.filter(kind="emergency.callout").count() == 3


def test_answers_from_the_link(ew, flood):
    c = callout_create(actor=ew.owner, incident=flood, title="抢险", teams=[ew.rescue])
    callout_send(c.pk)
    row = recipient_for_token(
        answer_token(CalloutRecipient.objects.get(callout=c, volunteer=ew.a).pk)
    )
    assert callout_answer(recipient=row, answer="coming").state == RecipientState.COMING
    with pytest.raises(ValidationFailed):
        callout_answer(recipient=row, answer="maybe")
    with pytest.raises(NotFound):
        recipient_for_token(answer_token(row.pk) + "x")
    callout_mark_arrived(actor=ew.owner, recipient=row)
    with pytest.raises(Conflict):
        callout_answer(recipient=row, answer="declined")
    board = selectors.callout_board(c)
    assert board["total"]["arrived"] == 1 and board["total"]["sent"] == 3
    assert board["total"]["no_answer"] == 2
    assert board["teams"][0]["team"] == "蓝天救援队"
    callout_close(actor=ew.owner, callout=c)
    other = CalloutRecipient.objects.get(callout=c, volunteer=ew.b)
    with pytest.raises(Conflict) as exc:
        callout_answer(recipient=other, answer="coming")
    assert exc.value.code == "callout_closed"


def test_escalation_reminds_non_responders_calls_the_next_and_spares_the_declined(ew, flood):
    c = callout_create(
        actor=ew.owner,
        incident=flood,
        title="抢险",
        teams=[ew.rescue],
        wave=2,
        escalate_after_minutes=10,
    )
    first = list(CalloutRecipient.objects.filter(callout=c).order_by("rank"))
    assert [r.state for r in first] == ["queued", "queued", "reserve"]
    callout_send(c.pk)
    callout_answer(recipient=first[0], answer="declined")
    # Nothing is due yet.
    assert escalate_due() == {"escalated": 0, "promoted": 0}
    # Time passes: the escalation window lies behind the sending (rows moved in the DB).
    CalloutRecipient.objects.filter(callout=c).update(
        sent_at=timezone.now() - timedelta(minutes=11)
    )
    assert escalate_due() == {"escalated": 1, "promoted": 1}
    callout_send(c.pk)
    by_person = {r.volunteer_id: r for r in CalloutRecipient.objects.filter(callout=c)}
    assert by_person[first[2].volunteer_id].state == RecipientState.SENT
    msgs = Notification.objects.filter(kind="emergency.callout")
    declined_user = first[0].volunteer.user_id
    assert msgs.filter(recipient_id=declined_user).count() == 1  # never reminded
    assert msgs.filter(recipient_id=first[1].volunteer.user_id).count() == 2  # reminded once
    # A second pass reminds nobody again.
    CalloutRecipient.objects.filter(callout=c).update(
        sent_at=timezone.now() - timedelta(minutes=30)
    )
    assert escalate_due()["escalated"] == 1  # only the newly called person


def test_answer_by_token_is_one_update_idempotent_and_refuses_with_reasons(
    ew, flood, django_assert_num_queries
):
    c = callout_create(actor=ew.owner, incident=flood, title="抢险", teams=[ew.rescue], wave=2)
    rows = list(CalloutRecipient.objects.filter(callout=c).order_by("rank"))
    reserve = rows[2]
    callout_send(c.pk)
    token = answer_token(rows[0].pk)
    with django_assert_num_queries(1):  # no read first, no lock: one conditional UPDATE
        assert callout_answer_by_token(token=token, answer="coming") == RecipientState.COMING
    # The same answer again is harmless; a changed mind overwrites it.
    assert callout_answer_by_token(token=token, answer="coming") == RecipientState.COMING
    assert callout_answer_by_token(token=token, answer="declined") == RecipientState.DECLINED
    assert CalloutRecipient.objects.get(pk=rows[0].pk).state == RecipientState.DECLINED
    assert CalloutRecipient.objects.filter(callout=c, volunteer=rows[0].volunteer).count() == 1

    with pytest.raises(ValidationFailed):
        callout_answer_by_token(token=token, answer="maybe")
    with pytest.raises(NotFound):
        callout_answer_by_token(token=token + "x", answer="coming")
    with pytest.raises(Conflict) as exc:  # in reserve: never sent to this person
        callout_answer_by_token(token=answer_token(reserve.pk), answer="coming")
    assert exc.value.code == "not_sent"
    callout_mark_arrived(actor=ew.owner, recipient=rows[1])
    with pytest.raises(Conflict) as exc:
        callout_answer_by_token(token=answer_token(rows[1].pk), answer="later")
    assert exc.value.code == "already_arrived"
    assert CalloutRecipient.objects.get(pk=rows[1].pk).state == RecipientState.ARRIVED
    callout_close(actor=ew.owner, callout=c)
    with pytest.raises(Conflict) as exc:
        callout_answer_by_token(token=token, answer="coming")
    assert exc.value.code == "callout_closed"
    CalloutRecipient.objects.filter(pk=rows[0].pk).delete()
    with pytest.raises(NotFound):  # a genuine link to a row that is gone
        callout_answer_by_token(token=token, answer="coming")

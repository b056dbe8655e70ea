"""The relay: claims due outbox rows, sends them to their target, settles the outcome.

- Claim: on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED`` then mark the rows ``sending``
  with a lease (``claimed_by``/``claimed_until``) in one transaction; on SQLite (no row
  locks) a conditional ``UPDATE ... WHERE status is still claimable`` does the same job
  (SQLite serialises writers, so two relays never both win a row). A row whose lease ran out
  (its relay crashed) is claimable again; its idempotency key makes the resend harmless.
- Order: a row is claimable only when no earlier row of the same entity for the same target
  is unsent (waiting, sending, or dead), so a later event never overtakes an earlier one and
  at most one row per entity is in flight.
- Outcome: 2xx (or 409 "already have it") → sent; 429/5xx/timeouts/refused connections →
  retried with exponential backoff and jitter (``Retry-After`` honoured), dead after
  ``max_attempts`` with the last error; any other 4xx → dead at once (resending the same
  body cannot help). A failure of the target stops the batch (the rest is released, not
  counted as an attempt), and after ``breaker_threshold`` failing rounds the target is left
  alone for a growing pause (circuit breaker), then probed with one row.
- Stop: ``stop`` (a ``threading.Event``, set on SIGTERM) is checked between rows; claimed
  rows not yet sent are released at once.
"""

from __future__ import annotations

import hashlib
import os
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from .. import conf
from ..choices import OutboxStatus
from ..models import OutboxRow, TargetState
from .transport import Outcome, Sender, TargetDown, classify


@dataclass
class Stats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    released: int = 0
    requests: int = 0
    per_target: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "claimed": self.claimed,
            "sent": self.sent,
            "retried": self.retried,
            "dead": self.dead,
            "released": self.released,
            "requests": self.requests,
        }


def backoff_seconds(attempts: int, *, rng=random) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random."""
    delay = min(conf.backoff_cap(), conf.backoff_base() * (2 ** max(0, attempts - 1)))
    return delay / 2 + rng.uniform(0, delay / 2)


def _claimable(target: str):
    earlier_unsent = (
        OutboxRow.objects.filter(
            target=OuterRef("target"),
            entity_type=OuterRef("entity_type"),
            entity_id=OuterRef("entity_id"),
            id__lt=OuterRef("id"),
        )
        .exclude(status=OutboxStatus.SENT)
        .values("id")[:1]
    )
    return OutboxRow.objects.filter(target=target).filter(~Exists(earlier_unsent))


def _due_q(now) -> Q:
    return Q(status=OutboxStatus.WAITING, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, claimed_until__lt=now
    )


def claim(target: str, worker: str, limit: int) -> tuple[str, list[OutboxRow]]:
    """Claim up to ``limit`` due rows of ``target`` for ``worker``; returns the claim token
    and the rows (marked ``sending`` with a lease, attempts counted)."""
    now = timezone.now()
    token = f"{worker}:{uuid.uuid4().hex[:10]}"[:80]
    lease_until = now + timedelta(seconds=conf.lease_seconds())
    base = _claimable(target)
    mark = {
        "status": OutboxStatus.SENDING,
        "claimed_by": token,
        "claimed_until": lease_until,
        "attempts": F("attempts") + 1,
    }
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            # Lease-expired rows first (rare), then waiting rows in id order; each query
            # uses the (target, status, id) index.
            ids = list(
                base.select_for_update(skip_locked=True)
                .filter(status=OutboxStatus.SENDING, claimed_until__lt=now)
                .order_by("id")
                .values_list("id", flat=True)[:limit]
            )
            if len(ids) < limit:
                ids += list(
                    base.select_for_update(skip_locked=True)
                    .filter(status=OutboxStatus.WAITING, next_attempt_at__lte=now)
                    .order_by("id")
                    .values_list("id", flat=True)[: limit - len(ids)]
                )
            if ids:
                OutboxRow.objects.filter(id__in=ids).update(**mark)
    else:
        ids = list(
            base.filter(status=OutboxStatus.SENDING, claimed_until__lt=now)
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        if len(ids) < limit:
            ids += list(
                base.filter(status=OutboxStatus.WAITING, next_attempt_at__lte=now)
                .order_by("id")
                .values_list("id", flat=True)[: limit - len(ids)]
            )
        if ids:
            with transaction.atomic():
                # Only rows still claimable now: a rival relay that got there first wins.
                OutboxRow.objects.filter(id__in=ids).filter(_due_q(now)).update(**mark)
    if not ids:
        return token, []
    rows = list(
        OutboxRow.objects.filter(claimed_by=token, status=OutboxStatus.SENDING).order_by("id")
    )
    return token, rows


class Relay:
    def __init__(
        self,
        *,
        worker_id: str | None = None,
        stop: threading.Event | None = None,
        batch: int | None = None,
    ):
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.stop = stop or threading.Event()
        self.batch = batch
        self.senders: dict[str, Sender] = {}
        self.stats = Stats()

    # -- the target's switchboard -------------------------------------------------------
    def _state(self, name: str) -> TargetState:
        state, _ = TargetState.objects.get_or_create(target=name)
        return state

    def _limit_for(self, t: conf.Target, state: TargetState) -> int:
        """0 = leave the target alone now; 1 = probe a target the breaker opened."""
        now = timezone.now()
        if state.paused:
            return 0
        if state.open_until and state.open_until > now:
            return 0
        if state.consecutive_failures >= conf.breaker_threshold():
            return 1
        return self.batch or max(50, t.batch * 4)

    def _record_round(self, name: str, *, ok: bool, error: str = "") -> None:
        now = timezone.now()
        if ok:
            TargetState.objects.filter(target=name).exclude(
                consecutive_failures=0, open_until=None
            ).update(consecutive_failures=0, open_until=None)
            TargetState.objects.filter(target=name).update(last_success_at=now)
            return
        with transaction.atomic():
            state = TargetState.objects.select_for_update().get(target=name)
            state.consecutive_failures += 1
            state.last_failure_at = now
            state.last_error = error[:1000]
            over = state.consecutive_failures - conf.breaker_threshold()
            if over >= 0:
                pause = min(conf.breaker_cap(), conf.breaker_base() * (2**over))
                state.open_until = now + timedelta(seconds=pause / 2 + random.uniform(0, pause / 2))
            state.save()

    # -- one round for one target -------------------------------------------------------
    def run_target(self, t: conf.Target) -> int:
        state = self._state(t.name)
        limit = self._limit_for(t, state)
        if not limit or self.stop.is_set():
            return 0
        token, rows = claim(t.name, self.worker_id, limit)
        if not rows:
            return 0
        self.stats.claimed += len(rows)
        sender = self.senders.setdefault(t.name, Sender(t))
        adapter = t.adapter
        outcomes: dict[int, Outcome] = {}
        down_error = ""
        try:
            if t.batch > 1 and getattr(adapter, "BATCH_PATH", None):
                down_error = self._send_batches(t, sender, adapter, rows, outcomes)
            else:
                down_error = self._send_each(sender, adapter, rows, outcomes)
        finally:
            self._settle(token, rows, outcomes, adapter)
        if down_error:
            self._record_round(t.name, ok=False, error=down_error)
        elif outcomes:
            self._record_round(t.name, ok=True)
        # Progress = rows settled as sent or dead; a failing target makes none, so the loop
        # waits instead of pressing it again at once.
        return sum(1 for o in outcomes.values() if o.kind != "retry")

    def _send_each(self, sender, adapter, rows, outcomes) -> str:
        for row in rows:
            if self.stop.is_set():
                return ""
            req = adapter.request(row)
            try:
                status, answer, headers = sender.send(
                    req.method, req.path, req.body, row.idempotency_key
                )
            except TargetDown as exc:
                outcomes[row.id] = Outcome("retry", error=str(exc))
                return str(exc)
            finally:
                self.stats.requests += 1
            outcome = classify(status, answer, headers, adapter)
            outcomes[row.id] = outcome
            if outcome.kind == "retry":
                return outcome.error  # the target is struggling: do not press on
        return ""

    def _send_batches(self, t, sender, adapter, rows, outcomes) -> str:
        for start in range(0, len(rows), t.batch):
            if self.stop.is_set():
                return ""
            chunk = rows[start : start + t.batch]
            items = []
            for row in chunk:
                req = adapter.request(row)
                items.append(
                    {
                        "idempotency_key": row.idempotency_key,
                        "method": req.method,
                        "path": req.path,
                        "body": req.body,
                    }
                )
            key = (
                "batch-"
                + hashlib.sha256("|".join(r.idempotency_key for r in chunk).encode()).hexdigest()[
                    :40
                ]
            )
            try:
                status, answer, headers = sender.send(
                    "POST", adapter.BATCH_PATH, {"items": items}, key
                )
            except TargetDown as exc:
                for row in chunk:
                    outcomes[row.id] = Outcome("retry", error=str(exc))
                return str(exc)
            finally:
                self.stats.requests += 1
            if not 200 <= status < 300:
                outcome = classify(status, answer, headers, adapter)
                for row in chunk:
                    outcomes[row.id] = outcome
                if outcome.kind == "retry":
                    return outcome.error
                continue
            results = {
                r.get("idempotency_key"): r
                for r in answer.get("results", [])
                if isinstance(r, dict)
            }
            for row in chunk:
                r = results.get(row.idempotency_key)
                if r is None:
                    outcomes[row.id] = Outcome(
                        "retry", error="no result for this row in the batch answer"
                    )
                else:
                    outcomes[row.id] = classify(int(r.get("status", 500)), r, {}, adapter)
        return ""

    def _settle(self, token: str, rows, outcomes: dict[int, Outcome], adapter) -> None:
        now = timezone.now()
        max_attempts = conf.max_attempts()
        with transaction.atomic():
            owned = OutboxRow.objects.filter(claimed_by=token, status=OutboxStatus.SENDING)
            if connection.features.has_select_for_update:
                owned = owned.select_for_update()
            owned_ids = set(owned.values_list("id", flat=True))
            sent_plain, sent_acked, to_update, released = [], [], [], []
            for row in rows:
                if row.id not in owned_ids:
                    continue  # our lease ran out and another relay took the row over
                outcome = outcomes.get(row.id)
                if outcome is None:
                    released.append(row.id)
                elif outcome.kind == "sent":
                    (sent_acked if outcome.ack else sent_plain).append((row, outcome))
                else:
                    row.claimed_by, row.claimed_until, row.last_error = (
                        "",
                        None,
                        outcome.error[:2000],
                    )
                    if outcome.kind == "dead" or row.attempts >= max_attempts:
                        row.status = OutboxStatus.DEAD
                        self.stats.dead += 1
                    else:
                        row.status = OutboxStatus.WAITING
                        delay = backoff_seconds(row.attempts)
                        if outcome.retry_after is not None:
                            delay = max(delay, outcome.retry_after)
                        row.next_attempt_at = now + timedelta(seconds=delay)
                        self.stats.retried += 1
                    to_update.append(row)
            done = {
                "status": OutboxStatus.SENT,
                "sent_at": now,
                "claimed_by": "",
                "claimed_until": None,
                "last_error": "",
                "adapter_version": adapter.VERSION,
            }
            if sent_plain:
                OutboxRow.objects.filter(id__in=[r.id for r, _ in sent_plain]).update(**done)
            if sent_acked:
                # One prepared statement run per row (executemany): bulk_update's CASE
                # expressions cost ~10 ms a row in Python at batch sizes of thousands.
                table = connection.ops.quote_name(OutboxRow._meta.db_table)
                sent_at = connection.ops.adapt_datetimefield_value(now)
                with connection.cursor() as cur:
                    cur.executemany(
                        f"UPDATE {table} SET status = %s, sent_at = %s, claimed_by = '', "  # noqa: S608 - the table name is ours
                        "claimed_until = NULL, last_error = '', adapter_version = %s, "
                        "ack_ref = %s WHERE id = %s",
                        [
                            (OutboxStatus.SENT.value, sent_at, adapter.VERSION, o.ack[:100], r.id)
                            for r, o in sent_acked
                        ],
                    )
            if to_update:
                OutboxRow.objects.bulk_update(
                    to_update,
                    ["status", "claimed_by", "claimed_until", "last_error", "next_attempt_at"],
                    batch_size=200,
                )
            if released:
                OutboxRow.objects.filter(id__in=released).update(
                    status=OutboxStatus.WAITING,
                    claimed_by="",
                    claimed_until=None,
                    attempts=F("attempts") - 1,
                )
            self.stats.sent += len(sent_plain) + len(sent_acked)
            self.stats.released += len(released)

    # -- the loop ----------------------------------------------------------------------
    def run(
        self, *, budget_seconds: float | None = None, forever: bool = False, idle_max: float = 5.0
    ) -> Stats:
        """Rounds over the enabled targets until the outbox has nothing due (or, with
        ``forever``, until stopped: an empty outbox is polled less and less often, from
        0.2 s up to ``idle_max``)."""
        deadline = time.monotonic() + budget_seconds if budget_seconds else None
        idle = 0.2
        try:
            while not self.stop.is_set():
                claimed = 0  # rows that made progress this round
                for t in conf.enabled_targets():
                    claimed += self.run_target(t)
                    if self.stop.is_set():
                        break
                if deadline and time.monotonic() >= deadline:
                    break
                if claimed:
                    idle = 0.2
                    continue
                if not forever:
                    break
                self.stop.wait(idle)
                idle = min(idle_max, idle * 2)
        finally:
            for sender in self.senders.values():
                sender.close()
        return self.stats

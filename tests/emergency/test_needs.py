"""Tasks with places: commitments by volunteers and teams, never over-filled — also under
real concurrency on PostgreSQL (threads over HTTP against a live server)."""

import threading
from collections import Counter

import pytest
import requests

from xinfeng.accounts.models import ApiToken
from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed
from xinfeng.emergency.models import Need
from xinfeng.emergency.services.needs import need_close, need_commit, need_create

from ..factories import UserFactory, VolunteerFactory


def test_volunteers_and_teams_commit_until_full(ew, flood):
    need = need_create(actor=ew.owner, incident=flood, title="装沙袋", region=ew.tree.v1, places=3)
    need_commit(actor=ew.a.user, need=need, volunteer=ew.a)
    with pytest.raises(Conflict) as exc:
        need_commit(actor=ew.a.user, need=need, volunteer=ew.a)
    assert exc.value.code == "already_committed"
    with pytest.raises(Conflict) as exc:
        need_commit(actor=ew.leader.user, need=need, team=ew.rescue, count=3)
    assert exc.value.code == "need_full"
    need_commit(actor=ew.leader.user, need=need, team=ew.rescue, count=2)
    need.refresh_from_db()
    assert need.taken == 3 and need.free == 0
    with pytest.raises(Conflict):
        need_commit(actor=ew.b.user, need=need, volunteer=ew.b)


def test_rules_of_committing(ew, flood):
    need = need_create(
        actor=ew.owner, incident=flood, title="巡堤", region=ew.tree.v1, places=5, risky=True
    )
    with pytest.raises(PermissionDenied):  # a minor is never put on risky work
        need_commit(actor=ew.minor.user, need=need, volunteer=ew.minor)
    with pytest.raises(PermissionDenied):  # nobody commits someone else
        need_commit(actor=ew.a.user, need=need, volunteer=ew.b)
    with pytest.raises(PermissionDenied):  # a plain member cannot commit the team
        need_commit(actor=ew.a.user, need=need, team=ew.rescue, count=2)
    with pytest.raises(ValidationFailed):
        need_create(actor=ew.owner, incident=flood, title="x", region=ew.tree.v2, places=1)
    need_close(actor=ew.owner, need=need)
    with pytest.raises(Conflict):
        need_commit(actor=ew.a.user, need=need, volunteer=ew.a)


N = 12
PLACES = 3


def test_concurrent_commits_for_the_last_places_never_overfill(
    postgres_only, live_server, ew, flood
):
    need = need_create(
        actor=ew.owner, incident=flood, title="夜间巡堤", region=ew.tree.v1, places=PLACES
    )
    tokens = []
    for i in range(N):
        v = VolunteerFactory(home_region=ew.tree.v1, user=UserFactory(username=f"race{i}"))
        tokens.append(ApiToken.issue(user=v.user, name="t")[1])
    url = f"{live_server.url}/api/v1/emergency/needs/{need.pk}/commit"
    barrier = threading.Barrier(N)
    results: list = [None] * N

    def run(i):
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {tokens[i]}"
        barrier.wait()
        try:
            results[i] = s.post(url, json={}, timeout=60).status_code
        except Exception as exc:  # pragma: no cover - shown by the assertion
            results[i] = repr(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert Counter(results) == {201: PLACES, 409: N - PLACES}, results
    need = Need.objects.get(pk=need.pk)
    assert need.taken == PLACES == need.commitments.count()

"""Real concurrency on PostgreSQL: 20 requests verify the same sign-in code at the same
moment over HTTP against a live server (one thread and one database connection each).
Exactly one signs in; the others are told the code was used.

This test can fail: without the row lock in ``codes._verify_locked`` several requests read
the code unused and all sign in.
"""

import re
import threading

import pytest
import requests

from xinfeng.accounts.models import ApiToken, DevSms, PhoneCode
from xinfeng.core.models import AuditEvent

from ..factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
N = 20
PHONE = "13955554444"


def test_twenty_concurrent_verifications_of_one_code_exactly_one_succeeds(
    postgres_only, live_server
):
    user = UserFactory(username="race", phone=PHONE)
    api = live_server.url + "/api/v1/accounts"
    sent = requests.post(api + "/codes", json={"phone": PHONE, "purpose": "login"}, timeout=30)
    assert sent.status_code == 202
    code = re.search(r"\d{6}", DevSms.objects.get(phone=PHONE).text).group(0)

    barrier = threading.Barrier(N)
    results: list = [None] * N

    def run(i):
        session = requests.Session()
        barrier.wait()
        try:
            results[i] = session.post(
                api + "/login/code", json={"phone": PHONE, "code": code}, timeout=60
            )
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [400] * (N - 1), statuses
    assert {r.json()["code"] for r in results if r.status_code == 400} == {"code_used"}
    assert ApiToken.objects.filter(user=user).count() == 1
    assert PhoneCode.objects.get().used_at is not None
    assert AuditEvent.objects.filter(action="login_by_code").count() == 1

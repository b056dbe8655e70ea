"""Real concurrency on PostgreSQL: 20 threads, each with its own database connection,
verify the same sign-in code at the same moment. Exactly one signs in; the others are
told the code was used.

This test can fail: without the row lock in ``codes._verify_locked`` several threads read
the code unused and all sign in (checked by removing the lock: 8 of 20 signed in).
"""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from xinfeng.accounts import registration
from xinfeng.accounts.models import DevSms, PhoneCode, SmsQuota
from xinfeng.core.errors import DomainError
from xinfeng.core.models import AuditEvent

from ..factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
N = 20
PHONE = "13955554444"


def test_twenty_concurrent_verifications_of_one_code_exactly_one_succeeds(postgres_only):
    user = UserFactory(username="race", phone=PHONE)
    registration.code_request(phone=PHONE, purpose="login")
    code = re.search(r"\d{6}", DevSms.objects.get(phone=PHONE).text).group(0)

    barrier = threading.Barrier(N)
    results: list = [None] * N

    def run(i):
        try:
            barrier.wait()
            results[i] = registration.user_login_by_code(phone=PHONE, code=code)
        except DomainError as exc:
            results[i] = exc.code
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results[i] = repr(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    winners = [r for r in results if r == user]
    assert len(winners) == 1, results
    assert sorted(r for r in results if r != user) == ["code_used"] * (N - 1), results
    assert PhoneCode.objects.get().used_at is not None
    assert AuditEvent.objects.filter(action="login_by_code").count() == 1


def test_ten_concurrent_sends_to_one_number_send_one_code(postgres_only):
    """The 60 s limit holds across connections (without the quota row lock: 5 of 10 sent)."""
    # The number asked for a code before (its quota row exists), more than 60 s ago.
    registration.code_request(phone=PHONE, purpose="signup")
    past = timezone.now() - timedelta(seconds=61)
    PhoneCode.objects.update(created_at=past)
    SmsQuota.objects.update(last_sent_at=past)
    barrier = threading.Barrier(10)
    results: list = [None] * 10

    def run(i):
        try:
            barrier.wait()
            registration.code_request(phone=PHONE, purpose="signup")
            results[i] = "sent"
        except DomainError as exc:
            results[i] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == ["sent"] + ["throttled"] * 9, results
    assert PhoneCode.objects.count() == 2 and DevSms.objects.count() == 2

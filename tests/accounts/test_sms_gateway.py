"""The HTTP SMS gateway adapter against a local stand-in for the provider (never a real
gateway): codes go out from the worker, in the provider's template shape; the queued job
holds no code or number in clear; a number that gets no message queues the same job."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from tests.factories import UserFactory
from xinfeng.accounts.models import DevSms

GATEWAY = "xinfeng.notifications.channels.HttpSmsGateway"


class Provider(BaseHTTPRequestHandler):
    received: list = []
    answer = {"Code": "OK"}

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Provider.received.append((dict(self.headers), json.loads(body)))
        out = json.dumps(Provider.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Provider.received = []
    Provider.answer = {"Code": "OK"}
    monkeypatch.setenv("XINFENG_SMS_GATEWAY_URL", f"http://127.0.0.1:{server.server_port}/sms")
    monkeypatch.setenv("XINFENG_SMS_SIGN_NAME", "新风")
    monkeypatch.setenv("XINFENG_SMS_TEMPLATE_CODE", "SMS_100001")
    monkeypatch.setenv("XINFENG_SMS_TEMPLATE_REGISTERED", "SMS_100002")
    monkeypatch.setenv("XINFENG_SMS_ACCESS_KEY", "test-key")
    with override_settings(XINFENG_SMS_BACKEND=GATEWAY):
        yield Provider
    server.shutdown()


def send(phone, purpose):
    return Client().post(
        "/api/v1/accounts/codes",
        {"phone": phone, "purpose": purpose},
        content_type="application/json",
    )


@pytest.mark.django_db(transaction=True)
def test_code_goes_out_from_the_worker_in_the_template_shape(provider):
    assert send("13912345678", "signup").status_code == 202
    assert provider.received == []  # not during the request
    job = DBTaskResult.objects.get()
    assert "13912345678" not in json.dumps(job.args_kwargs)
    call_command("worker", "--once")
    (headers, body), *_ = provider.received
    assert headers["Authorization"] == "Bearer test-key"
    assert body["PhoneNumbers"] == "13912345678"
    assert body["SignName"] == "新风" and body["TemplateCode"] == "SMS_100001"
    code = json.loads(body["TemplateParam"])["code"]
    assert len(code) == 6 and code.isdigit()
    assert code not in json.dumps(job.args_kwargs)
    assert not DevSms.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_unknown_number_queues_the_same_job_and_nothing_is_sent(provider):
    UserFactory(username="known", phone="13911112222")
    send("13911112222", "login")
    send("13933334444", "login")
    assert DBTaskResult.objects.count() == 2
    call_command("worker", "--once")
    assert [b["PhoneNumbers"] for _h, b in provider.received] == ["13911112222"]


@pytest.mark.django_db(transaction=True)
def test_a_refusal_by_the_provider_is_logged_not_raised(provider, caplog):
    provider.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL"}
    assert send("13912345678", "signup").status_code == 202
    call_command("worker", "--once")
    assert "SMS to 139*** failed" in caplog.text

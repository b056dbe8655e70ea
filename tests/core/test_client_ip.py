"""The client's address for throttling and audit, directly or behind trusted proxies."""

from django.test import RequestFactory, override_settings

from xinfeng.core.audit import client_ip

rf = RequestFactory()


def test_socket_address_without_proxies():
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.9"  # X-Forwarded-For is ignored: anyone can send it


@override_settings(XINFENG_TRUSTED_PROXIES=1)
def test_behind_one_proxy_the_last_forwarded_entry_is_the_client():
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 202.96.1.7")
    assert client_ip(request) == "202.96.1.7"  # 6.6.6.6 was forged by the client


@override_settings(XINFENG_TRUSTED_PROXIES=2)
def test_behind_two_proxies():
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="202.96.1.7, 10.0.0.2")
    assert client_ip(request) == "202.96.1.7"


@override_settings(XINFENG_TRUSTED_PROXIES=1)
def test_garbage_in_the_header_falls_back_to_the_socket():
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(request) == "10.0.0.1"

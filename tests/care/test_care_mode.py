"""长辈模式: the switch (person and device), the html class, 呼叫驿站, and the three-step
care order flow through orders.services.order_create."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from xinfeng.accounts.care import COOKIE
from xinfeng.orders.models import Order

from ..factories import ProjectFactory

pytestmark = pytest.mark.django_db


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


@pytest.fixture
def elder(tree, resident):
    resident.home_region = tree.v1
    resident.save(update_fields=["home_region"])
    tree.st1.phone = "0792-4561234"
    tree.st1.save(update_fields=["phone"])
    return resident


def test_switch_remembers_person_and_device(client, elder):
    client.force_login(elder)
    assert 'class="care"' not in html_tag(client.get("/"))
    r = client.post(reverse("accounts:care"), {"on": "1", "next": "/places/"})
    assert r.status_code == 302 and r["Location"] == "/places/"
    assert r.cookies[COOKIE].value == "1"
    elder.refresh_from_db()
    assert elder.care_mode is True
    assert 'class="care"' in html_tag(client.get("/"))
    # A new device (no cookie) gets the person's choice.
    other = Client()
    other.force_login(elder)
    assert 'class="care"' in html_tag(other.get("/"))
    # The device's own choice wins where it is set.
    other.cookies[COOKIE] = "0"
    assert 'class="care"' not in html_tag(other.get("/"))


def test_anonymous_device_and_no_open_redirect(client, tree):
    r = client.post(reverse("accounts:care"), {"on": "1", "next": "https://evil.example/"})
    assert r["Location"] == "/"
    assert 'class="care"' in html_tag(client.get("/"))
    r = client.post(reverse("accounts:care"), {"on": "0", "next": "/"})
    assert 'class="care"' not in html_tag(client.get("/"))
    assert client.get(reverse("accounts:care")).status_code == 405


def test_call_station_is_the_home_villages_site(client, elder, tree):
    client.force_login(elder)
    client.cookies[COOKIE] = "1"
    body = client.get("/").content.decode()
    assert 'href="tel:0792-4561234"' in body
    assert "读给我听" in body and "data-read-aloud" in body
    client.cookies[COOKIE] = "0"
    assert "tel:" not in client.get("/").content.decode()


def test_care_order_in_three_steps(client, elder, tree):
    project = ProjectFactory(name="上门理发", site=tree.st1, region=tree.v1)
    client.force_login(elder)
    client.cookies[COOKIE] = "1"
    # 点单 in care mode lands on the tiles.
    r = client.get(reverse("orders:new"))
    assert r.status_code == 302 and r["Location"] == reverse("orders:care")
    r = client.get(reverse("orders:care"))
    assert "上门理发" in r.content.decode()
    # Step 2: the village is preselected, the phone prefilled, no free text asked.
    r = client.get(reverse("orders:care"), {"project": project.pk})
    body = r.content.decode()
    assert r.status_code == 200
    assert 'value="13800000001"' in body and "<textarea" not in body
    key = r.context["form"].initial["idempotency_key"]
    # Step 3: submit.
    r = client.post(
        reverse("orders:care"),
        {
            "project": project.pk,
            "region": tree.v1.pk,
            "contact_phone": "13800000001",
            "idempotency_key": key,
        },
    )
    order = Order.objects.get(requester=elder)
    assert r.status_code == 302 and r["Location"] == reverse("orders:detail", args=[order.pk])
    assert order.project == project and order.title == "上门理发"
    assert order.site == tree.st1 and order.contact_phone == "13800000001"


def test_care_order_refusals_are_form_errors(client, elder, tree):
    project = ProjectFactory(name="上门理发", site=tree.st1, region=tree.v1)
    client.force_login(elder)
    assert client.get(reverse("orders:care"), {"project": "999999"}).status_code == 404
    r = client.post(reverse("orders:care"), {"project": project.pk, "region": "abc"})
    assert r.status_code == 400 and r.context["form"].errors["region"]
    # Out of the project's area: the service's rule, shown on the form.
    r = client.post(reverse("orders:care"), {"project": project.pk, "region": tree.v2.pk})
    assert r.status_code == 400 and r.context["form"].non_field_errors()
    assert not Order.objects.exists()


def test_full_form_stays_reachable_in_care_mode(client, elder):
    client.force_login(elder)
    client.cookies[COOKIE] = "1"
    assert client.get(reverse("orders:new"), {"full": "1"}).status_code == 200

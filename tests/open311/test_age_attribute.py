"""A service for one age group (老年人, 少年儿童…) declares a required ``age`` attribute in
its definition; a request without it, or for someone outside the group, gets the spec's
400 error; a fitting one becomes an order carrying the age."""

import pytest
from django.test import Client

from xinfeng.orders.models import Order
from xinfeng.projects.choices import AgeGroup

from .test_georeport import BASE, city, errors, post, xml  # noqa: F401 - city is a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def elderly(city):  # noqa: F811
    city.project.age_group = AgeGroup.ELDERLY
    city.project.save()
    return city


def test_the_definition_declares_the_required_age(elderly):
    c = Client()
    code = str(elderly.project.pk)
    attrs = {a["code"]: a for a in c.get(BASE + f"services/{code}.json").json()["attributes"]}
    assert attrs["age"]["required"] is True and attrs["age"]["datatype"] == "number"
    assert "老年人" in attrs["age"]["description"] and attrs["age"]["order"] == 4
    root = xml(c.get(BASE + f"services/{code}.xml"))
    age = next(a for a in root.find("attributes") if a.findtext("code") == "age")
    assert age.findtext("required") == "true"


def test_a_service_for_everybody_has_no_age_attribute(city):  # noqa: F811
    c = Client()
    attrs = c.get(BASE + f"services/{city.project.pk}.json").json()["attributes"]
    assert "age" not in {a["code"] for a in attrs}


def test_requests_are_checked_against_the_age_group(elderly):
    c = Client()
    assert "年龄" in errors(post(c, elderly), 400)
    assert "不在服务对象范围内" in errors(post(c, elderly, **{"attribute[age]": "40"}), 400)
    errors(post(c, elderly, **{"attribute[age]": "old"}), 400)
    errors(post(c, elderly, **{"attribute[age]": "200"}), 400)
    assert not Order.objects.exists()
    resp = post(c, elderly, **{"attribute[age]": "82"})
    assert resp.status_code == 201, resp.content
    order = Order.objects.get(pk=int(resp.json()[0]["service_request_id"]))
    assert order.beneficiary_age == 82

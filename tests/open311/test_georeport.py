"""Open311 GeoReport v2, exercised as a client following the spec would: discover, list
services, read a definition, post a request, follow the token, read the request back in
JSON and XML; and the spec's errors (403, 404, 400) in both formats."""

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from xinfeng.accounts.models import ApiToken
from xinfeng.open311.models import Open311Token
from xinfeng.orders.choices import OrderChannel, OrderState
from xinfeng.orders.models import Order, OrderEvent
from xinfeng.projects.choices import ProjectStatus

from ..factories import ProjectFactory, UserFactory
from ..orders.factories import make_order

BASE = "/open311/v2/"


@pytest.fixture
def city(tree):
    project = ProjectFactory(name="白衣天使乡村行", site=tree.st1, region=tree.v1, summary="义诊")
    retired = ProjectFactory(
        name="旧项目", site=tree.st1, region=tree.v1, status=ProjectStatus.RETIRED
    )
    hotline = UserFactory(username="hotline12345")
    _token, raw = ApiToken.issue(user=hotline, name="12345 热线")
    return type(
        "City",
        (),
        {"project": project, "retired": retired, "key": raw, "user": hotline, "tree": tree},
    )


def xml(resp) -> ET.Element:
    assert resp["Content-Type"].startswith("text/xml")
    return ET.fromstring(resp.content)


def post(client, city, **extra):
    data = {
        "api_key": city.key,
        "jurisdiction_id": "360482",
        "service_code": str(city.project.pk),
        "lat": "29.2512",
        "long": "115.8034",
        "description": "家里老人需要上门量血压",
        "first_name": "秀兰",
        "last_name": "王",
        "phone": "13800000009",
    }
    data.update(extra)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(BASE + "requests.json", data)


def test_a_client_follows_the_spec_end_to_end(city):
    c = Client()
    # Discovery: where the endpoint is and which formats it speaks.
    disc = c.get(BASE + "discovery.json").json()
    assert disc["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(disc["endpoints"][0]["formats"]) == {"application/json", "text/xml"}
    root = xml(c.get(BASE + "discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == ["application/json", "text/xml"]

    # Services: active projects only, with the category as the group.
    services = c.get(BASE + "services.json", {"jurisdiction_id": "360482"}).json()
    assert [s["service_code"] for s in services] == [str(city.project.pk)]
    svc = services[0]
    assert svc["service_name"] == "白衣天使乡村行" and svc["group"] == "卫生健康"
    assert svc["metadata"] is True and svc["type"] == "realtime"
    root = xml(c.get(BASE + "services.xml"))
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == [str(city.project.pk)]
    assert root.find("service").findtext("metadata") == "true"

    # The definition of that service: its attributes.
    code = svc["service_code"]
    definition = c.get(BASE + f"services/{code}.json").json()
    assert definition["service_code"] == code
    attrs = {a["code"]: a for a in definition["attributes"]}
    assert set(attrs) == {"region", "wanted_from", "wanted_until"}
    assert attrs["region"]["values"] == [{"key": "360482201200", "name": "水口村"}]
    root = xml(c.get(BASE + f"services/{code}.xml"))
    assert root.tag == "service_definition"
    assert [a.findtext("code") for a in root.find("attributes")] == [
        "region",
        "wanted_from",
        "wanted_until",
    ]
    assert root.find("attributes/attribute/values/value/key").text == "360482201200"

    # Post a request; the answer carries a token (and the id, as the order exists at once).
    resp = post(c, city)
    assert resp.status_code == 201, resp.content
    answer = resp.json()[0]
    token, rid = answer["token"], answer["service_request_id"]
    assert token and rid

    # Follow the token to the request id, in both formats.
    followed = c.get(BASE + f"tokens/{token}.json").json()
    assert followed == [{"service_request_id": rid, "token": token}]
    root = xml(c.get(BASE + f"tokens/{token}.xml"))
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == rid

    # Read the request back.
    got = c.get(BASE + f"requests/{rid}.json").json()
    assert len(got) == 1
    req = got[0]
    assert req["service_request_id"] == rid and req["status"] == "open"
    assert "待审核" in req["status_notes"]
    assert req["service_code"] == code and req["service_name"] == "白衣天使乡村行"
    assert req["description"] == "家里老人需要上门量血压"
    assert req["agency_responsible"] == city.tree.st1.name
    assert req["address"] == "水口村" and req["address_id"] == "360482201200"
    assert req["lat"] == pytest.approx(29.251) and req["long"] == pytest.approx(115.803)
    root = xml(c.get(BASE + f"requests/{rid}.xml"))
    node = root.find("request")
    assert node.findtext("service_request_id") == rid
    assert node.findtext("status") == "open"
    assert node.findtext("agency_responsible") == city.tree.st1.name
    assert float(node.findtext("lat")) == pytest.approx(29.251)

    # In the database: an order from the Open311 channel, by the integrator's account.
    order = Order.objects.get(pk=int(rid))
    assert order.channel == OrderChannel.OPEN311 and order.state == OrderState.SUBMITTED
    assert order.region == city.tree.v1 and order.created_by == city.user
    assert order.contact_name == "王 秀兰" and order.contact_phone == "13800000009"
    assert OrderEvent.objects.filter(order=order, action="submit").count() == 1


def test_posting_twice_returns_the_same_request(city):
    c = Client()
    first = post(c, city).json()[0]
    again = post(c, city)
    assert again.status_code == 200
    assert again.json()[0]["service_request_id"] == first["service_request_id"]
    assert again.json()[0]["token"] == first["token"]
    assert Order.objects.count() == 1 and Open311Token.objects.count() == 1
    # A different description is a different request.
    other = post(c, city, description="另一位老人")
    assert other.status_code == 201
    assert Order.objects.count() == 2


def test_post_with_region_attribute_and_wanted_time(city):
    c = Client()
    when = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    resp = post(
        c,
        city,
        lat=None,
        long=None,
        address_string="水口村3组",
        **{
            "attribute[region]": "360482201200",
            "attribute[wanted_from]": when.isoformat(),
        },
    )
    assert resp.status_code == 201, resp.content
    order = Order.objects.get()
    assert order.region == city.tree.v1 and order.address == "水口村3组"
    assert order.wanted_from == when


def test_list_filters(city, tree):
    c = Client()
    rid = post(c, city).json()[0]["service_request_id"]
    closed = make_order(
        project=city.project,
        region=tree.v1,
        site=tree.st1,
        state=OrderState.RATED,
        rating_level=5,
        created_by=city.user,
    )
    old = make_order(
        project=city.project,
        region=tree.v1,
        site=tree.st1,
        submitted_at=timezone.now() - timedelta(days=200),
    )
    ids = lambda r: {x["service_request_id"] for x in r.json()}  # noqa: E731
    assert ids(c.get(BASE + "requests.json")) == {rid, str(closed.pk)}  # last 90 days
    assert ids(c.get(BASE + "requests.json", {"status": "open"})) == {rid}
    assert ids(c.get(BASE + "requests.json", {"status": "closed"})) == {str(closed.pk)}
    start = (timezone.now() - timedelta(days=365)).isoformat()
    assert str(old.pk) in ids(c.get(BASE + "requests.json", {"start_date": start}))
    end = (timezone.now() - timedelta(days=100)).isoformat()
    assert ids(c.get(BASE + "requests.json", {"start_date": start, "end_date": end})) == {
        str(old.pk)
    }
    both = f"{rid},{old.pk}"
    assert ids(c.get(BASE + "requests.json", {"service_request_id": both})) == {rid, str(old.pk)}
    assert ids(c.get(BASE + "requests.json", {"service_code": "999999"})) == set()
    root = xml(c.get(BASE + "requests.xml", {"status": "closed"}))
    assert [r.findtext("status") for r in root.findall("request")] == ["closed"]


def test_rejected_requests_are_visible_only_to_their_creator(city, tree):
    c = Client()
    rejected = make_order(
        project=city.project,
        region=tree.v1,
        site=tree.st1,
        state=OrderState.REJECTED,
        created_by=city.user,
    )
    assert c.get(BASE + f"requests/{rejected.pk}.json").status_code == 404
    mine = c.get(BASE + f"requests/{rejected.pk}.json", {"api_key": city.key})
    assert mine.status_code == 200 and mine.json()[0]["status"] == "closed"


def errors(resp, status):
    assert resp.status_code == status, resp.content
    body = resp.json()
    assert isinstance(body, list) and body[0]["code"] == status and body[0]["description"]
    return body[0]["description"]


def test_errors_follow_the_spec(city):
    c = Client()
    assert "api_key" in errors(post(c, city, api_key=None), 403)
    errors(post(c, city, api_key="xf_not-a-key"), 403)
    errors(post(c, city, service_code="999999"), 404)
    errors(post(c, city, service_code=str(city.retired.pk)), 404)
    errors(post(c, city, service_code="abc"), 404)
    errors(post(c, city, service_code=""), 400)
    assert "lat" in errors(post(c, city, lat="north"), 400)
    errors(post(c, city, lat="95", long="115.8"), 400)
    errors(post(c, city, lat="29.25", long=None), 400)
    errors(post(c, city, lat=None, long=None), 400)  # no location at all
    errors(post(c, city, lat="0", long="0"), 400)  # far outside the service area
    errors(post(c, city, **{"attribute[region]": "110000000000"}), 400)
    errors(post(c, city, **{"attribute[wanted_from]": "next tuesday"}), 400)
    errors(post(c, city, jurisdiction_id="110000"), 404)
    errors(c.get(BASE + "services.json", {"jurisdiction_id": "nowhere"}), 404)
    errors(c.get(BASE + "services/999999.json"), 404)
    errors(c.get(BASE + "requests/999999.json"), 404)
    errors(c.get(BASE + "requests/abc.json"), 404)
    errors(c.get(BASE + "tokens/nope.json"), 404)
    errors(c.get(BASE + "requests.json", {"status": "pending"}), 400)
    errors(c.get(BASE + "requests.json", {"start_date": "yesterday"}), 400)
    errors(c.get(BASE + "requests.json", {"service_request_id": "1;2"}), 400)
    errors(c.get(BASE + "services.yaml"), 404)
    assert Order.objects.count() == 0
    # The same errors in XML.
    resp = c.get(BASE + "services/999999.xml")
    assert resp.status_code == 404
    root = xml(resp)
    assert root.tag == "errors"
    assert root.find("error/code").text == "404" and root.find("error/description").text
    resp = c.post(BASE + "requests.xml", {"service_code": str(city.project.pk)})
    assert resp.status_code == 403 and xml(resp).find("error/code").text == "403"


def test_english_descriptions(city):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    desc = errors(post(c, city, api_key=None), 403)
    assert "api_key" in desc and not any("\u4e00" <= ch <= "\u9fff" for ch in desc)

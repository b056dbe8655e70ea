"""A request's ``media_url`` is the first photo of its completion report (absolute URL),
in JSON and XML, and empty while there is none."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from xinfeng.orders.choices import OrderState
from xinfeng.orders.models import OrderPhoto

from ..orders.factories import make_order
from .test_georeport import BASE, city, xml  # noqa: F401 - city is a fixture

pytestmark = pytest.mark.django_db


def test_a_completed_request_links_its_report_photo(city):  # noqa: F811
    order = make_order(
        project=city.project,
        region=city.tree.v1,
        site=city.tree.st1,
        state=OrderState.COMPLETED,
        report="量了血压",
    )
    c = Client()
    assert c.get(BASE + f"requests/{order.pk}.json").json()[0]["media_url"] == ""
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "PNG")
    OrderPhoto.objects.create(
        order=order,
        image=SimpleUploadedFile("p.png", buf.getvalue(), content_type="image/png"),
        uploaded_at=timezone.now(),
    )
    got = c.get(BASE + f"requests/{order.pk}.json").json()[0]
    assert got["status"] == "closed" and got["media_url"].startswith("http://testserver/media/")
    root = xml(c.get(BASE + "requests.xml", {"status": "closed"}))
    assert root.find("request/media_url").text == got["media_url"]

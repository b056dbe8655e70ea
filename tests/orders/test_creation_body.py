"""The 201 body of a new order (rendered without validating it again, issue 18) is the
order's detail byte for byte: what ``GET /orders/{id}`` answers the same caller right after,
and what the idempotent repeat (the validated path) answers."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _create_and_read(client, body: dict):
    created = client.post(
        "/api/v1/orders/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert created.status_code == 201, created.content
    assert created["Content-Type"] == "application/json; charset=utf-8"
    order_id = created.json()["id"]
    read = client.get(f"/api/v1/orders/{order_id}")
    repeat = client.post(
        "/api/v1/orders/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert (read.status_code, repeat.status_code) == (200, 200)
    return created, read, repeat


def _bodies(world):
    later = timezone.now() + timedelta(days=2)
    v1 = world.tree.v1.pk
    return [
        (
            world.resident,
            {
                "title": "家里屋顶漏水",
                "region_id": v1,
                "address": "3组12号",
                "latitude": 29,  # an int where the schema says float
                "longitude": 115.81,
                "wanted_from": later.isoformat(),
                "wanted_until": (later + timedelta(hours=2)).isoformat(),
                "category": "everyday_help",
            },
        ),
        (world.resident, {"project_id": world.project.pk, "region_id": v1}),
        (
            world.operator,
            {
                "title": "电话代点单",
                "region_id": v1,
                "channel": "proxy",
                "on_behalf_of_id": world.resident.pk,
            },
        ),
        (
            world.operator,
            {
                "title": "村里环境整治",
                "region_id": v1,
                "channel": "site",
                "site_id": world.tree.st1.pk,
                "open_for_grab": True,
                "category": "environment",
            },
        ),
    ]


@pytest.mark.parametrize("case", range(4))
def test_the_201_body_is_the_orders_detail_byte_for_byte(world, api_as, case):
    user, body = _bodies(world)[case]
    created, read, repeat = _create_and_read(api_as(user), body)
    assert created.content == read.content
    assert created.content == repeat.content
    data = created.json()
    assert data["allowed_actions"] == read.json()["allowed_actions"]

"""Slots (core.hooks): a lower app's page shows what higher apps put in it, and works
without them."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from xinfeng.core import hooks
from xinfeng.projects.choices import ProjectStatus

from ..factories import ProjectFactory


def test_an_unfilled_slot_renders_nothing():
    out = Template('{% load slots %}[{% slot "nobody.fills.this" %}]').render(Context({}))
    assert out == "[]"


def test_fillers_render_in_order_with_the_object_and_their_condition(tmp_path, settings):
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], str(tmp_path)]}]
    (tmp_path / "slot_b.html").write_text("B{{ obj }}")
    (tmp_path / "slot_a.html").write_text("A{{ obj }}")
    (tmp_path / "slot_c.html").write_text("C")
    try:
        hooks.fill("test.slot", "slot_b.html", order=20)
        hooks.fill("test.slot", "slot_a.html", order=10)
        hooks.fill("test.slot", "slot_a.html", order=10)  # twice is once
        hooks.fill("test.slot", "slot_c.html", when=lambda ctx: ctx.get("show_c"))
        tpl = Template('{% load slots %}{% slot "test.slot" thing %}')
        assert tpl.render(Context({"thing": 1})) == "A1B1"
        assert tpl.render(Context({"thing": 2, "show_c": True})) == "A2B2C"
    finally:
        hooks._SLOTS.pop("test.slot", None)


@pytest.mark.django_db
def test_the_site_page_carries_the_map_and_activity_links_of_higher_apps(client, tree):
    site = tree.st1
    site.latitude, site.longitude = 29.25, 115.8
    site.save()
    html = client.get(f"/places/sites/{site.id}/").content.decode()
    assert reverse("api:insights_map_site", args=[site.id]) in html  # filled by insights
    assert "/insights/map/?region=" in html  # filled by insights
    assert f"/activities/calendar/?site={site.id}" in html  # filled by activities


def test_the_project_page_offers_ordering_only_when_orderable(client, tree):
    project = ProjectFactory(site=tree.st1, region=tree.v1)
    html = client.get(f"/projects/{project.id}/").content.decode()
    assert f"/orders/new/?project={project.id}" in html
    project.status = ProjectStatus.RETIRED
    project.save(update_fields=["status"])
    html = client.get(f"/projects/{project.id}/").content.decode()
    assert "/orders/new/?project=" not in html

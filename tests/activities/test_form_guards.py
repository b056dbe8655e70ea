"""Forms that do not let organisers walk into errors: a start already past is refused at
the field (and by the service, for the API); the page offers only the actions the state and
the clock allow (one policy with the services); cancelling sits apart; a room clash names
the booking once."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.activities.conftest import soon, start_now
from tests.factories import VenueFactory
from xinfeng.activities import services
from xinfeng.activities.models import Activity
from xinfeng.activities.policy import organiser_actions
from xinfeng.core.errors import Conflict, ValidationFailed

FMT = "%Y-%m-%dT%H:%M"


def _form(tree, start, **over):
    data = {
        "site": tree.st1.pk,
        "title": "理论宣讲进村",
        "category": "theory",
        "starts_at": start.strftime(FMT),
        "ends_at": (start + timedelta(hours=1)).strftime(FMT),
        "capacity": 20,
        "mode": "offline",
        "eligibility": "everyone",
    }
    return {**data, **over}


def _field_errors(html: str, field: str) -> list[str]:
    block = html[html.index(f'for="id_{field}"') :]
    block = block[: block.index("</div>")]
    return re.findall(r'<p class="field-error" role="alert">([^<]+)</p>', block)


def test_a_past_start_is_refused_at_the_field_and_nothing_is_saved(client, owner, tree):
    client.force_login(owner)
    past = timezone.localtime() - timedelta(hours=3)
    r = client.post("/activities/manage/new/", _form(tree, past))
    assert r.status_code == 400
    assert _field_errors(r.content.decode(), "starts_at") == ["开始时间已过，请选择将来的时间。"]
    assert not Activity.objects.exists()


def test_the_new_activity_form_offers_no_past_dates(client, owner):
    client.force_login(owner)
    html = client.get("/activities/manage/new/").content.decode()
    m = re.search(r'<input type="datetime-local" name="starts_at"[^>]*min="([^"]+)"', html)
    assert m and m.group(1) <= timezone.localtime().strftime(FMT)


def test_the_service_refuses_a_past_start_for_the_api_too(owner, tree):
    with pytest.raises(ValidationFailed) as exc:
        services.activity_create(
            actor=owner,
            site=tree.st1,
            title="补录",
            category="theory",
            starts_at=timezone.now() - timedelta(minutes=5),
            ends_at=timezone.now() + timedelta(hours=1),
            capacity=10,
        )
    assert exc.value.code == "start_in_past" and "starts_at" in exc.value.fields


def test_an_activity_under_way_can_still_be_edited_without_touching_its_start(
    client, owner, make_activity
):
    activity = start_now(make_activity())
    client.force_login(owner)
    start = timezone.localtime(activity.starts_at)
    data = {
        "title": "改个名字",
        "category": "theory",
        "starts_at": start.strftime(FMT),
        "ends_at": timezone.localtime(activity.ends_at).strftime(FMT),
        "capacity": 30,
        "mode": "offline",
        "eligibility": "everyone",
    }
    Activity.objects.filter(pk=activity.pk).update(starts_at=start.replace(second=0, microsecond=0))
    r = client.post(f"/activities/{activity.pk}/manage/edit/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Activity.objects.get(pk=activity.pk).title == "改个名字"
    # Moving it into the past is refused at the field.
    data["starts_at"] = (start - timedelta(days=1)).strftime(FMT)
    r = client.post(f"/activities/{activity.pk}/manage/edit/", data)
    assert r.status_code == 400
    assert "开始时间已过" in " ".join(_field_errors(r.content.decode(), "starts_at"))


def _buttons(html: str) -> set[str]:
    flow = html[html.index("<h2>流程</h2>") :]
    flow = flow[: flow.index("</section>")]
    return set(re.findall(r'value="(\w+)"', flow)) | (
        {"report"} if "/manage/report/" in flow else set()
    )


def test_finish_and_report_are_offered_only_once_the_activity_has_started(
    client, owner, make_activity
):
    activity = make_activity()
    client.force_login(owner)
    html = client.get(f"/activities/{activity.pk}/manage/").content.decode()
    assert "finish" not in _buttons(html) and "report" not in _buttons(html)
    assert "活动开始后可以结束活动、撰写活动报道" in html
    with pytest.raises(Conflict):
        services.activity_finish(actor=owner, activity=activity)
    with pytest.raises(Conflict):
        services.report_save(actor=owner, activity=activity, body="提前写")
    start_now(activity)
    html = client.get(f"/activities/{activity.pk}/manage/").content.decode()
    assert {"finish", "report"} <= _buttons(html)


def test_the_page_and_the_services_follow_one_policy(owner, make_activity):
    draft = make_activity(publish=False)
    acts = organiser_actions(draft, owner)
    assert acts["submit"] and not acts["finish"] and not acts["report"]
    Activity.objects.filter(pk=draft.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    draft.refresh_from_db()
    assert not organiser_actions(draft, owner)["submit"]
    with pytest.raises(Conflict):
        services.activity_publish(actor=owner, activity=draft)


def test_cancel_lives_in_a_folded_danger_zone_not_in_the_flow(client, owner, make_activity):
    activity = make_activity()
    client.force_login(owner)
    html = client.get(f"/activities/{activity.pk}/manage/").content.decode()
    assert "cancel" not in _buttons(html)
    zone = html[html.index('class="card danger-zone"') :]
    zone = zone[: zone.index("</section>")]
    assert "<details>" in zone and 'value="cancel"' in zone and "取消原因" in zone


def test_a_room_clash_names_the_booking_once(owner, tree, make_activity):
    venue = VenueFactory(site=tree.st1, name="礼堂", capacity=100)
    start = soon()
    make_activity(title="防诈骗讲座", venue=venue, starts_at=start)
    with pytest.raises(Conflict) as exc:
        make_activity(title="另一场", venue=venue, starts_at=start + timedelta(minutes=30))
    message = str(exc.value.detail)
    assert message.count("防诈骗讲座") == 1, message

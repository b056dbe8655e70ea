"""A volunteer's phones are masked in one place (volunteers.presenters) and every page and
API read shows exactly that — never the full number, which only the audited reveal gives."""

from tests.factories import TeamFactory, VolunteerFactory, join
from xinfeng.core.masking import mask_phone
from xinfeng.volunteers.presenters import masked_contacts, with_masked_phone

FULL = "13912345678"
EMERGENCY = "13587654321"


def _volunteer(tree):
    return VolunteerFactory(
        home_region=tree.v1,
        phone=FULL,
        emergency_contact_name="张三",
        emergency_contact_phone=EMERGENCY,
        with_user=True,
    )


def test_the_presenter_masks_every_phone(tree):
    v = _volunteer(tree)
    shown = masked_contacts(v)
    assert shown == {
        "phone": mask_phone(FULL),
        "emergency_contact_phone": mask_phone(EMERGENCY),
        "guardian_phone": mask_phone(""),
    }
    assert FULL not in shown.values() and EMERGENCY not in shown.values()
    assert shown["phone"].startswith("139") and shown["phone"].endswith("5678")
    (row,) = with_masked_phone([v])
    assert row.phone_masked == shown["phone"]


def test_pages_and_api_show_what_the_presenter_says(tree, owner, client, api_as):
    v = _volunteer(tree)
    team = TeamFactory(home_site=tree.st1)
    join(team, v)
    shown = masked_contacts(v)
    api = api_as(owner).get(f"/api/v1/volunteers/{v.pk}").json()
    assert api["phone_masked"] == shown["phone"]
    assert api["emergency_contact_phone_masked"] == shown["emergency_contact_phone"]
    client.force_login(owner)
    pages = [
        f"/volunteers/manage/{v.pk}/",
        "/volunteers/manage/",
        f"/volunteers/teams/{team.pk}/",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert shown["phone"] in html, url
        assert FULL not in html and EMERGENCY not in html, url
    # The volunteer's own page masks too (the full number needs the reveal button).
    client.force_login(v.user)
    html = client.get("/volunteers/").content.decode()
    assert shown["phone"] in html and FULL not in html
    own = api_as(v.user).get("/api/v1/volunteers/me").json()
    assert own["phone_masked"] == shown["phone"]
    assert FULL not in str(own)

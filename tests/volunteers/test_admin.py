"""The admin lists volunteer data without exposing encrypted fields or pick-up codes."""

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.volunteers.factories import RewardFactory, VolunteerFactory, credit
from xinfeng.volunteers.services.exchange import reward_redeem


@pytest.mark.parametrize(
    "model",
    [
        "volunteer",
        "team",
        "servicerecord",
        "pointsentry",
        "reward",
        "redemption",
        "certificate",
        "volunteerimport",
    ],
)
def test_admin_changelists(tree, sysadmin, model):
    v = VolunteerFactory(home_region=tree.v1, user=UserFactory())
    credit(v, tree.v1, hours=3)
    reward_redeem(actor=v.user, reward=RewardFactory(site=tree.st1, points_cost=5))
    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    c = Client()
    c.force_login(sysadmin)
    r = c.get(f"/admin/volunteers/{model}/")
    assert r.status_code == 200
    if model == "volunteer":
        page = c.get(f"/admin/volunteers/volunteer/{v.pk}/change/").content.decode()
        assert "id_number_encrypted" not in page and "id_number_hash" not in page

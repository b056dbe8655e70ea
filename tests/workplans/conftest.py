from types import SimpleNamespace

import pytest

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role


@pytest.fixture
def wp(tree, owner, outsider):
    """The small tree with a center admin, a station operator of 水口村 and the plan of
    苏家垱乡 for 2020 (issued by its institute admin ``owner``)."""
    from xinfeng.workplans.services import plan_create

    center_admin = grant(UserFactory(username="center_admin"), Role.CENTER_ADMIN, tree.city)
    station_op = grant(UserFactory(username="station_op"), Role.STATION_OPERATOR, tree.v1)
    plan = plan_create(actor=owner, region=tree.t1, year=2020, title="苏家垱乡2020年工作方案")
    return SimpleNamespace(
        tree=tree,
        owner=owner,
        outsider=outsider,
        center_admin=center_admin,
        station_op=station_op,
        plan=plan,
    )

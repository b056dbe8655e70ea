from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import RegionFactory
from xinfeng.regions.models import Region


def test_subtree_is_one_query(tree):
    with CaptureQueriesContext(connection) as ctx:
        names = sorted(r.name for r in Region.objects.subtree(tree.t1))
    assert names == ["水口村", "苏家垱乡"]
    assert len(ctx.captured_queries) == 1


def test_subtree_excludes_siblings_and_parent(tree):
    names = {r.name for r in Region.objects.subtree(tree.city, include_self=False)}
    assert names == {"苏家垱乡", "江益镇", "水口村", "江益村"}


def test_moving_a_region_moves_its_subtree(tree):
    tree.v1.parent = tree.t2
    tree.v1.save()
    grandchild = RegionFactory(name="上屋组", parent=tree.v1)
    tree.v1.parent = tree.t1
    tree.v1.save()
    grandchild.refresh_from_db()
    assert grandchild.path.startswith(tree.t1.path)
    assert grandchild.is_within(tree.city)


def test_ancestors_from_root(tree):
    assert [r.name for r in tree.v1.ancestors()] == ["共青城市", "苏家垱乡"]

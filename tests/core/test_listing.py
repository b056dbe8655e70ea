"""core.listing: the search text and the page every list page reads."""

import pytest
from django.test import RequestFactory

from xinfeng.core.listing import page_of, search_text
from xinfeng.regions.models import Region

from ..factories import RegionFactory

rf = RequestFactory()


def test_search_text_is_stripped_and_cut():
    assert search_text(rf.get("/", {"q": "  新风  "})) == "新风"
    assert search_text(rf.get("/")) == ""
    assert search_text(rf.get("/", {"q": "x" * 300})) == "x" * 100
    assert search_text(rf.get("/", {"q": " abcdef"}), max_length=3) == "abc"


@pytest.mark.django_db
def test_page_of_reads_the_page_number_and_forgives_bad_ones():
    for _ in range(5):
        RegionFactory()
    qs = Region.objects.order_by("id")
    ids = list(qs.values_list("id", flat=True))
    assert len(ids) >= 5
    second = page_of(rf.get("/", {"page": "2"}), qs, 2)
    assert [r.pk for r in second.object_list] == ids[2:4]
    assert page_of(rf.get("/", {"page": "x"}), qs, 2).number == 1
    last = page_of(rf.get("/", {"page": "999"}), qs, 2)
    assert last.number == last.paginator.num_pages == (len(ids) + 1) // 2
    assert page_of(rf.get("/"), qs, 2).number == 1

"""The edge every list page shares: the search text (``?q=``) and the page (``?page=``).

Lists read ``search_text(request)`` and hand the selector's queryset to
``page_of(request, qs, per_page)``; the template gets a Django ``Page``. A page number
that is not a number gives the first page, one past the end the last (``get_page``), so a
stale or hand-edited link never errors.
"""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

SEARCH_MAX = 100


def search_text(request: HttpRequest, *, max_length: int = SEARCH_MAX) -> str:
    """``?q=`` stripped and cut to ``max_length`` characters ("" when absent)."""
    return (request.GET.get("q") or "").strip()[:max_length]


def page_of(request: HttpRequest, qs, per_page: int) -> Page:
    """The ``?page=`` page of ``qs`` (ordered by the caller), ``per_page`` rows a page."""
    return Paginator(qs, per_page).get_page(request.GET.get("page"))

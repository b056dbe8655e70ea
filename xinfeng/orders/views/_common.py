"""Helpers shared by the order pages."""

from django.core.paginator import Paginator
from django.shortcuts import render

from xinfeng.accounts.scope import is_staff_anywhere

PAGE = 20


def _is_staff(user) -> bool:
    return is_staff_anywhere(user)


def _not_found(request):
    return render(request, "404.html", status=404)


def _paged(request, qs):
    return Paginator(qs.order_by("-id"), PAGE).get_page(request.GET.get("page"))

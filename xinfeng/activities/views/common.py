"""Small helpers shared by the activity pages."""

from datetime import date

from django.shortcuts import render

from xinfeng.regions.models import Region


def int_param(request, name: str) -> int | None:
    value = (request.GET.get(name) or "").strip()
    if value.isdigit() and len(value) < 12:
        return int(value)
    return None


def float_param(request, name: str, lo: float, hi: float) -> float | None:
    try:
        value = float(request.GET.get(name) or "")
    except ValueError:
        return None
    return value if lo <= value <= hi else None


def date_param(request, name: str) -> date | None:
    try:
        return date.fromisoformat((request.GET.get(name) or "").strip())
    except ValueError:
        return None


def region_param(request, name: str = "region") -> Region | None:
    pk = int_param(request, name)
    return Region.objects.filter(pk=pk).first() if pk else None


def not_found(request):
    return render(request, "404.html", status=404)

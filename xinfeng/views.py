"""The project shell's own page: the home page. It sits above every app (like ``urls.py``
and ``base.html``), so its tiles may link to any app's pages."""

from django.shortcuts import render


def home(request):
    return render(request, "home.html")

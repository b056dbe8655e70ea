"""The project shell's own page: the home page. It sits above every app (like ``urls.py``
and ``base.html``), so its tiles may link to any app's pages."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from xinfeng.core.publiccache import public_read


# projects: the tile's project counts; the rest of an anonymous visitor's page is fixed text
# (the menu, the emergency banner and the staff tiles are for signed-in people only).
@public_read("projects")
@require_safe
def home(request):
    return render(request, "home.html")

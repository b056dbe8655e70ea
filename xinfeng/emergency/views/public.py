"""The public CAP 1.2 feed of incident notices."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from .. import cap, selectors
from ..models import Notice

CAP_TYPE = "application/cap+xml; charset=utf-8"


@require_safe
def cap_feed(request):
    body = cap.feed_xml(selectors.public_notices(), feed_url=request.build_absolute_uri())
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


@require_safe
def cap_alert(request, identifier):
    notice = get_object_or_404(
        Notice.objects.select_related("incident__region"), identifier=identifier
    )
    return HttpResponse(cap.alert_xml(notice), content_type=CAP_TYPE)

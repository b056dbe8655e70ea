"""``{% open_incidents as incidents %}``: the open incidents of the reader's area, for the
banner the emergency app puts in the project shell's slot."""

from django import template

from ..selectors import open_incidents_for

register = template.Library()


@register.simple_tag(takes_context=True)
def open_incidents(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return []
    cache = getattr(request, "_xf_open_incidents", None)
    if cache is None:
        cache = open_incidents_for(user)
        if request is not None:
            request._xf_open_incidents = cache
    return cache

from django import template

from .. import presenters

register = template.Library()


@register.simple_tag
def site_people_public(site):
    """What the public site page shows of the site's people (``presenters``)."""
    return presenters.site_people_public(site)


@register.simple_tag
def governance_links(user):
    """The governance pages the person may open (none for most people)."""
    return presenters.governance_links(user)

"""Template tags for the slots workplans fills on lower apps' pages (site page, directory,
map). The directory badge reads the designated site ids once per request."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def demo_designation(site):
    """The designation holding this year for ``site``, or None."""
    if site is None:
        return None
    return (
        selectors.designations(year=selectors.current_year())
        .filter(site_id=site.pk)
        .order_by("-year")
        .first()
    )


@register.filter
def is_demo_site(site_id, request) -> bool:
    """Whether the site is a demonstration site this year (one query per request)."""
    ids = getattr(request, "_xf_demo_site_ids", None)
    if ids is None:
        ids = selectors.holding_site_ids()
        if request is not None:
            request._xf_demo_site_ids = ids
    return site_id in ids


@register.simple_tag
def township_rule_lacking():
    return [r for r in selectors.township_rule(year=selectors.current_year()) if r.missing]

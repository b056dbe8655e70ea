from django import template

register = template.Library()


@register.simple_tag
def map_tiles() -> dict:
    """``{% map_tiles as tiles %}``: the base map's url, attribution and CRS."""
    from xinfeng.insights.map_data import tiles

    return tiles()

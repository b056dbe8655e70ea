"""``{% slot "name" obj %}``: render what higher apps put in a slot (see core.hooks)."""

from django import template

from xinfeng.core.hooks import render_slot

register = template.Library()


@register.simple_tag(takes_context=True)
def slot(context, name: str, obj=None):
    request = context.get("request")
    flat = context.flatten()
    flat.setdefault("request", request)
    return render_slot(name, flat, obj)

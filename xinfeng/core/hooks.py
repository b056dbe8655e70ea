"""Slots: how a lower app's page shows what a higher app offers without naming it.

A template of a lower app never links to a higher app's URL or includes its templates
(the layers of docs/architecture.md hold for templates too). Instead it names a slot::

    {% load slots %}{% slot "places.site_detail.after" site %}

and each higher app fills the slot from its ``AppConfig.ready``::

    from xinfeng.core.hooks import fill
    fill("places.site_detail.after", "activities/_site_links.html", order=20)

The slot renders every filler's template, in ``order``, with the page's context plus
``obj`` (the object the slot is about). An unfilled slot renders nothing, so the lower app
works alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Filler:
    template: str
    order: int
    when: Callable[[dict], bool] | None


_SLOTS: dict[str, list[Filler]] = {}


def fill(slot: str, template: str, *, order: int = 50, when=None) -> None:
    """Add ``template`` to ``slot``. ``when(context)`` (optional) decides per request.
    Filling the same slot with the same template twice is a no-op (``ready`` may rerun)."""
    fillers = _SLOTS.setdefault(slot, [])
    if any(f.template == template for f in fillers):
        return
    fillers.append(Filler(template, order, when))
    fillers.sort(key=lambda f: (f.order, f.template))


def fillers(slot: str) -> list[Filler]:
    return list(_SLOTS.get(slot, ()))


def render_slot(slot: str, context: dict, obj=None) -> SafeString:
    parts = []
    for f in _SLOTS.get(slot, ()):
        if f.when is not None and not f.when(context):
            continue
        parts.append(get_template(f.template).render({**context, "obj": obj}))
    return mark_safe("".join(parts))  # noqa: S308 - each part is an autoescaped template

"""The named rules about sites that other apps ask: one home each.

- ``level_above_region(site)``: where "the level above" a site sits — its parent site's
  region, or its own region for the top site. It approves a station's projects, reviews
  its activities and switches its review requirement (projects, activities).
- ``is_site_staff(user, site)``: staff of the site — a staff role at its region or above.
- ``site_staff_users(site)`` (who answers for a site) is a read: ``places.selectors``.
"""

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import has_role_at
from xinfeng.regions.models import Region

from .models import Site


def level_above_region(site: Site) -> Region:
    """The region of the site one level up (its parent site's), or the site's own region
    when it has no parent (the center)."""
    parent = site.parent
    return parent.region if parent is not None else site.region


def is_site_staff(user, site: Site) -> bool:
    """Whether ``user`` is staff of ``site``: a staff role at its region or above."""
    return bool(user is not None and user.is_authenticated) and has_role_at(
        user, site.region, STAFF_ROLES
    )

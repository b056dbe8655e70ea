"""Who may organise and who may review an activity.

Organisers are staff (``STAFF_ROLES``) at the activity's region or above; the reviewer is
staff at the region of the site one level up (the site's parent), so a station's activity
is reviewed by its institute, an institute's by the center.
"""

from xinfeng.accounts.scope import has_role_at, require_role_at
from xinfeng.places.policy import level_above_region

from .models import Activity


def can_organise(user, activity: Activity) -> bool:
    return user.is_authenticated and has_role_at(user, activity.region)


def require_organiser(user, activity: Activity) -> None:
    require_role_at(user, activity.region)


# The level above a site reviews (places.policy: one home for "the level above a site").
site_review_region = level_above_region


def review_region(activity: Activity):
    return site_review_region(activity.site)


def can_set_review(user, site) -> bool:
    """Whether the user may switch a site's review requirement: only the level above, so a
    site cannot lift the review its reviewers asked for."""
    return user.is_authenticated and has_role_at(user, site_review_region(site))


def can_review(user, activity: Activity) -> bool:
    return user.is_authenticated and has_role_at(user, review_region(activity))


def require_reviewer(user, activity: Activity) -> None:
    require_role_at(user, review_region(activity))

"""Volunteers, teams (1+7+N), memberships, service hours and the points ledger.

The core of these models is a contract other apps rely on (orders, activities, emergency,
insights): ``Volunteer``, ``Team``, ``TeamMembership``, ``ServiceRecord``, ``PointsEntry``
and ``services.ledger.service_record_create``. Extend them; do not rename. Each subdomain
keeps its models in its own module; they are all importable from here.
"""

from .certificates import Certificate
from .exchange import Redemption, Reward
from .imports import VolunteerImport
from .ledger import HoursDispute, PointsEntry, ServiceRecord
from .profiles import NumberSequence, Volunteer, star_level_for
from .teams import Team, TeamMembership

__all__ = [
    "Certificate",
    "HoursDispute",
    "NumberSequence",
    "PointsEntry",
    "Redemption",
    "Reward",
    "ServiceRecord",
    "Team",
    "TeamMembership",
    "Volunteer",
    "VolunteerImport",
    "star_level_for",
]

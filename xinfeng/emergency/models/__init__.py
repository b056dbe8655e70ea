"""Emergency mode: incidents, rosters, call-outs, needs, temporary stations, sitreps."""

from .callouts import Callout, CalloutRecipient
from .incidents import Incident, IncidentEvent, Notice
from .needs import Need, NeedCommitment
from .rosters import EmergencyProfile, StandbyShift, Unavailability
from .sitreps import Sitrep
from .stations import Station, StationShift

__all__ = [
    "Callout",
    "CalloutRecipient",
    "EmergencyProfile",
    "Incident",
    "IncidentEvent",
    "Need",
    "NeedCommitment",
    "Notice",
    "Sitrep",
    "StandbyShift",
    "Station",
    "StationShift",
    "Unavailability",
]

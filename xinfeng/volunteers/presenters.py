"""What pages and the API show of a volunteer's contact data — privacy applied once.

Phones (the volunteer's, the emergency contact's, the guardian's) are always shown masked;
the full number comes only through ``services.profiles.volunteer_reveal``, which checks the
entitlement and writes an audit event. The ID number is never shown (the volunteer number
stands for the person in public).
"""

from xinfeng.core.masking import mask_phone

from .models import Volunteer


def masked_contacts(volunteer: Volunteer) -> dict[str, str]:
    """The volunteer's phones as every page and the API show them."""
    return {
        "phone": mask_phone(volunteer.phone),
        "emergency_contact_phone": mask_phone(volunteer.emergency_contact_phone),
        "guardian_phone": mask_phone(volunteer.guardian_phone),
    }


def with_masked_phone(volunteers):
    """Annotate each volunteer of a page of rows with ``phone_masked`` (list templates)."""
    for v in volunteers:
        v.phone_masked = masked_contacts(v)["phone"]
    return volunteers

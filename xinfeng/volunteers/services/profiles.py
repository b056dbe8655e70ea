"""Real-name registration, profile changes, consents and audited views of personal data.

ID numbers are validated (GB 11643 check digit for resident IDs), stored encrypted
(``core.crypto.encrypt``) and de-duplicated by a keyed hash; the platform volunteer number
is shown instead. Phones are masked; ``volunteer_reveal`` is the one way to see personal
data unmasked and writes an audit event every time.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfeng.accounts.choices import STAFF_ROLES, Role
from xinfeng.accounts.scope import has_role_at, require_role_at
from xinfeng.accounts.services import role_grant
from xinfeng.core.audit import audit_record
from xinfeng.core.crypto import decrypt, encrypt, keyed_hash
from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.core.validation import full_clean_or_raise
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import (
    Gender,
    IdType,
    MembershipRole,
    MembershipStatus,
    PoliticalStatus,
)
from xinfeng.volunteers.choices import RegistrationChannel as Channel
from xinfeng.volunteers.identity import check_birth_date, check_id_number, check_phone
from xinfeng.volunteers.models import TeamMembership, Volunteer
from xinfeng.volunteers.policy import GUARDIAN_CONSENT_AGE
from xinfeng.volunteers.services.numbers import volunteer_number

# The privacy notice volunteers accept (templates/volunteers/privacy.html). Raise the
# version when the text changes: volunteers are then asked to accept it again.
PRIVACY_NOTICE_VERSION = "2024-01"
DUPLICATE_ID = gettext_lazy("该证件号码已登记为志愿者。")
SIGN_UP_FIRST = gettext_lazy("请先用手机号注册或登录，再登记为志愿者。")
MAX_SKILLS = 20

# Fields a volunteer may change on their own profile; staff may also change the rest.
SELF_FIELDS = {
    "phone",
    "skills",
    "service_regions",
    "availability",
    "political_status",
    "emergency_contact_name",
    "emergency_contact_phone",
}
STAFF_FIELDS = SELF_FIELDS | {"name", "home_region", "is_active"}
REVEALABLE = {
    "phone": gettext_lazy("手机号"),
    "emergency_contact_phone": gettext_lazy("紧急联系人电话"),
    "guardian_phone": gettext_lazy("监护人电话"),
    "id_number": gettext_lazy("证件号码"),
}


def id_number_hash(id_type: str, number: str) -> str:
    return keyed_hash(f"{id_type}:{number}")


def _clean_skills(skills) -> list[str]:
    if isinstance(skills, str):
        skills = skills.replace("，", ",").replace("、", ",").split(",")
    cleaned = list(dict.fromkeys(str(s).strip()[:20] for s in (skills or []) if str(s).strip()))
    if len(cleaned) > MAX_SKILLS:
        raise ValidationFailed(
            _("技能特长最多填写 %(n)d 项。") % {"n": MAX_SKILLS}, code="too_many_skills"
        )
    return cleaned


def prepare_volunteer(
    *,
    name: str,
    id_type: str,
    id_number: str,
    phone: str,
    home_region: Region,
    birth_date: date | None = None,
    gender: str = "",
    skills=(),
    availability: str = "",
    political_status: str = PoliticalStatus.MASSES,
    emergency_contact_name: str = "",
    emergency_contact_phone: str = "",
    privacy_notice_version: str = "",
    location_consent: bool = False,
    guardian_name: str = "",
    guardian_phone: str = "",
    guardian_consent: bool = False,
) -> Volunteer:
    """Validate registration data and build an unsaved ``Volunteer`` (number not yet set).

    Used by registration forms, the API and the Excel import alike. Raises
    ``ValidationFailed`` (400) naming the first problem found."""
    name = (name or "").strip()
    if len(name) < 2 or len(name) > 50:
        raise ValidationFailed(_("请填写 2 到 50 个字的真实姓名。"), code="name_invalid")
    if id_type not in IdType.values:
        raise ValidationFailed(_("证件类型无效。"), code="id_type")
    facts = check_id_number(id_type, id_number)
    if facts.birth_date is not None:
        if birth_date is not None and birth_date != facts.birth_date:
            raise ValidationFailed(_("出生日期与身份证号码不一致。"), code="birth_date_mismatch")
        birth_date = facts.birth_date
    if birth_date is None:
        raise ValidationFailed(_("请填写出生日期。"), code="birth_date_required")
    check_birth_date(birth_date)
    if facts.gender is not None:
        if gender and gender != facts.gender:
            raise ValidationFailed(_("性别与身份证号码不一致。"), code="gender_mismatch")
        gender = facts.gender
    if gender and gender not in Gender.values:
        raise ValidationFailed(_("性别无效。"), code="gender_invalid")
    if political_status not in PoliticalStatus.values:
        raise ValidationFailed(_("政治面貌无效。"), code="political_status_invalid")
    phone = check_phone(phone)
    emergency_contact_phone = check_phone(
        emergency_contact_phone, required=False, label=_("紧急联系人电话")
    )
    if privacy_notice_version != PRIVACY_NOTICE_VERSION:
        raise ValidationFailed(
            _("请阅读并同意《志愿者个人信息保护声明》。"), code="privacy_consent_required"
        )
    now = timezone.now()
    volunteer = Volunteer(
        name=name,
        gender=gender,
        birth_date=birth_date,
        id_type=id_type,
        id_number_encrypted=encrypt(facts.number),
        id_number_hash=id_number_hash(id_type, facts.number),
        phone=phone,
        home_region=home_region,
        skills=_clean_skills(skills),
        availability=(availability or "").strip()[:200],
        political_status=political_status,
        emergency_contact_name=(emergency_contact_name or "").strip()[:50],
        emergency_contact_phone=emergency_contact_phone,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        privacy_consented_at=now,
        location_consented_at=now if location_consent else None,
    )
    if volunteer.age_on() < GUARDIAN_CONSENT_AGE:
        guardian_name = (guardian_name or "").strip()
        if not guardian_name or not guardian_consent:
            raise ValidationFailed(
                _("未满 14 周岁的志愿者须由监护人填写姓名、电话并同意后方可登记。"),
                code="guardian_consent_required",
            )
        volunteer.guardian_name = guardian_name[:50]
        volunteer.guardian_phone = check_phone(guardian_phone, label=_("监护人电话"))
        volunteer.guardian_consented_at = now
    return volunteer


def _save_new(volunteer: Volunteer, service_regions=()) -> Volunteer:
    if Volunteer.objects.filter(id_number_hash=volunteer.id_number_hash).exists():
        raise Conflict(DUPLICATE_ID, code="duplicate_id")
    volunteer.number = volunteer_number()
    full_clean_or_raise(volunteer, exclude=["home_region", "user", "registered_by"])
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError as exc:  # a concurrent registration of the same ID number
        raise Conflict(DUPLICATE_ID, code="duplicate_id") from exc
    if service_regions:
        volunteer.service_regions.set(service_regions)
    return volunteer


@transaction.atomic
def volunteer_staff_register(*, actor, service_regions=(), **data) -> Volunteer:
    """Registration by staff (工作人员登记) for a volunteer living in their scope."""
    require_role_at(actor, data["home_region"])
    volunteer = prepare_volunteer(**data)
    volunteer.registration_channel = Channel.STAFF
    volunteer.registered_by = actor
    _save_new(volunteer, service_regions)
    audit_record(action="volunteer_registered", actor=actor, obj=volunteer)
    return volunteer


@transaction.atomic
def volunteer_self_register(*, actor, service_regions=(), request=None, **data) -> Volunteer:
    """Self-registration of the signed-in person (page and API alike): one flow, one account.
    A visitor first signs up by phone and SMS code (accounts) and then registers here. A
    volunteer entered earlier by staff or an import, with no account yet, is claimed when ID
    number and phone both match. The user gets the volunteer role at their home region."""
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated(SIGN_UP_FIRST)
    volunteer = prepare_volunteer(**data)
    user = actor
    if Volunteer.objects.filter(user=user).exists():
        raise Conflict(_("您已经是注册志愿者。"), code="already_registered")
    existing = (
        Volunteer.objects.select_for_update()
        .filter(id_number_hash=volunteer.id_number_hash)
        .first()
    )
    if existing is not None:
        if existing.user_id is not None or existing.phone != volunteer.phone:
            raise Conflict(DUPLICATE_ID, code="duplicate_id")
        existing.user = user
        existing.privacy_notice_version = volunteer.privacy_notice_version
        existing.privacy_consented_at = volunteer.privacy_consented_at
        existing.location_consented_at = volunteer.location_consented_at
        existing.save(
            update_fields=[
                "user",
                "privacy_notice_version",
                "privacy_consented_at",
                "location_consented_at",
                "updated_at",
            ]
        )
        volunteer = existing
    else:
        volunteer.user = user
        volunteer.registration_channel = Channel.SELF
        volunteer.registered_by = user
        _save_new(volunteer, service_regions)
    role_grant(user=user, role=Role.VOLUNTEER, region=volunteer.home_region)
    audit_record(action="volunteer_registered", actor=user, obj=volunteer, request=request)
    return volunteer


def is_self(user, volunteer: Volunteer) -> bool:
    return user.is_authenticated and volunteer.user_id == user.pk


@transaction.atomic
def volunteer_update(*, actor, volunteer: Volunteer, **changes) -> Volunteer:
    """Change profile fields. The volunteer may change their contact details, skills,
    service areas and availability; staff of their home region may also change the name,
    home region and active flag. ID number and birth date are fixed once registered."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    staff = has_role_at(actor, volunteer.home_region)
    allowed = STAFF_FIELDS if staff else SELF_FIELDS if is_self(actor, volunteer) else set()
    if not allowed:
        raise PermissionDenied()
    unknown = set(changes) - allowed
    if unknown:
        raise PermissionDenied(_("无权修改：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    regions = changes.pop("service_regions", None)
    if "phone" in changes:
        changes["phone"] = check_phone(changes["phone"])
    if "emergency_contact_phone" in changes:
        changes["emergency_contact_phone"] = check_phone(
            changes["emergency_contact_phone"], required=False, label=_("紧急联系人电话")
        )
    if "skills" in changes:
        changes["skills"] = _clean_skills(changes["skills"])
    if "home_region" in changes:
        require_role_at(actor, changes["home_region"])
    for field, value in changes.items():
        setattr(volunteer, field, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(volunteer, exclude=["home_region", "user", "registered_by"])
    volunteer.save()
    if regions is not None:
        volunteer.service_regions.set(regions)
    return volunteer


@transaction.atomic
def volunteer_set_location_consent(*, actor, volunteer: Volunteer, consent: bool) -> Volunteer:
    """Give or withdraw the separate consent to location use (geofence check-in). Only the
    volunteer; withdrawing is as easy as giving (个人信息保护法 art. 15)."""
    if not is_self(actor, volunteer):
        raise PermissionDenied()
    volunteer.location_consented_at = timezone.now() if consent else None
    volunteer.save(update_fields=["location_consented_at", "updated_at"])
    audit_record(
        action="location_consent_given" if consent else "location_consent_withdrawn",
        actor=actor,
        obj=volunteer,
    )
    return volunteer


@transaction.atomic
def volunteer_accept_privacy(*, actor, volunteer: Volunteer, version: str) -> Volunteer:
    if not is_self(actor, volunteer):
        raise PermissionDenied()
    if version != PRIVACY_NOTICE_VERSION:
        raise ValidationFailed(_("隐私声明版本无效，请刷新页面。"), code="privacy_version")
    volunteer.privacy_notice_version = version
    volunteer.privacy_consented_at = timezone.now()
    volunteer.save(update_fields=["privacy_notice_version", "privacy_consented_at", "updated_at"])
    return volunteer


@transaction.atomic
def volunteer_record_guardian_consent(
    *, actor, volunteer: Volunteer, guardian_name: str, guardian_phone: str
) -> Volunteer:
    """Staff record a guardian's consent (e.g. signed on paper at the station)."""
    require_role_at(actor, volunteer.home_region)
    guardian_name = (guardian_name or "").strip()
    if not guardian_name:
        raise ValidationFailed(_("请填写监护人姓名。"), code="guardian_name_required")
    volunteer.guardian_name = guardian_name[:50]
    volunteer.guardian_phone = check_phone(guardian_phone, label=_("监护人电话"))
    volunteer.guardian_consented_at = timezone.now()
    volunteer.save(
        update_fields=["guardian_name", "guardian_phone", "guardian_consented_at", "updated_at"]
    )
    audit_record(action="guardian_consent_recorded", actor=actor, obj=volunteer)
    return volunteer


def leads_team_of(user, volunteer: Volunteer) -> bool:
    """Whether ``user`` leads an active team the volunteer is an active member of."""
    if not user.is_authenticated:
        return False
    led = TeamMembership.objects.filter(
        volunteer__user=user, role=MembershipRole.LEADER, status=MembershipStatus.ACTIVE
    ).values("team_id")
    return TeamMembership.objects.filter(
        volunteer=volunteer, status=MembershipStatus.ACTIVE, team_id__in=led
    ).exists()


def may_reveal(user, volunteer: Volunteer, field: str) -> bool:
    """Who has a need to see a field unmasked: the volunteer, staff of their home region,
    and (for contact phones only) the leader of a team they serve in."""
    if not user.is_authenticated:
        return False
    if is_self(user, volunteer) or has_role_at(user, volunteer.home_region, STAFF_ROLES):
        return True
    return field != "id_number" and leads_team_of(user, volunteer)


def volunteer_reveal(*, actor, volunteer: Volunteer, field: str, request=None) -> str:
    """The unmasked value of a personal-data field, audited every time it is shown."""
    if field not in REVEALABLE:
        raise ValidationFailed(_("不支持查看该字段。"), code="field_invalid")
    if not may_reveal(actor, volunteer, field):
        raise PermissionDenied()
    if field == "id_number":
        value = decrypt(volunteer.id_number_encrypted) if volunteer.id_number_encrypted else ""
    else:
        value = getattr(volunteer, field)
    audit_record(
        action="personal_data_viewed",
        actor=actor,
        obj=volunteer,
        detail={"field": field},
        request=request,
    )
    return value


def follow_phone_change(sender, user, phone: str, **kwargs) -> None:
    """``accounts.registration.phone_changed`` receiver: the volunteer of an account whose
    number was proven by a code takes the new number (same transaction)."""
    Volunteer.objects.filter(user=user).update(phone=phone, updated_at=timezone.now())

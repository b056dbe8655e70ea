"""我的数据: what the platform holds about a person, and their rights over it (PIPL arts.
44–47): see (export as JSON and Excel), correct the profile, withdraw optional consents,
close the account.

A person's records live in apps above accounts (orders, activities, volunteers,
notifications). accounts may not import them, so this module names their models by label
(``apps.get_model``), as Django's own contenttypes does, in one table (``SOURCES``) that
says what is exported and one function (``account_close``) that says what closing does to
each. An app that is not installed is skipped.
"""

from __future__ import annotations

import json

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfeng.core.audit import audit_record
from xinfeng.core.errors import ValidationFailed
from xinfeng.core.spreadsheet import add_sheet, append_row, new_workbook, workbook_bytes

from .codes import phone_hash
from .models import (
    OPTIONAL_CONSENTS,
    ApiToken,
    Consent,
    ConsentKind,
    DevSms,
    LoginFailure,
    PhoneCode,
    RoleAssignment,
    SmsQuota,
    User,
)
from .registration import check_profile

PROFILE_SAVED = gettext_lazy("个人资料已保存。")
CLOSE_CONFIRM_REQUIRED = gettext_lazy("请勾选确认注销账号。")

# key, sheet title, model label, the person's rows (a Q over the user), exported fields.
SOURCES = [
    (
        "consents",
        gettext_lazy("授权同意"),
        "accounts.Consent",
        lambda u: Q(user=u),
        ["kind", "version", "given_at", "withdrawn_at"],
    ),
    (
        "orders",
        gettext_lazy("我的点单"),
        "orders.Order",
        lambda u: Q(requester=u),
        [
            "id",
            "title",
            "description",
            "category",
            "state",
            "channel",
            "region__name",
            "address",
            "contact_name",
            "contact_phone",
            "submitted_at",
            "completed_at",
        ],
    ),
    (
        "ratings",
        gettext_lazy("我的评价"),
        "orders.OrderRating",
        lambda u: Q(rater=u),
        ["order_id", "order__title", "level", "dimensions", "comment", "created_at"],
    ),
    (
        "signups",
        gettext_lazy("活动报名"),
        "activities.Signup",
        lambda u: Q(user=u),
        ["activity_id", "activity__title", "state", "created_at", "cancelled_at"],
    ),
    (
        "checkins",
        gettext_lazy("签到记录"),
        "activities.Attendance",
        lambda u: Q(user=u),
        [
            "activity_id",
            "activity__title",
            "checked_in_at",
            "check_in_method",
            "checked_out_at",
            "check_out_method",
            "distance_m",
            "location_consent_at",
        ],
    ),
    (
        "volunteer",
        gettext_lazy("志愿者档案"),
        "volunteers.Volunteer",
        lambda u: Q(user=u),
        [
            "number",
            "name",
            "gender",
            "birth_date",
            "phone",
            "home_region__name",
            "skills",
            "availability",
            "political_status",
            "emergency_contact_name",
            "emergency_contact_phone",
            "guardian_name",
            "guardian_phone",
            "privacy_notice_version",
            "privacy_consented_at",
            "location_consented_at",
        ],
    ),
    (
        "hours",
        gettext_lazy("服务时长"),
        "volunteers.ServiceRecord",
        lambda u: Q(volunteer__user=u),
        [
            "id",
            "started_at",
            "ended_at",
            "hours",
            "description",
            "source_type",
            "verification",
            "is_backfill",
            "corrects_id",
            "region__name",
        ],
    ),
    (
        "points",
        gettext_lazy("积分"),
        "volunteers.PointsEntry",
        lambda u: Q(volunteer__user=u),
        ["created_at", "kind", "delta", "balance_after", "reason", "service_record_id"],
    ),
]


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def personal_data(*, user: User) -> dict:
    """Everything exported for ``user``: the profile and one list per source (``SOURCES``).
    ID numbers are not exported (they are shown only through the audited reveal)."""
    data: dict = {
        "profile": {
            "username": user.username,
            "display_name": user.display_name,
            "phone": user.phone,
            "email": user.email,
            "home_region": user.home_region.name if user.home_region is not None else None,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "roles": list(user.role_assignments.values("role", "region__name")),
        }
    }
    for key, _title, label, rows, fields in SOURCES:
        model = _model(label)
        data[key] = (
            list(model.objects.filter(rows(user)).order_by("pk").values(*fields)) if model else []
        )
    return data


def personal_data_export(*, user: User, fmt: str, request=None) -> tuple[bytes, str, str]:
    """The export as (content, content type, file name); ``fmt`` is ``json`` or ``xlsx``.
    Audited."""
    if fmt not in ("json", "xlsx"):
        raise ValidationFailed(_("不支持的格式。"), code="invalid_format")
    data = personal_data(user=user)
    stamp = timezone.localtime().strftime("%Y%m%d")
    audit_record(
        action="personal_data_export", actor=user, obj=user, detail={"format": fmt}, request=request
    )
    if fmt == "json":
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()
        return body, "application/json; charset=utf-8", f"my-data-{stamp}.json"
    return (
        _xlsx(data),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        f"my-data-{stamp}.xlsx",
    )


def _cell(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if hasattr(value, "as_tuple"):  # Decimal
        return float(value)
    return value


def _xlsx(data: dict) -> bytes:
    # Through core.spreadsheet: text cells, never formulas (the person's own entries may
    # start with "=").
    book = new_workbook()
    sheet = add_sheet(book, _("个人资料"))
    for field, value in data["profile"].items():
        append_row(sheet, [field, _cell(value)])
    for key, title, _label, _rows, fields in SOURCES:
        sheet = add_sheet(book, str(title))
        append_row(sheet, fields)
        for row in data[key]:
            append_row(sheet, [_cell(row.get(f)) for f in fields])
    return workbook_bytes(book)


@transaction.atomic
def profile_update(
    *, user: User, display_name: str, home_region, email: str = "", request=None
) -> User:
    """Correct the profile (name, home village, email). The phone changes only with a
    code (``registration.phone_change``). Audited with the names of the changed fields."""
    if home_region == user.home_region:  # unchanged: any level already held is kept
        display_name = check_profile(display_name=display_name, home_region=None, home=False)
    else:
        display_name = check_profile(display_name=display_name, home_region=home_region)
    email = (email or "").strip()
    if len(email) > 254 or (email and "@" not in email):
        raise ValidationFailed(
            _("请输入有效的邮箱地址。"),
            code="invalid_email",
            fields={"email": _("请输入有效的邮箱地址。")},
        )
    changed = [
        f
        for f, v in (("display_name", display_name), ("home_region", home_region), ("email", email))
        if getattr(user, f) != v
    ]
    if changed:
        user.display_name, user.home_region, user.email = display_name, home_region, email
        user.save(update_fields=changed)
        audit_record(
            action="profile_updated",
            actor=user,
            obj=user,
            detail={"fields": changed},
            request=request,
        )
    return user


def consents_of(*, user: User) -> list[dict]:
    """Each consent kind with whether it stands now, since when, and whether the person may
    withdraw it here. Location also stands if given at volunteer registration."""
    rows = {c.kind: c for c in user.consents.filter(withdrawn_at__isnull=True).order_by("id")}
    volunteer_model = _model("volunteers.Volunteer")
    volunteer = (
        volunteer_model.objects.filter(user=user).only("location_consented_at").first()
        if volunteer_model
        else None
    )
    out = []
    for kind in ConsentKind:
        row = rows.get(kind)
        since = row.given_at if row else None
        if kind == ConsentKind.LOCATION and volunteer and volunteer.location_consented_at:
            since = since or volunteer.location_consented_at
        out.append(
            {
                "kind": kind.value,
                "label": str(kind.label),
                "given": since is not None,
                "since": since,
                "version": row.version if row else "",
                "optional": kind in OPTIONAL_CONSENTS,
            }
        )
    return out


@transaction.atomic
def consent_set(*, user: User, kind: str, given: bool, request=None) -> None:
    """Give or withdraw an optional consent (location, photos). Withdrawing location also
    clears the volunteer profile's location consent, so geofence check-in asks again."""
    if kind not in OPTIONAL_CONSENTS:
        raise ValidationFailed(
            _("该授权不能单独撤回；如需撤回，请注销账号。"), code="consent_not_optional"
        )
    now = timezone.now()
    current = user.consents.filter(kind=kind, withdrawn_at__isnull=True)
    if given:
        if not current.exists():
            Consent.objects.create(user=user, kind=kind, given_at=now)
    else:
        current.update(withdrawn_at=now)
        volunteer_model = _model("volunteers.Volunteer")
        if kind == ConsentKind.LOCATION and volunteer_model:
            volunteer_model.objects.filter(user=user).update(location_consented_at=None)
    audit_record(
        action="consent_given" if given else "consent_withdrawn",
        actor=user,
        obj=user,
        detail={"kind": kind},
        request=request,
    )


def _blank(model_label: str, q: Q, **values) -> None:
    model = _model(model_label)
    if model is not None:
        model.objects.filter(q).update(**values)


@transaction.atomic
def account_close(*, user: User, request=None) -> None:
    """Close the account: remove or anonymise the person's data, keeping only what the law
    says must be kept — the volunteer service records (志愿服务记录与证明出具办法: the
    volunteer's name and number, hours, points, certificates), without any contact data.
    Orders, ratings, sign-ups and check-ins stay as anonymous statistics. Locks the user
    row. Audited (the audit row holds no phone or name). Sessions end because the password
    becomes unusable."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.closed_at is not None:
        return
    phone = user.phone or ""
    names = {n for n in (user.display_name, user.username, user.get_full_name()) if n}
    now = timezone.now()

    _blank(
        "orders.Order",
        Q(requester=user),
        contact_name="",
        contact_phone="",
        address="",
        description="",
    )
    _blank("orders.OrderRating", Q(rater=user), comment="")
    _blank("activities.Attendance", Q(user=user), latitude=None, longitude=None)
    _blank(
        "volunteers.Volunteer",
        Q(user=user),
        phone="",
        emergency_contact_name="",
        emergency_contact_phone="",
        guardian_name="",
        guardian_phone="",
        skills=[],
        availability="",
        location_consented_at=None,
        user=None,
    )
    notification = _model("notifications.Notification")
    if notification is not None:
        notification.objects.filter(recipient=user).delete()

    Consent.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    RoleAssignment.objects.filter(user=user).delete()
    identifiers = [i.lower() for i in (phone, user.username) if i]
    LoginFailure.objects.filter(identifier__in=identifiers).delete()
    if phone:
        hashed = phone_hash(phone)
        PhoneCode.objects.filter(Q(phone_hash=hashed) | Q(user=user)).delete()
        SmsQuota.objects.filter(phone_hash=hashed).delete()
        DevSms.objects.filter(phone=phone).delete()
    _scrub_audit(user=user, values=[phone, *names])

    user.username = f"closed-{user.pk}"
    user.display_name = user.first_name = user.last_name = user.email = ""
    user.phone = None
    user.home_region = None
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.closed_at = now
    user.save()
    audit_record(action="account_closed", actor=None, obj=user, request=request)


def _scrub_audit(*, user: User, values: list[str]) -> None:
    """Audit rows stay (who did what when) but lose any detail naming the person: a failed
    login keeps the identifier typed, a reveal or a profile change may name them. Looks at
    the person's own rows and the failed logins with their number or username (an indexed
    key lookup), then checks the detail text in Python (portable across databases)."""
    from xinfeng.core.models import AuditEvent

    values = [v for v in values if v and len(v) >= 2]
    if not values:
        return
    typed = [v for v in values if v.isascii()] + [v.lower() for v in values if v.isascii()]
    suspects = AuditEvent.objects.filter(
        Q(actor=user)
        | Q(object_id=str(user.pk))
        | Q(action="login_failed", detail__identifier__in=typed)
    ).only("id", "detail")
    for event in suspects.iterator():
        text = json.dumps(event.detail, ensure_ascii=False)
        if any(v in text for v in values):
            event.detail = {"scrubbed": True}
            event.save(update_fields=["detail"])

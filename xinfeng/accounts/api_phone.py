"""Accounts API for apps (a WeChat mini-program): sign-up by phone and code, sign-in by
code or password, password reset by code, phone change, and 我的数据.

Sign-in answers carry a bearer token (an ordinary ``ApiToken``; the app keeps it and
sends ``Authorization: Bearer``), never a session cookie: the anonymous endpoints need no
CSRF token and cannot log a browser into someone else's account. The same services as
the pages, so the same rules and messages.
"""

from datetime import datetime

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import ValidationFailed
from xinfeng.core.schema import DbId
from xinfeng.regions.models import Region

from . import personal_data, registration
from .models import CodePurpose, ConsentKind
from .services import api_token_create, user_login_check

router = Router(tags=["accounts: sign-up and sign-in"])

TOKEN_NAME = "app"


class CodeIn(Schema):
    phone: str = Field(..., max_length=30, description="mainland mobile number, 11 digits")
    purpose: str = Field(..., description="signup | login | reset")


class CodeSentOut(Schema):
    detail: str
    expires_in: int = Field(..., description="seconds the code stays valid")
    resend_in: int = Field(..., description="seconds before another code may be asked for")


class SignupIn(Schema):
    phone: str = Field(..., max_length=30)
    code: str = Field(..., max_length=10)
    display_name: str = Field(..., max_length=50)
    home_region_id: DbId = Field(..., description="the home village or natural village")
    password: str = Field("", max_length=128, description="optional; sign in by code without")
    privacy_accepted: bool = Field(..., description="the privacy notice was shown and accepted")


class SignedIn(Schema):
    token: str = Field(..., description="bearer token for the app; shown only in this answer")
    user_id: int
    name: str


class CodeLoginIn(Schema):
    phone: str = Field(..., max_length=30)
    code: str = Field(..., max_length=10)


class PasswordLoginIn(Schema):
    identifier: str = Field(..., max_length=150, description="username or mobile number")
    password: str = Field(..., max_length=128)


class ResetIn(Schema):
    phone: str = Field(..., max_length=30)
    code: str = Field(..., max_length=10)
    new_password: str = Field(..., max_length=128)


class Done(Schema):
    detail: str


class PhoneCodeIn(Schema):
    phone: str = Field(..., max_length=30)


class PhoneChangeIn(Schema):
    phone: str = Field(..., max_length=30)
    code: str = Field(..., max_length=10)


class ProfileIn(Schema):
    display_name: str = Field(..., max_length=50)
    home_region_id: DbId
    email: str = Field("", max_length=254)


class ConsentOut(Schema):
    kind: str
    label: str
    given: bool
    since: datetime | None
    version: str
    optional: bool


class ConsentIn(Schema):
    given: bool


class CloseIn(Schema):
    confirm: bool = Field(..., description="must be true: closing cannot be undone")


def _signed_in(user) -> SignedIn:
    _token, raw = api_token_create(user=user, name=TOKEN_NAME)
    return SignedIn(token=raw, user_id=user.pk, name=user.name)


def _region(region_id: int) -> Region:
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise ValidationFailed(registration.HOME_REQUIRED, code="invalid_region")
    return region


ANONYMOUS_PURPOSES = (CodePurpose.SIGNUP, CodePurpose.LOGIN, CodePurpose.RESET)


@router.post(
    "/codes",
    auth=None,
    response={202: CodeSentOut},
    summary="Send a verification code by SMS (sign-up, sign-in, password reset)",
    description="The answer is the same whether or not the number has an account. "
    "400 invalid_phone for a malformed number; 429 throttled (1 per 60 s and 10 a day per "
    "number, and per client address).",
)
def send_code(request, payload: CodeIn):
    if payload.purpose not in ANONYMOUS_PURPOSES:
        raise ValidationFailed(
            "purpose: signup | login | reset (phone change: POST /me/phone/code)",
            code="invalid_purpose",
        )
    sent = registration.code_request(phone=payload.phone, purpose=payload.purpose, request=request)
    return Status(202, CodeSentOut(**sent.__dict__))


@router.post(
    "/signup",
    auth=None,
    response={201: SignedIn},
    summary="Create an account with a sign-up code; answers a bearer token",
    description="Code errors are 400 with code code_invalid, code_expired, code_used or "
    "code_too_many_tries.",
)
def signup(request, payload: SignupIn):
    user = registration.user_signup(
        phone=payload.phone,
        code=payload.code,
        display_name=payload.display_name,
        home_region=_region(payload.home_region_id),
        password=payload.password,
        privacy_accepted=payload.privacy_accepted,
        request=request,
    )
    return Status(201, _signed_in(user))


@router.post("/login/code", auth=None, response=SignedIn, summary="Sign in with a code")
def login_code(request, payload: CodeLoginIn):
    user = registration.user_login_by_code(phone=payload.phone, code=payload.code, request=request)
    return _signed_in(user)


@router.post(
    "/login/password",
    auth=None,
    response=SignedIn,
    summary="Sign in with username or phone and password (throttled like the page)",
)
def login_password(request, payload: PasswordLoginIn):
    user = user_login_check(
        request=request, identifier=payload.identifier, password=payload.password
    )
    return _signed_in(user)


@router.post("/password/reset", auth=None, response=Done, summary="Set a new password with a code")
def password_reset(request, payload: ResetIn):
    registration.password_reset_by_code(
        phone=payload.phone, code=payload.code, new_password=payload.new_password, request=request
    )
    return Done(detail=str(registration.RESET_DONE))


@router.post(
    "/me/phone/code",
    response={202: CodeSentOut},
    summary="Send a code to the new number before changing my phone",
    auth=signed_in,
)
def phone_code(request, payload: PhoneCodeIn):
    sent = registration.code_request(
        phone=payload.phone, purpose=CodePurpose.CHANGE_PHONE, request=request, user=request.auth
    )
    return Status(202, CodeSentOut(**sent.__dict__))


@router.post(
    "/me/phone",
    response=Done,
    summary="Change my phone number with the code sent to it",
    auth=signed_in,
)
def phone_change(request, payload: PhoneChangeIn):
    registration.phone_change(
        user=request.auth, phone=payload.phone, code=payload.code, request=request
    )
    return Done(detail=str(registration.PHONE_CHANGED))


@router.get(
    "/me/data", summary="我的数据: everything the platform holds about me (JSON)", auth=signed_in
)
def my_data(request):
    body, content_type, name = personal_data.personal_data_export(
        user=request.auth, fmt="json", request=request
    )
    return HttpResponse(body, content_type=content_type)


@router.patch(
    "/me/profile",
    response=Done,
    summary="Correct my profile (name, home village, email)",
    auth=signed_in,
)
def profile(request, payload: ProfileIn):
    personal_data.profile_update(
        user=request.auth,
        display_name=payload.display_name,
        home_region=_region(payload.home_region_id),
        email=payload.email,
        request=request,
    )
    return Done(detail=str(personal_data.PROFILE_SAVED))


@router.get("/me/consents", response=list[ConsentOut], summary="My consents", auth=signed_in)
def consents(request):
    return personal_data.consents_of(user=request.auth)


@router.put(
    "/me/consents/{kind}",
    response=list[ConsentOut],
    summary="Give or withdraw an optional consent (location, photos)",
    auth=signed_in,
)
def consent_set(request, kind: ConsentKind, payload: ConsentIn):
    user = request.auth
    personal_data.consent_set(user=user, kind=kind, given=payload.given, request=request)
    return personal_data.consents_of(user=user)


@router.post(
    "/me/close",
    response={204: None},
    summary="Close my account (personal data removed; volunteer service records kept "
    "without contact data)",
    auth=signed_in,
)
def close(request, payload: CloseIn):
    user = request.auth
    if not payload.confirm:
        raise ValidationFailed(personal_data.CLOSE_CONFIRM_REQUIRED, code="confirm_required")
    personal_data.account_close(user=user, request=request)
    return Status(204, None)

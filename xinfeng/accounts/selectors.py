"""Reads of accounts. Staff see the users who live in their scope; everyone sees
themselves and their own tokens."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from xinfeng.core.errors import NotFound, ValidationFailed

from .choices import STAFF_ROLES
from .models import ApiToken, User
from .scope import get_in_scope, restrict


def user_list(*, actor, q: str | None = None) -> QuerySet:
    """Users whose home region lies in the actor's staff scope (system admins: everyone)."""
    qs = restrict(
        User.objects.select_related("home_region").filter(is_active=True),
        actor,
        path_field="home_region__path",
        roles=STAFF_ROLES,
    )
    if q:
        qs = qs.filter(Q(display_name__icontains=q) | Q(username__icontains=q) | Q(phone=q.strip()))
    return qs


def user_get(*, actor, user_id: int) -> User:
    """A user in the actor's scope, or 404 (the same as a user that does not exist)."""
    return get_in_scope(
        User.objects.select_related("home_region"),
        actor,
        path_field="home_region__path",
        roles=STAFF_ROLES,
        pk=user_id,
    )


def user_by_identifier(*, identifier: str) -> User:
    """The active user with exactly this username or phone number (for naming a site's
    operator or responsible person). A 400 when there is none: it is a form input."""
    identifier = (identifier or "").strip()
    user = None
    if identifier:
        user = (
            User.objects.filter(is_active=True)
            .filter(Q(username=identifier) | Q(phone=identifier))
            .first()
        )
    if user is None:
        raise ValidationFailed(_("没有用户名或手机号为“%(v)s”的账号。") % {"v": identifier[:40]})
    return user


def api_tokens_of(*, user) -> QuerySet:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_get(*, user, token_id: int) -> ApiToken:
    """One of the user's own tokens; anyone else's answers 404."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound()
    return token

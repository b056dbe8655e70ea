from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import User


class PhoneOrUsernameBackend(ModelBackend):
    """Authenticate with a username or an 11-digit mobile phone number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        username = username.strip()
        user = User.objects.filter(Q(username=username) | Q(phone=username)).first()
        if user is None:
            User().set_password(password)  # same cost as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The session's user from the per-process entry of ``accounts.middleware`` (kept
        current by the same version as bearer tokens), active accounts only."""
        from .middleware import session_user

        user = session_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

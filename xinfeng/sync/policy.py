"""Who may see and act on the sync queue (the named yes/no rules)."""

from django.utils.translation import gettext as _

from xinfeng.accounts.choices import Role
from xinfeng.accounts.scope import is_system_admin, roles_of
from xinfeng.core.errors import NotAuthenticated, PermissionDenied


def may_manage_sync(user) -> bool:
    """The outbox spans the whole county (and the city): only 实践中心管理员 and system
    administrators see its dead letters, retry them, or pause a target."""
    if user is None or not user.is_authenticated:
        return False
    return is_system_admin(user) or Role.CENTER_ADMIN in roles_of(user)


def require_sync_staff(user) -> None:
    if user is None or not user.is_authenticated:
        raise NotAuthenticated(_("请先登录。"))
    if not may_manage_sync(user):
        raise PermissionDenied(_("只有实践中心管理员和系统管理员可以管理数据上报。"))

"""Domain errors shared by services, pages and the API.

Services raise these; the API turns them into ``{"detail", "code"}`` JSON with the given
status, pages into a message. A message constant is shared by code and tests.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, detail=None, *, code: str | None = None, status: int | None = None):
        self.detail = detail if detail is not None else self.default_detail()
        if code:
            self.code = code
        if status:
            self.status = status
        super().__init__(str(self.detail))

    @staticmethod
    def default_detail():
        return _("请求无效。")


class ValidationFailed(DomainError):
    """Bad input. ``fields`` optionally maps field names to messages, so a page can show
    each message next to its field; ``detail`` always carries the whole message."""

    status = 400
    code = "invalid"

    def __init__(self, detail=None, *, code: str | None = None, fields: dict | None = None):
        self.fields = fields or {}
        super().__init__(detail, code=code)


class NotFound(DomainError):
    """Missing, or outside the user's scope: the two are indistinguishable on purpose."""

    status = 404
    code = "not_found"

    @staticmethod
    def default_detail():
        return _("未找到。")


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"

    @staticmethod
    def default_detail():
        return _("您没有执行此操作的权限。")


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"

    @staticmethod
    def default_detail():
        return _("请先登录。")


class Conflict(DomainError):
    """The object is not in a state that allows the action (e.g. already accepted)."""

    status = 409
    code = "conflict"

    @staticmethod
    def default_detail():
        return _("当前状态不允许此操作。")


class Throttled(DomainError):
    status = 429
    code = "throttled"

    @staticmethod
    def default_detail():
        return _("尝试次数过多，请稍后再试。")

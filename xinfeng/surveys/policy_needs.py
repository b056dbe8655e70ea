"""Who may do what with results, clusters and needs (PART 2; the survey rules are in
``policy``).

- ``may_read_results``: staff who see the survey on their staff list
  (``selectors.staff_survey_get``) read its results; how much of them is
  ``results.results_scope`` (all for those who manage it, their own villages otherwise).
- Clusters and needs are edited by those who manage the survey (``policy.may_manage_survey``).
- ``may_edit_stop_words``: the stop-word list is one for the whole platform; it changes only
  how answers are grouped, never who sees them, so staff anywhere may edit it.
"""

from django.utils.translation import gettext_lazy as _

from xinfeng.accounts.scope import is_staff_anywhere, is_system_admin
from xinfeng.core.errors import NotAuthenticated, PermissionDenied

NOT_STAFF = _("只有工作人员可以修改停用词。")


def may_edit_stop_words(user) -> bool:
    """Staff anywhere (or a system administrator)."""
    if user is None or not user.is_authenticated:
        return False
    return is_system_admin(user) or is_staff_anywhere(user)


def require_may_edit_stop_words(user) -> None:
    if user is None or not user.is_authenticated:
        raise NotAuthenticated()
    if not may_edit_stop_words(user):
        raise PermissionDenied(NOT_STAFF, code="not_staff")

"""Who may do what with a survey: one named rule each, used by services, pages and API.

- ``may_manage_survey``: edit, publish, close, export, print posters — staff (a staff
  role) at the survey's owning region or above: center staff city-wide, an institute its
  township, a station its village.
- ``may_enter_paper``: enter paper questionnaires (代填) — staff whose area meets the
  survey's coverage (a station enters its own village's papers of a township survey);
  ``paper_villages`` is where they may enter them.
- ``age_band_allowed``: minors answer like the volunteers app lets them serve — from
  ``volunteers.policy.GUARDIAN_CONSENT_AGE`` (14) on their own, younger only with a
  guardian's consent recorded on the response.
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import has_role_at, is_system_admin, scope_paths
from xinfeng.core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import PATH_SEGMENT, Region, subtree_q
from xinfeng.volunteers.policy import GUARDIAN_CONSENT_AGE

from .choices import AgeBand
from .models import Survey

MINOR_NEEDS_GUARDIAN = _("%(age)d 岁以下的居民需经监护人同意才能作答。")
NOT_YOURS = _("您不能管理这份问卷：它属于其他阵地。")
NO_PAPER = _("您不能为这份问卷代填：它不覆盖您负责的村（社区）。")


def is_authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def may_manage_survey(user, survey: Survey) -> bool:
    """Staff at the survey's owning region or above."""
    return is_authenticated(user) and has_role_at(user, survey.region, STAFF_ROLES)


def require_may_manage(user, survey: Survey) -> None:
    if not is_authenticated(user):
        raise NotAuthenticated()
    if not may_manage_survey(user, survey):
        raise PermissionDenied(NOT_YOURS, code="not_survey_staff")


def coverage_paths(survey: Survey) -> list[str]:
    """Region paths the survey covers (its owner's region when none was chosen)."""
    paths = [r.path for r in survey.regions.all()]
    return paths or [survey.region.path]


def _ancestor_paths(paths) -> set[str]:
    out = set()
    for p in paths:
        for end in range(PATH_SEGMENT, len(p) + 1, PATH_SEGMENT):
            out.add(p[:end])
    return out


def paper_villages(user, survey: Survey) -> QuerySet:
    """Villages (村/社区) where ``user`` may enter paper answers of ``survey``: inside its
    coverage and inside the user's staff area."""
    qs = Region.objects.filter(level=RegionLevel.VILLAGE).filter(subtree_q(coverage_paths(survey)))
    if not is_authenticated(user):
        return qs.none()
    paths = scope_paths(user, STAFF_ROLES)
    if paths is None:
        return qs
    return qs.filter(subtree_q(paths)) if paths else qs.none()


def may_enter_paper(user, survey: Survey) -> bool:
    """Staff whose area meets the survey's coverage (above it, or inside it)."""
    if not is_authenticated(user):
        return False
    if is_system_admin(user) or may_manage_survey(user, survey):
        return True
    mine = scope_paths(user, STAFF_ROLES) or []
    cover = coverage_paths(survey)
    return any(m.startswith(c) or c.startswith(m) for m in mine for c in cover)


def require_may_enter_paper(user, survey: Survey) -> None:
    if not is_authenticated(user):
        raise NotAuthenticated()
    if not may_enter_paper(user, survey):
        raise PermissionDenied(NO_PAPER, code="not_paper_staff")


def staff_surveys_q(user) -> Q | None:
    """The surveys a staff member sees on the staff list: owned in their area, or covering
    it (so a station sees its township's survey to enter papers). ``None``: all."""
    paths = scope_paths(user, STAFF_ROLES)
    if paths is None:
        return None
    if not paths:
        return Q(pk__in=[])
    return (
        subtree_q(paths, "region__path")
        | subtree_q(paths, "regions__path")
        | Q(regions__path__in=_ancestor_paths(paths))
        | (Q(regions__isnull=True) & Q(region__path__in=_ancestor_paths(paths)))
    )


def age_band_allowed(age_band: str, guardian_consent: bool) -> None:
    """Raise unless a respondent of ``age_band`` may answer (see the module docstring)."""
    if age_band == AgeBand.UNDER_14 and not guardian_consent:
        raise ValidationFailed(
            MINOR_NEEDS_GUARDIAN % {"age": GUARDIAN_CONSENT_AGE},
            code="minor_needs_guardian",
            fields={"age_band": str(MINOR_NEEDS_GUARDIAN % {"age": GUARDIAN_CONSENT_AGE})},
        )

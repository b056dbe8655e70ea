"""Reads of results, clusters and needs, scoped to the reader (PART 2).

A survey's results, clusters and needs are read by the staff who see the survey on their
staff list (``selectors.staff_survey_get``): another area's survey is 404 like a missing
one; a signed-in person with no staff role anywhere is refused (403); anonymous → sign in.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xinfeng.accounts.scope import is_staff_anywhere
from xinfeng.core.errors import NotAuthenticated, NotFound, PermissionDenied

from . import selectors
from .models import Answer, Cluster, Need, Survey

STAFF_ONLY = _("调查结果和群众需求只对工作人员开放。")


def require_staff(user) -> None:
    if user is None or not user.is_authenticated:
        raise NotAuthenticated()
    if not is_staff_anywhere(user):
        raise PermissionDenied(STAFF_ONLY, code="staff_only")


def results_survey(*, user, survey_id: int) -> Survey:
    require_staff(user)
    return selectors.staff_survey_get(user=user, survey_id=survey_id)


def visible_surveys(user) -> QuerySet:
    require_staff(user)
    return selectors.staff_survey_list(user=user)


def cluster_get(*, user, cluster_id: int) -> Cluster:
    require_staff(user)
    cluster = (
        Cluster.objects.select_related("survey", "survey__region", "survey__site")
        .filter(pk=cluster_id, survey__in=selectors.staff_survey_list(user=user).values("pk"))
        .first()
    )
    if cluster is None:
        raise NotFound()
    return cluster


def clusters_of(survey: Survey, question_name: str) -> QuerySet:
    return (
        Cluster.objects.filter(survey=survey, question_name=question_name)
        .select_related("need")
        .order_by("-count", "id")
    )


def need_list(*, user) -> QuerySet:
    require_staff(user)
    return (
        Need.objects.filter(survey__in=selectors.staff_survey_list(user=user).values("pk"))
        .select_related("survey", "region")
        .order_by("-people", "id")
    )


def need_get(*, user, need_id: int) -> Need:
    need = need_list(user=user).select_related("cluster", "survey__site").filter(pk=need_id).first()
    if need is None:
        raise NotFound()
    return need


def needs_for_project(project) -> dict | None:
    """What the project page says: people and villages who asked for it (its needs' clusters),
    or None when no need is linked. Two queries."""
    needs = list(Need.objects.filter(projects=project).select_related("survey").order_by("id"))
    if not needs:
        return None
    cluster_ids = [n.cluster_id for n in needs if n.cluster_id]
    villages = (
        Answer.objects.filter(cluster_member__cluster_id__in=cluster_ids)
        .exclude(village_id=None)
        .values("village_id")
        .distinct()
        .count()
        if cluster_ids
        else 0
    )
    return {
        "needs": needs,
        "people": sum(n.people for n in needs),
        "villages": villages or max(n.villages for n in needs),
    }

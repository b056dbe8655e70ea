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


EXAMPLES_SHOWN = 3


def clusters_for(*, user, survey: Survey, question_name: str) -> list[Cluster]:
    """``clusters_of`` for ``user``, each with ``shown_examples``: the stored examples for
    those who read every village's answers, else up to three of the cluster's answers from
    the user's own villages — a station reads only its villages' raw answers (results, the
    Excel export, a cluster's page), and examples are raw answers."""
    clusters = list(clusters_of(survey, question_name))
    show_examples(user=user, survey=survey, clusters=clusters)
    return clusters


def show_examples(*, user, survey: Survey, clusters: list[Cluster]) -> None:
    """Set ``shown_examples`` on each of ``clusters`` (of ``survey``) for ``user``."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from . import results

    villages = results.results_scope(user, survey)
    if villages is None:
        for c in clusters:
            c.shown_examples = [str(e) for e in c.examples or []]
        return
    mine: dict[int, list[str]] = {}
    if clusters and villages:
        rows = (
            Answer.objects.filter(
                cluster_member__cluster__in=[c.pk for c in clusters], village_id__in=villages
            )
            .annotate(
                cid=F("cluster_member__cluster_id"),
                n=Window(RowNumber(), partition_by=F("cluster_member__cluster_id"), order_by="id"),
            )
            .filter(n__lte=EXAMPLES_SHOWN)
            .values_list("cid", "text")
        )
        for cid, text in rows:
            mine.setdefault(cid, []).append(text)
    for c in clusters:
        c.shown_examples = mine.get(c.pk, [])


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

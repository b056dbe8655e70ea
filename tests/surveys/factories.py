"""Survey objects for tests that need them without going through pages (the authz matrix)."""

from xinfeng.surveys.services import authoring


def matrix_surveys(tree, owner) -> dict:
    """A published 问需 survey of 水口村's station (``owner``: its station operator)
    covering 水口村, with the PART 1 questions."""
    from .conftest import QUESTIONS

    survey = authoring.survey_create(
        actor=owner, site=tree.st1, kind="needs", title="矩阵问卷", regions=[tree.v1]
    )
    authoring.survey_set_questions(actor=owner, survey=survey, questions=QUESTIONS)
    authoring.survey_publish(actor=owner, survey=survey)
    return {"survey_id": survey.pk, **matrix_needs(survey, owner)}


def matrix_needs(survey, owner) -> dict:
    """PART 2: a cluster of the survey's free-text answers and the need made of it."""
    from xinfeng.surveys.models import Cluster
    from xinfeng.surveys.services.needs import cluster_mark_need

    cluster = Cluster.objects.create(survey=survey, question_name="wish", label="老人助餐")
    need = cluster_mark_need(actor=owner, cluster=cluster)
    return {"cluster_id": cluster.pk, "need_id": need.pk}

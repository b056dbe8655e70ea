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
    return {"survey_id": survey.pk}

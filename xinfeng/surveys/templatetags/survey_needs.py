"""What the surveys app shows on a project page (through the ``projects.detail.after``
slot): where the project came from (the needs it answers) and its 问效 result."""

from django import template

from xinfeng.accounts.scope import is_staff_anywhere

from ..models import ProjectEvaluation
from ..selectors_needs import needs_for_project
from ..services.evaluation import POOR_BELOW, POOR_MIN_ANSWERS

register = template.Library()


@register.simple_tag(takes_context=True)
def project_survey_info(context, project):
    """``{"people", "villages", "needs", "link_need", "evaluation", ...}`` or None."""
    info = needs_for_project(project) or {}
    evaluation = ProjectEvaluation.objects.filter(project=project).first()
    if not info and evaluation is None:
        return None
    user = context.get("user")
    info["may_follow"] = bool(user is not None and is_staff_anywhere(user))
    info["evaluation"] = evaluation
    info["poor_below"] = POOR_BELOW
    info["poor_min"] = POOR_MIN_ANSWERS
    return info

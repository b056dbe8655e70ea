"""问效: ask the people a project served how well it went, and flag a poor result.

- **When**: a project has served once it has a rated order or a held activity
  (``project_has_served``). Its site's staff then send a 问效 survey (kind ``evaluation``,
  ``Survey.project`` = the project, open) with ``evaluation_send``.
- **To whom** (``evaluation_recipients``): the residents who raised a need the project
  answers (signed-in respondents whose text answer sits in that need's cluster) and its
  beneficiaries (requesters of its rated orders, people who attended its activities). Each
  gets one inbox notification with the survey's link; ``Survey.meta["evaluation_sent"]``
  records when and to how many.
- **Result** (``evaluation_refresh``): the mean of every 1–5 rating answer of the project's
  问效 surveys, stored in ``ProjectEvaluation`` and shown on the project page.
- **Poor** means: at least ``POOR_MIN_ANSWERS`` (10) rating answers and a mean below
  ``POOR_BELOW`` (3.0 of 5). A poor project is flagged for review (``flagged``) and its
  site's staff are told once; a later good result clears the flag.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.models import RoleAssignment
from xinfeng.activities.models import Activity, Attendance
from xinfeng.core.errors import Conflict, ValidationFailed
from xinfeng.notifications.services import notify
from xinfeng.orders.models import Order
from xinfeng.projects.models import Project

from .. import policy
from ..choices import QuestionType, SurveyKind, SurveyStatus
from ..models import Answer, Need, ProjectEvaluation, Response, Survey

POOR_BELOW = 3.0
POOR_MIN_ANSWERS = 10


def is_poor(mean: float | None, answers: int) -> bool:
    return mean is not None and answers >= POOR_MIN_ANSWERS and mean < POOR_BELOW


def project_has_served(project: Project) -> bool:
    now = timezone.now()
    return (
        Order.objects.filter(project=project, rated_at__isnull=False).exists()
        or Activity.objects.filter(project=project, ends_at__lte=now).exists()
    )


def evaluation_recipients(project: Project) -> list:
    """Users to ask (see the module docstring), without duplicates, ordered by id."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    needs = Need.objects.filter(projects=project)
    raised = Response.objects.filter(
        answers__cluster_member__cluster__need__in=needs, respondent__isnull=False
    ).values("respondent_id")
    ordered = Order.objects.filter(project=project, rated_at__isnull=False).values("requester_id")
    attended = Attendance.objects.filter(activity__project=project).values("user_id")
    return list(
        User.objects.filter(pk__in=raised)
        .union(User.objects.filter(pk__in=ordered), User.objects.filter(pk__in=attended))
        .order_by("id")
    )


@transaction.atomic
def evaluation_send(*, actor, survey: Survey) -> int:
    """Send the 问效 survey's link to the project's residents; returns how many."""
    policy.require_may_manage(actor, survey)
    if survey.kind != SurveyKind.EVALUATION or survey.project_id is None:
        raise ValidationFailed(_("只有关联了项目的问效问卷可以发送。"), code="not_evaluation")
    if survey.status != SurveyStatus.OPEN:
        raise Conflict(_("问卷未在收集中，不能发送。"), code="not_open")
    if not project_has_served(survey.project):
        raise Conflict(_("项目还没有完成评价的订单或已举办的活动，暂不能问效。"), code="not_served")
    recipients = evaluation_recipients(survey.project)
    notify(
        recipients=recipients,
        title=_("请评价服务项目“%(p)s”") % {"p": survey.project.name},
        body=_("您参与或提出需求的志愿服务项目已开展，请花一分钟告诉我们效果如何。"),
        link=f"/surveys/s/{survey.token}/",
        kind="surveys.evaluation",
    )
    meta = dict(survey.meta or {})
    meta["evaluation_sent"] = {"at": timezone.now().isoformat(), "recipients": len(recipients)}
    survey.meta = meta
    survey.save(update_fields=["meta", "updated_at"])
    return len(recipients)


def evaluation_refresh(project: Project) -> ProjectEvaluation:
    """Recompute a project's 问效 result and flag (see the module docstring)."""
    agg = Answer.objects.filter(
        survey__kind=SurveyKind.EVALUATION,
        survey__project=project,
        question__qtype=QuestionType.RATING,
        number__isnull=False,
    ).aggregate(mean=Avg("number"), n=Count("id"))
    mean, n = agg["mean"], agg["n"] or 0
    row, _created = ProjectEvaluation.objects.get_or_create(project=project)
    was_flagged = row.flagged
    row.mean, row.answers, row.flagged = mean, n, is_poor(mean, n)
    row.save()
    if row.flagged and not was_flagged:
        staff = [
            ra.user
            for ra in RoleAssignment.objects.filter(
                region=project.region, role__in=STAFF_ROLES
            ).select_related("user")
        ]
        notify(
            recipients=staff,
            title=_("项目“%(p)s”问效评分偏低，请复核") % {"p": project.name},
            body=_("%(n)d 份评分，平均 %(m).1f 分（低于 %(b).1f 分）。")
            % {"n": n, "m": mean, "b": POOR_BELOW},
            link=f"/projects/{project.pk}/",
            kind="surveys.evaluation_poor",
        )
    return row


def refresh_all_evaluations() -> int:
    """Refresh every project that has a 问效 survey (the periodic task)."""
    ids = (
        Survey.objects.filter(kind=SurveyKind.EVALUATION, project__isnull=False)
        .values_list("project_id", flat=True)
        .distinct()
    )
    n = 0
    for project in Project.objects.filter(pk__in=list(ids)):
        evaluation_refresh(project)
        n += 1
    return n

"""问效: ask the people a project served how well it went, and flag a poor result.

- **When**: a project has served once it has a rated order or a held activity
  (``project_has_served``). Its site's staff then send a 问效 survey (kind ``evaluation``,
  ``Survey.project`` = the project, open) with ``evaluation_send``.
- **To whom** (``evaluation_recipients``): the residents who raised a need the project
  answers (signed-in respondents whose text answer sits in that need's cluster) and its
  beneficiaries (requesters of its rated orders, people who attended its activities). Each
  gets one inbox notification with the survey's link; ``Survey.meta["evaluation_sent"]``
  records when and to how many.
- **Automatically** (``evaluation_auto``, the periodic job ``send_due_evaluations``): a
  project linked to a need that has served *since the need was recognised* (a rated order
  with ``rated_at`` or an activity ended after the need's ``created_at``) and whose 问效
  round was never sent gets it once: its open, unsent 问效 survey if staff prepared one,
  else a standard three-question one (``STANDARD_QUESTIONS``) of the project's site,
  covering the project's region, created open. Sent by the same ``evaluation_send`` as the
  button (``actor=None``: the system). A project with any sent 问效 survey, or only a draft
  or closed one (staff are handling it), is left alone; so a second run sends nothing.
- **Result** (``evaluation_refresh``): the mean of every 1–5 rating answer of the project's
  问效 surveys, stored in ``ProjectEvaluation`` and shown on the project page.
- **Poor** means: at least ``POOR_MIN_ANSWERS`` (10) rating answers and a mean below
  ``POOR_BELOW`` (3.0 of 5). A poor project is flagged for review (``flagged``) and its
  site's staff are told once; a later good result clears the flag.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Avg, Count, Exists, OuterRef, Subquery
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
from ..choices import DuplicatePolicy, QuestionType, SurveyKind, SurveyStatus
from ..models import (
    Answer,
    Need,
    ProjectEvaluation,
    Question,
    Response,
    Survey,
    SurveyVersion,
)

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
    """Send the 问效 survey's link to the project's residents; returns how many.
    ``actor=None``: the periodic job (the system), no permission check."""
    if actor is not None:
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


STANDARD_QUESTIONS = (
    # (name, type, required, zh, en)
    (
        "overall",
        QuestionType.RATING,
        True,
        "您对这个服务项目总体满意吗？",
        "Overall, how satisfied are you with this service?",
    ),
    (
        "helpful",
        QuestionType.RATING,
        True,
        "这个项目解决了您提出的需求吗？",
        "Did this project meet the need you raised?",
    ),
    (
        "comment",
        QuestionType.LONG_TEXT,
        False,
        "还有什么意见和建议？",
        "Any other comments or suggestions?",
    ),
)


def _sent(survey: Survey) -> bool:
    return bool((survey.meta or {}).get("evaluation_sent"))


def _standard_survey(project: Project) -> Survey:
    """An open 问效 survey of ``project`` with ``STANDARD_QUESTIONS`` (made by the system)."""
    now = timezone.now()
    survey = Survey.objects.create(
        title=f"{project.name[:110]}·问效",
        title_en=f"{project.name[:90]}: how well did it go?",
        kind=SurveyKind.EVALUATION,
        site=project.site,
        region_id=project.region_id,
        project=project,
        status=SurveyStatus.OPEN,
        opens_at=now,
        allow_anonymous=False,
        duplicate_policy=DuplicatePolicy.PER_PERSON,
        meta={"auto": True},
    )
    survey.regions.set([project.region_id])
    version = SurveyVersion.objects.create(survey=survey, number=1)
    Question.objects.bulk_create(
        Question(
            version=version,
            position=i + 1,
            name=name,
            qtype=qtype,
            required=required,
            label_zh=zh,
            label_en=en,
        )
        for i, (name, qtype, required, zh, en) in enumerate(STANDARD_QUESTIONS)
    )
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    return survey


def evaluation_due_projects() -> list[Project]:
    """Projects linked to a need that have served since the need was recognised and whose
    问效 round was never sent (see the module docstring)."""
    first_need = (
        Need.objects.filter(projects=OuterRef("pk")).order_by("created_at").values("created_at")[:1]
    )
    now = timezone.now()
    qs = (
        Project.objects.filter(survey_needs__isnull=False)
        .annotate(need_at=Subquery(first_need))
        .filter(
            Exists(
                Order.objects.filter(
                    project=OuterRef("pk"),
                    rated_at__isnull=False,
                    rated_at__gte=OuterRef("need_at"),
                )
            )
            | Exists(
                Activity.objects.filter(
                    project=OuterRef("pk"), ends_at__lte=now, ends_at__gte=OuterRef("need_at")
                )
            )
        )
        .distinct()
        .select_related("site")
        .order_by("pk")
    )
    out = []
    for project in qs:
        surveys = list(Survey.objects.filter(kind=SurveyKind.EVALUATION, project=project))
        if any(_sent(s) for s in surveys):
            continue
        if surveys and not any(s.status == SurveyStatus.OPEN for s in surveys):
            continue  # a draft or closed one: staff are handling it
        out.append(project)
    return out


def evaluation_auto() -> int:
    """Send every due project's 问效 round once; returns how many projects were sent."""
    n = 0
    for project in evaluation_due_projects():
        with transaction.atomic():
            locked = Project.objects.select_for_update().get(pk=project.pk)
            surveys = Survey.objects.filter(kind=SurveyKind.EVALUATION, project=locked)
            if any(_sent(s) for s in surveys):
                continue
            survey = next(
                (s for s in surveys.order_by("pk") if s.status == SurveyStatus.OPEN), None
            ) or _standard_survey(locked)
            try:
                evaluation_send(actor=None, survey=survey)
            except Conflict:  # not taking answers yet (opens later): next run
                continue
            n += 1
    return n


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

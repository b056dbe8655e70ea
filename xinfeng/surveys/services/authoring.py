"""Writing surveys: create, change, set questions (a new version once published or
answered), publish, close. Every function checks ``policy.require_may_manage`` first."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.scope import has_role_at
from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed
from xinfeng.core.validation import PLAN, check_window, full_clean_or_raise
from xinfeng.places.models import Site
from xinfeng.projects.models import Project
from xinfeng.regions.models import Region

from .. import policy
from ..choices import STATUS_MOVES, SurveyKind, SurveyStatus
from ..models import Question, Survey, SurveyVersion
from .questions import clean_questions

SURVEY_FIELDS = (
    "title",
    "title_en",
    "description",
    "kind",
    "opens_at",
    "closes_at",
    "duplicate_policy",
    "duplicate_window_hours",
    "max_per_address",
    "allow_anonymous",
)


def _check_regions(site: Site, regions) -> list[Region]:
    regions = list(regions or [])
    outside = [r.name for r in regions if not r.path.startswith(site.region.path)]
    if outside:
        raise ValidationFailed(
            _("调查范围只能是发起阵地所在区划及其下级：%(names)s 不在其中。")
            % {"names": "、".join(outside)},
            code="regions_outside",
            fields={"regions": _("调查范围超出发起阵地的区划。")},
        )
    return regions


def _check_times(opens_at: datetime | None, closes_at: datetime | None) -> None:
    check_window(PLAN, opens_at=opens_at, closes_at=closes_at)
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationFailed(
            _("截止时间须晚于开始时间。"),
            code="times_order",
            fields={"closes_at": _("截止时间须晚于开始时间。")},
        )


def _check_project(actor, kind: str, project: Project | None) -> None:
    if project is None:
        return
    if kind != SurveyKind.EVALUATION:
        raise ValidationFailed(
            _("只有问效问卷可以关联服务项目。"),
            code="project_not_evaluation",
            fields={"project": _("只有问效问卷可以关联服务项目。")},
        )
    if not has_role_at(actor, project.region):
        raise ValidationFailed(
            _("所选项目不在您的管理范围内。"),
            code="project_outside",
            fields={"project": _("所选项目不在您的管理范围内。")},
        )


@transaction.atomic
def survey_create(
    *, actor, site: Site, regions=(), project: Project | None = None, **fields
) -> Survey:
    """A draft survey of ``site`` with an empty first version. The actor must be staff of
    the site's region (or above)."""
    if not has_role_at(actor, site.region):
        raise PermissionDenied(policy.NOT_YOURS, code="not_survey_staff")
    unknown = set(fields) - set(SURVEY_FIELDS)
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    regions = _check_regions(site, regions)
    _check_times(fields.get("opens_at"), fields.get("closes_at"))
    _check_project(actor, fields.get("kind", ""), project)
    survey = Survey(site=site, region=site.region, project=project, created_by=actor, **fields)
    full_clean_or_raise(survey, exclude=["current_version", "region"])
    survey.save()
    survey.regions.set(regions)
    version = SurveyVersion.objects.create(survey=survey, number=1)
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    return survey


@transaction.atomic
def survey_update(
    *, actor, survey: Survey, regions=None, project: Project | None = None, **fields
) -> Survey:
    """Change a survey's settings (not its questions). Kind and owning site stay."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    policy.require_may_manage(actor, survey)
    unknown = set(fields) - set(SURVEY_FIELDS)
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    for k, v in fields.items():
        setattr(survey, k, v)
    _check_times(survey.opens_at, survey.closes_at)
    _check_project(actor, survey.kind, project)
    survey.project = project
    full_clean_or_raise(survey, exclude=["current_version", "region"])
    survey.save()
    if regions is not None:
        survey.regions.set(_check_regions(survey.site, regions))
    return survey


@transaction.atomic
def survey_set_questions(*, actor, survey: Survey, questions: list[dict]) -> SurveyVersion:
    """Replace the survey's questions. A draft whose current version has no answers is
    changed in place; a published survey (or a version already answered) gets a new
    version, which new answers use (answers keep theirs). Locks the survey row."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    policy.require_may_manage(actor, survey)
    cleaned = clean_questions(questions)
    version = survey.current_version
    if version is None or version.frozen_at is not None or survey.status != SurveyStatus.DRAFT:
        last = survey.versions.order_by("-number").first()
        version = SurveyVersion.objects.create(
            survey=survey,
            number=(last.number + 1) if last else 1,
            settings=dict(version.settings) if version else {},
        )
    else:
        version.questions.all().delete()
    Question.objects.bulk_create(
        [
            Question(version=version, position=i + 1, **{k: q[k] for k in QUESTION_KEYS})
            for i, q in enumerate(cleaned)
        ]
    )
    survey.current_version = version
    survey.save(update_fields=["current_version", "updated_at"])
    return version


QUESTION_KEYS = (
    "name",
    "label_zh",
    "label_en",
    "hint_zh",
    "hint_en",
    "qtype",
    "required",
    "relevant",
    "choices",
)


def _move(actor, survey: Survey, to: str) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    policy.require_may_manage(actor, survey)
    if to not in STATUS_MOVES.get(survey.status, set()):
        raise Conflict(
            _("问卷当前为“%(s)s”，不能执行此操作。") % {"s": survey.get_status_display()},
            code="survey_state",
        )
    if to == SurveyStatus.OPEN and (
        survey.current_version is None or not survey.current_version.questions.exists()
    ):
        raise Conflict(_("问卷还没有题目，不能发布。"), code="no_questions")
    survey.status = to
    fields = ["status", "updated_at"]
    if to == SurveyStatus.OPEN and survey.closes_at and survey.closes_at <= timezone.now():
        raise Conflict(_("截止时间已过，请先修改截止时间再发布。"), code="closes_in_past")
    if to == SurveyStatus.CLOSED and (
        survey.closes_at is None or survey.closes_at > timezone.now()
    ):
        survey.closes_at = timezone.now()
        fields.append("closes_at")
    survey.save(update_fields=fields)
    return survey


@transaction.atomic
def survey_publish(*, actor, survey: Survey) -> Survey:
    """Open a draft (or reopen a closed survey) for answers."""
    return _move(actor, survey, SurveyStatus.OPEN)


@transaction.atomic
def survey_close(*, actor, survey: Survey) -> Survey:
    """Stop taking answers now."""
    return _move(actor, survey, SurveyStatus.CLOSED)

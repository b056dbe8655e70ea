"""Surveys, their immutable versions, questions and per-village targets.

Shape (PART 2 — results, clusters, needs — reads these; see ``answers.py`` for the answers):

- ``Survey`` is the questionnaire as staff know it: kind, owning site (its region is copied
  to ``region`` for scoping, like ``Project.region``), covered regions, window, status,
  duplicate policy. Its questions live in ``SurveyVersion`` rows; ``current_version`` is
  the one new answers use.
- ``SurveyVersion`` is frozen (``frozen_at`` set) by its first answer: from then on its
  questions never change; editing a published survey makes a new version
  (``services.survey_edit_questions``), and every ``Response`` keeps the version it answered.
- ``Question`` is one row per question of a version (``position`` orders them); choices are
  a JSON list ``[{"key", "label_zh", "label_en"}]`` because they are read with the question
  and never queried on their own. Results group answers by ``Question.name`` across versions.
- Hook for PART 2: ``Survey.meta`` (JSON) and the plain FKs from PART 2's own models
  (``models/needs.py``: clusters of ``Answer`` rows, needs pointing at ``Survey``/``Project``)
  — nothing here points at PART 2's tables, so its migration depends on ours only.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.core.errors import Conflict
from xinfeng.core.models import TimeStampedModel
from xinfeng.places.models import Site
from xinfeng.projects.models import Project
from xinfeng.regions.models import Region

from ..choices import DuplicatePolicy, QuestionType, SurveyKind, SurveyStatus

VERSION_FROZEN = _("该版本已有答卷，题目不能再改；请修改问卷，系统会生成新版本。")


def new_survey_token() -> str:
    """The unguessable part of a survey's public link (``/surveys/s/<token>/``)."""
    return secrets.token_urlsafe(9)


class Survey(TimeStampedModel):
    """A 三问 questionnaire a practice site puts to residents: what they need (问需), how to
    do it (问计) or how well a service went (问效, optionally about one project)."""

    title = models.CharField(_("问卷标题"), max_length=120)
    title_en = models.CharField(_("英文标题"), max_length=120, blank=True)
    description = models.TextField(_("说明"), blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=SurveyKind.choices)
    site = models.ForeignKey(
        Site, verbose_name=_("发起阵地"), on_delete=models.PROTECT, related_name="surveys"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区划"),
        on_delete=models.PROTECT,
        related_name="owned_surveys",
        editable=False,
        help_text=_("取发起阵地的区划；用于权限范围。"),
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("调查范围"), blank=True, related_name="surveys"
    )
    opens_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    duplicate_policy = models.CharField(
        _("重复作答限制"),
        max_length=20,
        choices=DuplicatePolicy.choices,
        default=DuplicatePolicy.PER_DEVICE,
    )
    duplicate_window_hours = models.PositiveIntegerField(_("限制时间窗口（小时）"), default=24 * 30)
    max_per_address = models.PositiveIntegerField(
        _("同一网络地址最多份数"),
        default=30,
        help_text=_("时间窗口内同一网络地址（如村委会无线网）最多可提交的份数。"),
    )
    allow_anonymous = models.BooleanField(_("允许匿名作答"), default=True)
    project = models.ForeignKey(
        Project,
        verbose_name=_("评价的项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
        help_text=_("问效问卷可关联被评价的服务项目。"),
    )
    token = models.CharField(max_length=24, unique=True, default=new_survey_token, editable=False)
    current_version = models.ForeignKey(
        "SurveyVersion",
        verbose_name=_("当前版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    meta = models.JSONField(_("扩展信息"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.site_id:
            self.region_id = self.site.region_id
        super().save(*args, **kwargs)


class SurveyVersion(models.Model):
    """One fixed set of questions of a survey. Frozen by its first answer: answers always
    keep the exact questions they answered."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    frozen_at = models.DateTimeField(_("首次作答时间"), null=True, blank=True)
    settings = models.JSONField(
        _("XLSForm 设置"), default=dict, blank=True, help_text=_("form_id、version 等。")
    )

    class Meta:
        verbose_name = _("问卷版本")
        verbose_name_plural = _("问卷版本")
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="survey_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} v{self.number}"


class Question(models.Model):
    """One question of a survey version, in XLSForm terms: ``name`` is its stable key,
    ``relevant`` a show-if on an earlier answer (``${q} = 'key'``, ``selected(${q}, 'key')``,
    ``${q} >= 3``; joined by ``and``/``or``), ``choices`` the list for choice types."""

    version = models.ForeignKey(
        SurveyVersion, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveIntegerField(_("顺序"))
    name = models.SlugField(_("字段名"), max_length=64)
    label_zh = models.CharField(_("题目"), max_length=300)
    label_en = models.CharField(_("英文题目"), max_length=300, blank=True)
    hint_zh = models.CharField(_("提示"), max_length=300, blank=True)
    hint_en = models.CharField(_("英文提示"), max_length=300, blank=True)
    qtype = models.CharField(_("题型"), max_length=20, choices=QuestionType.choices)
    required = models.BooleanField(_("必答"), default=False)
    relevant = models.CharField(_("显示条件"), max_length=300, blank=True)
    choices = models.JSONField(_("选项"), default=list, blank=True)

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="survey_question_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if (
            self.version_id
            and SurveyVersion.objects.filter(pk=self.version_id, frozen_at__isnull=False).exists()
        ):
            raise Conflict(VERSION_FROZEN, code="version_frozen")
        super().save(*args, **kwargs)

    def choice_keys(self) -> list[str]:
        return [c["key"] for c in self.choices]


class VillageTarget(models.Model):
    """How many answers a survey aims for in one village (the response rate's denominator)."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="targets"
    )
    village = models.ForeignKey(
        Region, verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.PositiveIntegerField(_("目标份数"))

    class Meta:
        verbose_name = _("村目标份数")
        verbose_name_plural = _("村目标份数")
        constraints = [
            models.UniqueConstraint(fields=["survey", "village"], name="survey_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.village_id}: {self.target}"

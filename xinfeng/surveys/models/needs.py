"""Needs (PART 2): clusters of free-text answers, the needs staff make of them, the stop
words the clustering skips, and the 问效 verdict of a project.

- ``Cluster``: a group of text answers of one question (``question_name``, stable across
  versions) of one survey; ``count`` and ``village_count`` are kept by the services whenever
  members change (merge, split, rebuild), ``examples`` are a few typical answers' texts.
- ``ClusterMember``: an answer's place — at most one cluster per answer.
- ``Need``: what staff decided a cluster means (``title``, ``category``), with the
  resident and village counts copied from the cluster when marked; it is answered by
  service projects and/or activities (an activity series: the activities that serve it).
- ``StopWord``: staff edits to the default list (``data/stopwords.txt``): a row with
  ``enabled`` adds a word, one without switches a default word off.
- ``ProjectEvaluation``: the latest 问效 result of a project (mean of the 1–5 ratings of
  its 问效 surveys) and whether it is flagged for review (see ``services/evaluation.py``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.activities.models import Activity
from xinfeng.projects.models import Project
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import ServiceCategory

from .answers import Answer
from .survey import Survey


class NeedStatus(models.TextChoices):
    OPEN = "open", _("待响应")
    ANSWERED = "answered", _("已有项目或活动响应")
    CLOSED = "closed", _("已关闭")


class Cluster(models.Model):
    """Similar free-text answers of one question of a survey."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="clusters"
    )
    question_name = models.SlugField(_("题目字段名"), max_length=64)
    label = models.CharField(_("名称"), max_length=120)
    terms = models.JSONField(_("关键词"), default=list, blank=True)
    count = models.PositiveIntegerField(_("人数"), default=0)
    village_count = models.PositiveIntegerField(_("村数"), default=0)
    examples = models.JSONField(_("典型回答"), default=list, blank=True)
    edited = models.BooleanField(
        _("人工调整过"), default=False, help_text=_("重新聚类时保留人工调整过或已标为需求的类。")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("需求聚类")
        verbose_name_plural = _("需求聚类")
        ordering = ["survey", "-count", "id"]
        indexes = [models.Index(fields=["survey", "question_name", "count"])]

    def __str__(self) -> str:
        return self.label


class ClusterMember(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="members")
    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="cluster_member")

    class Meta:
        verbose_name = _("聚类成员")
        verbose_name_plural = _("聚类成员")

    def __str__(self) -> str:
        return f"{self.cluster_id}:{self.answer_id}"


class Need(models.Model):
    """A need staff recognised in a cluster, answered by projects and/or activities."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="needs"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    cluster = models.OneToOneField(
        Cluster,
        verbose_name=_("来源聚类"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="need",
    )
    title = models.CharField(_("需求名称"), max_length=120)
    category = models.CharField(
        _("服务类别"), max_length=20, choices=ServiceCategory.choices, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    people = models.PositiveIntegerField(_("提出人数"), default=0)
    villages = models.PositiveIntegerField(_("涉及村数"), default=0)
    projects = models.ManyToManyField(
        Project, verbose_name=_("响应项目"), blank=True, related_name="survey_needs"
    )
    activities = models.ManyToManyField(
        Activity, verbose_name=_("响应活动"), blank=True, related_name="survey_needs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("群众需求")
        verbose_name_plural = _("群众需求")
        ordering = ["-people", "id"]

    def __str__(self) -> str:
        return self.title


class StopWord(models.Model):
    word = models.CharField(_("词"), max_length=32, unique=True)
    enabled = models.BooleanField(
        _("作为停用词"), default=True, help_text=_("不勾选：关闭默认停用词表中的这个词。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("停用词")
        verbose_name_plural = _("停用词")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class ProjectEvaluation(models.Model):
    """The 问效 result of a project: answers, mean rating, and the review flag."""

    project = models.OneToOneField(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="evaluation"
    )
    answers = models.PositiveIntegerField(_("评分份数"), default=0)
    mean = models.FloatField(_("平均评分"), null=True, blank=True)
    flagged = models.BooleanField(_("需复核"), default=False)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("问效结果")
        verbose_name_plural = _("问效结果")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.mean}"

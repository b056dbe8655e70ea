"""Responses and their answers, shaped for aggregation in SQL.

One ``Response`` per questionnaire filled in (by a resident on a phone, or entered from
paper by station staff: ``is_proxy`` with ``entered_by``). One ``Answer`` row per
response × question answered — a question skipped (not required, or hidden by its
show-if) has no row:

============== =====================================================================
question type  what the Answer row holds
============== =====================================================================
select_one     ``choice`` = the choice key
select_multiple one row **per chosen key** (``choice``); count respondents with
               ``COUNT(DISTINCT response_id)``
rating/integer ``number`` (a float; ratings 1–5)
decimal        ``number``
text/long_text ``text``
village        ``region`` (the village picked) and ``choice`` = its id as text
image          ``photo`` (a stored file)
============== =====================================================================

Each row repeats, from its response, ``survey``, ``village``, ``age_band`` and ``sex``
(never changed after writing), so the survey's tally (``models/tally.py``: what results
and cross-tabs read) is rebuilt with one ``GROUP BY`` over one table, without a join to
the responses. Indexes (each costs every answer row an insertion, ~23 per answer):

- ``(question, choice)`` — counts per choice, a question's texts for clustering;
- ``(survey, question, village)`` — a survey's answers (the tally's rebuild, exports, 问效);
- ``(response)`` — one response's answers (the FK's index).

Cross-tabs by age band and sex read the tally, so no index leads with them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.regions.models import Region

from ..choices import AgeBand, Channel, Sex
from .survey import Question, Survey, SurveyVersion


class Response(models.Model):
    """One filled-in questionnaire. No name, no phone, no ID number: a respondent who
    signed in is linked by account; an anonymous one only by keyed hashes of a device
    cookie and the network address, kept to refuse duplicates."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="responses"
    )
    version = models.ForeignKey(
        SurveyVersion, verbose_name=_("版本"), on_delete=models.PROTECT, related_name="responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作答人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    device_hash = models.CharField(max_length=64, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    village = models.ForeignKey(
        Region,
        verbose_name=_("所在村（社区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    age_band = models.CharField(_("年龄段"), max_length=8, choices=AgeBand.choices, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    guardian_consent = models.BooleanField(_("监护人同意"), default=False)
    is_proxy = models.BooleanField(_("代填"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代填人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["survey", "created_at"]),
            models.Index(fields=["survey", "village"]),
            models.Index(fields=["survey", "respondent"]),
            models.Index(fields=["survey", "device_hash", "created_at"]),
            models.Index(fields=["survey", "ip_hash", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}#{self.pk}"


class Answer(models.Model):
    """One answer to one question of one response (one row per chosen key of a multiple
    choice); see the module docstring for the shape."""

    response = models.ForeignKey(
        Response, verbose_name=_("答卷"), on_delete=models.CASCADE, related_name="answers"
    )
    survey = models.ForeignKey(
        Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("题目"),
        on_delete=models.PROTECT,
        related_name="answers",
        db_index=False,
    )
    choice = models.CharField(_("选项"), max_length=64, blank=True)
    number = models.FloatField(_("数值"), null=True, blank=True)
    text = models.TextField(_("文字"), blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所选村（社区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    photo = models.FileField(_("照片"), upload_to="surveys/photos/%Y/%m/", blank=True)
    # Copied from the response (never changed) so cross-tabs need no join.
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    age_band = models.CharField(max_length=8, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)

    class Meta:
        verbose_name = _("答案")
        verbose_name_plural = _("答案")
        indexes = [
            models.Index(fields=["question", "choice"]),
            models.Index(fields=["survey", "question", "village"]),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_id}"

"""Excel export of a survey's raw answers: one row per response, one column per question.

Personal data: none beyond what the survey asked. No account, no device or address hash,
no name or phone; the respondent is only "signed in" or not, and a paper answer names no
entering staff either (only that it was 代填). Photos are "有照片", never a link. The rows
are the reader's scope (``results.results_scope``) and every export is audited.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.audit import audit_record
from xinfeng.core.spreadsheet import add_sheet, append_row, new_workbook, workbook_bytes
from xinfeng.regions.models import Region

from .choices import AgeBand, Channel, QuestionType, Sex
from .models import Answer, Response, Survey
from .results import question_groups

CHUNK = 2000


def export_answers_xlsx(
    *, actor, survey: Survey, villages: list[int] | None, request=None
) -> bytes:
    groups = question_groups(survey)
    by_qid = {qid: g for g in groups for qid in g.question_ids}
    column = {g.name: i for i, g in enumerate(groups)}
    labels = {g.name: g._choice_labels for g in groups}  # type: ignore[attr-defined]
    wb = new_workbook()
    ws = add_sheet(wb, _("答卷"))
    append_row(
        ws,
        [
            _("答卷编号"),
            _("提交时间"),
            _("渠道"),
            _("代填"),
            _("村（社区）"),
            _("年龄段"),
            _("性别"),
            _("登录作答"),
        ]
        + [f"{g.name} {g.label}" for g in groups],
    )
    responses = Response.objects.filter(survey_id=survey.pk).order_by("id")
    if villages is not None:
        responses = responses.filter(village_id__in=villages)
    village_names = dict(
        Region.objects.filter(pk__in=responses.values("village_id")).values_list("pk", "name")
    )
    tz = timezone.get_current_timezone()
    ages = dict(AgeBand.choices)
    sexes = dict(Sex.choices)
    channels = dict(Channel.choices)
    last = 0
    count = 0
    while True:
        chunk = list(
            responses.filter(pk__gt=last).values_list(
                "pk",
                "created_at",
                "channel",
                "is_proxy",
                "village_id",
                "age_band",
                "sex",
                "respondent_id",
            )[:CHUNK]
        )
        if not chunk:
            break
        last = chunk[-1][0]
        cells: dict[int, list[list[str]]] = {r[0]: [[] for _ in groups] for r in chunk}
        for rid, qid, choice, number, text, region_id, photo in Answer.objects.filter(
            response_id__in=list(cells)
        ).values_list(
            "response_id", "question_id", "choice", "number", "text", "region_id", "photo"
        ):
            g = by_qid.get(qid)
            if g is None:
                continue
            # The answer's own question decides how it reads: a name whose type changed in
            # a later version keeps its older answers (a choice, a rating) in its column.
            qtype = g._qtypes.get(qid, g.qtype)  # type: ignore[attr-defined]
            if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
                value = labels[g.name].get(choice, choice)
            elif qtype == QuestionType.VILLAGE:
                value = village_names.get(region_id) or str(region_id or "")
            elif qtype == QuestionType.PHOTO:
                value = _("有照片") if photo else ""
            elif number is not None:
                value = f"{number:g}"
            else:
                value = text
            cells[rid][column[g.name]].append(value)
        for pk, created, channel, proxy, village_id, age, sex, respondent in chunk:
            append_row(
                ws,
                [
                    pk,
                    timezone.localtime(created, tz).strftime("%Y-%m-%d %H:%M"),
                    str(channels.get(channel, channel)),
                    _("是") if proxy else "",
                    village_names.get(village_id, ""),
                    str(ages.get(age, "")) if age else "",
                    str(sexes.get(sex, "")) if sex else "",
                    _("是") if respondent else "",
                ]
                + ["；".join(v) for v in cells[pk]],
            )
        count += len(chunk)
    audit_record(
        action="surveys.export_answers",
        actor=actor,
        obj=survey,
        detail={"rows": count, "villages": "all" if villages is None else len(villages)},
        request=request,
    )
    return workbook_bytes(wb)

"""Numbered situation reports and their PDF and Excel files."""

import io

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.spreadsheet import add_sheet, append_row, new_workbook, workbook_bytes

from ..choices import IncidentAction
from ..models import Incident, Sitrep
from ..policy import require_may_run
from ..selectors import sitrep_figures
from .timeline import event_add


@transaction.atomic
def sitrep_create(*, actor, incident, text: str = "") -> Sitrep:
    """The next numbered sitrep: the figures as they stand now plus the staff's text.
    Locks the incident so two reports never get the same number."""
    incident = Incident.objects.select_for_update().select_related("region").get(pk=incident.pk)
    require_may_run(actor, incident)
    number = (incident.sitreps.aggregate(n=Max("number"))["n"] or 0) + 1
    sitrep = Sitrep.objects.create(
        incident=incident,
        number=number,
        figures=sitrep_figures(incident),
        text=(text or "").strip()[:5000],
        created_by=actor,
    )
    event_add(incident, IncidentAction.SITREP, actor, f"#{number}")
    return sitrep


def figure_labels() -> list[tuple[str, str]]:
    return [
        ("people_called", _("已召集人数")),
        ("coming", _("答复“来”")),
        ("arrived", _("已到达")),
        ("declined", _("答复“不来”")),
        ("on_duty", _("在岗人数")),
        ("hours", _("应急服务时长（小时）")),
        ("residents_served", _("服务群众人次")),
        ("tasks_open", _("进行中任务")),
        ("tasks_closed", _("已完成任务")),
        ("task_places", _("任务需要人数")),
        ("task_places_taken", _("已认领人数")),
        ("stations_open", _("开放中的临时分站")),
    ]


def _heading(sitrep) -> str:
    inc = sitrep.incident
    drill = _("【演练】") if inc.is_exercise else ""
    return _("%(d)s%(t)s 态势报告 第 %(n)s 期") % {"d": drill, "t": inc.title, "n": sitrep.number}


def sitrep_xlsx(sitrep) -> bytes:
    wb = new_workbook()
    ws = add_sheet(wb, _("态势报告"))
    append_row(ws, [_heading(sitrep)])
    append_row(
        ws, [_("生成时间"), timezone.localtime(sitrep.created_at).strftime("%Y-%m-%d %H:%M")]
    )
    for key, label in figure_labels():
        append_row(ws, [label, sitrep.figures.get(key, 0)])
    append_row(ws, [_("情况说明"), sitrep.text])
    return workbook_bytes(wb)


def sitrep_pdf(sitrep) -> bytes:
    """A one-page A4 PDF with an embedded CJK font (volunteers.services.certificate_pdf)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from xinfeng.volunteers.services.certificate_pdf import register_font_for

    heading = _heading(sitrep)
    when = timezone.localtime(sitrep.created_at).strftime("%Y-%m-%d %H:%M")
    lines = [f"{label}：{sitrep.figures.get(key, 0)}" for key, label in figure_labels()]
    body = [sitrep.text[i : i + 38] for i in range(0, len(sitrep.text), 38)] or [""]
    font = register_font_for(heading + when + "".join(lines) + sitrep.text + _("情况说明"))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    c.setTitle(heading)
    c.setFont(font, 18)
    c.drawString(50, height - 70, heading)
    c.setFont(font, 10)
    c.drawString(50, height - 92, when)
    y = height - 130
    c.setFont(font, 12)
    for line in lines:
        c.drawString(60, y, line)
        y -= 20
    y -= 10
    c.drawString(50, y, _("情况说明"))
    y -= 20
    for line in body[:25]:
        c.drawString(60, y, line)
        y -= 18
    c.showPage()
    c.save()
    return out.getvalue()

"""Results out: the ranking as Excel, and a printable PDF per place for the cadre
assessment (CJK font embedded through volunteers' certificate font helper)."""

import io

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from xinfeng.core.spreadsheet import add_sheet, append_row, new_workbook, workbook_bytes
from xinfeng.places.choices import SiteLevel
from xinfeng.volunteers.services.certificate_pdf import register_font_for

from ..choices import AssessedLevel


def _num(v) -> str:
    return "" if v is None else f"{v}"


def ranking_xlsx(rows) -> bytes:
    wb = new_workbook()
    ws = add_sheet(wb, _("考核排名"))
    append_row(
        ws,
        [
            _("考核对象"),
            _("排名分组"),
            _("排名"),
            _("单位"),
            _("所在区划"),
            _("得分"),
            _("满分"),
            _("一把手"),
        ],
    )
    levels = dict(AssessedLevel.choices)
    groups = dict(SiteLevel.choices)
    for r in rows:
        append_row(
            ws,
            [
                str(levels.get(r.level, r.level)),
                str(groups.get(r.rank_group, r.rank_group)),
                r.rank,
                r.name,
                r.region.display_name,
                float(r.total),
                float(r.max_points),
                r.leader,
            ],
        )
    return workbook_bytes(wb)


def result_pdf(r, lines: list[dict], trend: list[dict]) -> bytes:
    title = _("%(place)s %(period)s 新时代文明实践工作考核") % {
        "place": r.name,
        "period": r.period,
    }
    rows = [
        f"{line['code']} {line['title'][:28]}  "
        + (_("待评") if line["pending"] else f"{_num(line['figure'])} / {_num(line['target'])}")
        + f"  {line['score']} / {_num(line['points'])}"
        for line in lines
    ]
    head = [
        title,
        _("得分 %(total)s / %(max)s，排名第 %(rank)d")
        % {"total": r.total, "max": r.max_points, "rank": r.rank},
        _("一把手：%(name)s") % {"name": r.leader or "—"},
        _("趋势：") + "  ".join(f"{t['period']} {t['total']}" for t in trend),
    ]
    font = register_font_for("".join(head + rows) + "/.-—")
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setTitle(title)
    width, height = A4
    y = height - 60
    c.setFont(font, 16)
    c.drawString(50, y, head[0])
    y -= 30
    c.setFont(font, 11)
    for text in head[1:]:
        c.drawString(50, y, text)
        y -= 20
    y -= 10
    c.setFont(font, 9)
    for text in rows:
        if y < 50:
            c.showPage()
            c.setFont(font, 9)
            y = height - 50
        c.drawString(50, y, text)
        y -= 15
    c.showPage()
    c.save()
    return out.getvalue()

"""The dashboard as an Excel workbook (openpyxl), read from the rollup tables only."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xinfeng.core.spreadsheet import add_sheet, append_row, new_workbook, workbook_bytes

from .metrics import MONTHLY_METRICS, ORDER_STEPS, SCALAR_METRICS, STEP_LABELS, label
from .selectors import Dashboard
from .views_common import own_row, stat_row, total_row

DERIVED = ["audience_total", "orders_open", "satisfaction", "coverage"]


def _sheet(wb, title: str, header: list[str], rows: list[list]):
    ws = add_sheet(wb, title)
    append_row(ws, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        append_row(ws, r)
    for i, _h in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 16 if i > 1 else 30
    ws.freeze_panes = "B2"
    return ws


def dashboard_workbook(board: Dashboard) -> bytes:
    f = board.figures
    wb = new_workbook(write_only=False)
    as_of = board.last_run["finished_at"] if board.last_run else None
    stamp = timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M") if as_of else _("尚未统计")
    overview = [[_("区划"), board.region.display_name], [_("数据时间"), stamp]]
    for key in [*SCALAR_METRICS, *DERIVED]:
        overview.append([label(key), f.get(key)])
    for step in ORDER_STEPS:
        overview.append([f"{STEP_LABELS[step]} · {_('按时率')}", f.get(f"ontime_{step}")])
    _sheet(wb, _("概览"), [_("指标"), _("数值")], overview)

    months = board.months
    labels = months.get("labels", [])
    _sheet(
        wb,
        _("月度"),
        [_("指标"), *labels],
        [[label(k), *months.get(k, [])] for k in MONTHLY_METRICS],
    )

    columns = [
        ("name", _("区划")),
        ("sites", _("实践阵地")),
        ("teams", _("志愿服务队")),
        ("volunteers", _("注册志愿者")),
        ("volunteers_active_month", _("本月活跃志愿者")),
        ("hours", _("服务时长（小时）")),
        ("activities", _("活动场次")),
        ("audience", _("参与人次")),
        ("orders", _("点单数")),
        ("satisfaction", _("满意度")),
        ("followups_open", _("待回访")),
        ("coverage", _("15分钟圈覆盖率")),
    ]
    header = [c[1] for c in columns]
    for title, stats in ((_("下级排名"), board.children), (_("村（社区）排名"), board.villages)):
        if stats:
            rows = [[stat_row(s)[k] for k, _h in columns] for s in stats]
            if stats is board.children:
                # 市直 and 合计, so the sheet's rows add up as on the page.
                own = own_row(board)
                rows += [[r[k] for k, _h in columns] for r in (own, total_row(board)) if r]
            _sheet(wb, title, header, rows)
    return workbook_bytes(wb)

"""Excel exports of volunteers and service hours, within the user's scope.

Exports carry unmasked phone numbers (staff contact volunteers from them), so they need
the entitlement of ``reveal`` (``policy.require_may_export_personal_data``: a staff role;
the rows are cut to the staff scope whatever queryset the caller passes) and each export
is written to the audit log with the filter used and the number of rows. ID numbers are
never exported; the volunteer number identifies people. Cells are written through
``core.spreadsheet`` (no formula injection from names, skills or descriptions).
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.scope import restrict
from xinfeng.core.audit import audit_record
from xinfeng.core.spreadsheet import add_sheet, append_row, new_workbook, workbook_bytes
from xinfeng.volunteers.policy import EXPORT_ROLES, require_may_export_personal_data

MAX_EXPORT_ROWS = 200_000


def _local(dt):
    return timezone.localtime(dt).replace(tzinfo=None) if dt else None


def volunteers_xlsx(*, actor, queryset, request=None, filters: dict | None = None) -> bytes:
    require_may_export_personal_data(actor)
    queryset = restrict(queryset, actor, path_field="home_region__path", roles=EXPORT_ROLES)
    wb = new_workbook()
    ws = add_sheet(wb, _("志愿者"))
    append_row(
        ws,
        [
            _("志愿者编号"),
            _("姓名"),
            _("性别"),
            _("年龄"),
            _("手机号"),
            _("所属区划"),
            _("政治面貌"),
            _("技能特长"),
            _("累计时长（小时）"),
            _("星级"),
            _("积分余额"),
            _("登记方式"),
            _("登记时间"),
            _("有效"),
        ],
    )
    count = 0
    for v in (
        queryset.select_related("home_region")
        .order_by("id")[:MAX_EXPORT_ROWS]
        .iterator(chunk_size=2000)
    ):
        append_row(
            ws,
            [
                v.number,
                v.name,
                v.get_gender_display(),
                v.age_on(),
                v.phone,
                v.home_region.name,
                v.get_political_status_display(),
                "、".join(v.skills or []),
                float(v.total_hours),
                v.star_level,
                v.points_balance,
                v.get_registration_channel_display(),
                _local(v.created_at),
                _("是") if v.is_active else _("否"),
            ],
        )
        count += 1
    audit_record(
        action="volunteers_exported",
        actor=actor,
        object_type="volunteers.volunteer",
        detail={"rows": count, "filters": filters or {}},
        request=request,
    )
    return workbook_bytes(wb)


def hours_xlsx(*, actor, queryset, request=None, filters: dict | None = None) -> bytes:
    require_may_export_personal_data(actor)
    queryset = restrict(queryset, actor, path_field="region__path", roles=EXPORT_ROLES)
    wb = new_workbook()
    ws = add_sheet(wb, _("服务时长"))
    append_row(
        ws,
        [
            _("记录编号"),
            _("志愿者编号"),
            _("姓名"),
            _("政治面貌"),
            _("服务区划"),
            _("队伍"),
            _("来源"),
            _("服务内容"),
            _("开始时间"),
            _("结束时间"),
            _("时长（小时）"),
            _("核验方式"),
            _("补录"),
            _("更正记录编号"),
        ],
    )
    count = 0
    rows = queryset.select_related("volunteer", "region", "team").order_by("started_at", "id")
    for r in rows[:MAX_EXPORT_ROWS].iterator(chunk_size=2000):
        append_row(
            ws,
            [
                r.pk,
                r.volunteer.number,
                r.volunteer.name,
                r.volunteer.get_political_status_display(),
                r.region.name,
                r.team.name if r.team_id else "",
                r.get_source_type_display(),
                r.description,
                _local(r.started_at),
                _local(r.ended_at),
                float(r.hours),
                r.get_verification_display(),
                _("是") if r.is_backfill else "",
                r.corrects_id or "",
            ],
        )
        count += 1
    audit_record(
        action="hours_exported",
        actor=actor,
        object_type="volunteers.servicerecord",
        detail={"rows": count, "filters": filters or {}},
        request=request,
    )
    return workbook_bytes(wb)

"""Bulk registration from an Excel sheet (批量导入), run by the worker.

Each row is validated exactly like a registration form. Good rows go in together in one
transaction at the end, so a failure leaves nothing half-imported; bad rows are kept
(encrypted: they hold ID numbers) for a downloadable report with the reason per row. A row
whose ID number is already registered is rejected as a duplicate, so running the same sheet
again imports nothing twice. Progress is written as rows are checked, outside the final
transaction, for the page to poll.
"""

import base64
import hashlib
import json
import logging
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfeng.accounts.scope import require_role_at
from xinfeng.core.audit import audit_record
from xinfeng.core.crypto import decrypt, encrypt
from xinfeng.core.errors import DomainError, ValidationFailed
from xinfeng.core.spreadsheet import (
    add_sheet,
    append_row,
    new_workbook,
    read_xlsx_rows,
    workbook_bytes,
)
from xinfeng.regions.models import Region, subtree_q
from xinfeng.volunteers.choices import (
    Gender,
    IdType,
    ImportStatus,
    PoliticalStatus,
    RegistrationChannel,
)
from xinfeng.volunteers.models import Volunteer, VolunteerImport
from xinfeng.volunteers.services.numbers import volunteer_numbers
from xinfeng.volunteers.services.profiles import PRIVACY_NOTICE_VERSION, prepare_volunteer

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
PROGRESS_EVERY = 200
YES = {"是", "y", "yes", "true", "1", "已同意", "同意", "✓", "√"}

# (field, Chinese header, required); the template's header row is the Chinese labels.
COLUMNS = [
    ("name", gettext_lazy("姓名"), True),
    ("id_type", gettext_lazy("证件类型"), False),
    ("id_number", gettext_lazy("证件号码"), True),
    ("gender", gettext_lazy("性别"), False),
    ("birth_date", gettext_lazy("出生日期"), False),
    ("phone", gettext_lazy("手机号"), True),
    ("region_code", gettext_lazy("所属区划代码"), False),
    ("political_status", gettext_lazy("政治面貌"), False),
    ("skills", gettext_lazy("技能特长"), False),
    ("availability", gettext_lazy("可服务时间"), False),
    ("emergency_contact_name", gettext_lazy("紧急联系人"), False),
    ("emergency_contact_phone", gettext_lazy("紧急联系人电话"), False),
    ("guardian_name", gettext_lazy("监护人"), False),
    ("guardian_phone", gettext_lazy("监护人电话"), False),
    ("guardian_consent", gettext_lazy("监护人已同意"), False),
    ("privacy_consent", gettext_lazy("已签署个人信息保护声明"), True),
]


def _header_map(header_row) -> dict[int, str]:
    """Column index -> field, matching the Chinese label (or its English translation, or
    the field name) of each column."""
    names = {}
    for field, label, _req in COLUMNS:
        names[field] = field
        with translation.override("zh-hans"):
            names[str(label)] = field
        with translation.override("en"):
            names[str(label).lower()] = field
    found = {}
    for i, cell in enumerate(header_row):
        key = str(cell or "").strip().rstrip("*").strip()
        field = names.get(key) or names.get(key.lower())
        if field:
            found[i] = field
    return found


def _choice(value: str, choices, default: str) -> str:
    value = (value or "").strip()
    if not value:
        return default
    for code, label in choices.choices:
        if value in (code, str(label)):
            return code
    with translation.override("zh-hans"):
        for code, label in choices.choices:
            if value == str(label):
                return code
    raise ValidationFailed(_("“%(value)s”不是有效的选项。") % {"value": value}, code="choice")


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        try:
            return datetime.strptime(text, "%Y%m%d").date()
        except ValueError as exc:
            raise ValidationFailed(
                _("出生日期“%(value)s”格式不正确，请用 2000-01-31。") % {"value": value},
                code="birth_date_format",
            ) from exc


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _row_to_volunteer(row: dict, root: Region, regions: dict[str, Region]) -> Volunteer:
    code = _text(row.get("region_code"))
    region = root
    if code:
        region = regions.get(code)
        if region is None:
            raise ValidationFailed(
                _("区划代码 %(code)s 不存在或不在本次导入范围内。") % {"code": code},
                code="region_invalid",
            )
    volunteer = prepare_volunteer(
        name=_text(row.get("name")),
        id_type=_choice(_text(row.get("id_type")), IdType, IdType.RESIDENT_ID),
        id_number=_text(row.get("id_number")),
        phone=_text(row.get("phone")),
        home_region=region,
        birth_date=_date(row.get("birth_date")),
        gender=_choice(_text(row.get("gender")), Gender, ""),
        political_status=_choice(
            _text(row.get("political_status")), PoliticalStatus, PoliticalStatus.MASSES
        ),
        skills=_text(row.get("skills")),
        availability=_text(row.get("availability")),
        emergency_contact_name=_text(row.get("emergency_contact_name")),
        emergency_contact_phone=_text(row.get("emergency_contact_phone")),
        guardian_name=_text(row.get("guardian_name")),
        guardian_phone=_text(row.get("guardian_phone")),
        guardian_consent=_text(row.get("guardian_consent")).lower() in YES,
        privacy_notice_version=PRIVACY_NOTICE_VERSION
        if _text(row.get("privacy_consent")).lower() in YES
        else "",
    )
    volunteer.registration_channel = RegistrationChannel.IMPORT
    return volunteer


@transaction.atomic
def import_create(*, actor, region: Region, file_name: str, content: bytes) -> VolunteerImport:
    """Accept an uploaded sheet for import into ``region`` (staff there); the worker runs it."""
    require_role_at(actor, region)
    if not content:
        raise ValidationFailed(_("上传的文件是空的。"), code="file_empty")
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(_("文件不能超过 10 MB。"), code="file_too_large")
    if not content.startswith(b"PK"):
        raise ValidationFailed(_("请上传 Excel（.xlsx）文件。"), code="file_type")
    job = VolunteerImport.objects.create(
        region=region,
        created_by=actor,
        file_name=(file_name or "volunteers.xlsx")[:200],
        file_sha256=hashlib.sha256(content).hexdigest(),
        content_encrypted=encrypt(base64.b64encode(content).decode()),
    )
    # Queued by tasks.queue_new_import (post_save) once this transaction commits.
    return job


def _save_progress(job: VolunteerImport, **fields) -> None:
    for k, v in fields.items():
        setattr(job, k, v)
    VolunteerImport.objects.filter(pk=job.pk).update(**fields)


def import_run(import_id: int) -> VolunteerImport:
    """Run a queued import (the worker calls this). Idempotent: a finished import is left
    alone."""
    job = VolunteerImport.objects.select_related("region", "created_by").get(pk=import_id)
    if job.status != ImportStatus.PENDING:
        return job
    _save_progress(job, status=ImportStatus.RUNNING, started_at=timezone.now())
    try:
        _run(job)
    except Exception as exc:
        log.exception("volunteer import %s failed", job.pk)
        message = (
            str(exc.detail) if isinstance(exc, DomainError) else _("导入出错，未导入任何数据。")
        )
        _save_progress(
            job,
            status=ImportStatus.FAILED,
            error=message[:300],
            created_count=0,
            finished_at=timezone.now(),
            content_encrypted="",
        )
    return job


def _load_rows(job: VolunteerImport):
    raw = base64.b64decode(decrypt(job.content_encrypted))
    # Never evaluated: a formula cell fails the import with its address (core.spreadsheet).
    rows = read_xlsx_rows(raw)
    header = next(rows, None)
    if header is None:
        raise ValidationFailed(_("表格是空的。"), code="sheet_empty")
    columns = _header_map(header)
    missing = [str(label) for f, label, req in COLUMNS if req and f not in columns.values()]
    if missing:
        raise ValidationFailed(
            _("缺少必填列：%(cols)s。请使用导入模板。") % {"cols": "、".join(missing)},
            code="columns_missing",
        )
    body = [r for r in rows if any(v not in (None, "") for v in r)]
    if len(body) > MAX_ROWS:
        raise ValidationFailed(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, code="too_many_rows")
    return header, columns, body


def _run(job: VolunteerImport) -> None:
    header, columns, body = _load_rows(job)
    _save_progress(job, total_rows=len(body))
    root = job.region
    regions = {
        r.code: r
        for r in Region.objects.filter(subtree_q([root.path]), code__isnull=False).only(
            "id", "code", "path"
        )
    }
    good: list[tuple[int, Volunteer]] = []
    rejected: list[dict] = []
    seen: dict[str, int] = {}
    for i, values in enumerate(body, start=2):  # row 1 is the header
        row = {field: values[idx] for idx, field in columns.items() if idx < len(values)}
        try:
            volunteer = _row_to_volunteer(row, root, regions)
            first = seen.get(volunteer.id_number_hash)
            if first is not None:
                raise ValidationFailed(
                    _("与第 %(row)d 行证件号码重复。") % {"row": first}, code="duplicate_in_file"
                )
            seen[volunteer.id_number_hash] = i
            volunteer.registered_by = job.created_by
            good.append((i, volunteer))
        except DomainError as exc:
            rejected.append(
                {"row": i, "values": [_text(v) for v in values], "reason": str(exc.detail)}
            )
        if (i - 1) % PROGRESS_EVERY == 0:
            _save_progress(job, processed_rows=i - 1)

    with transaction.atomic():
        hashes = [v.id_number_hash for _i, v in good]
        existing = {}
        for start in range(0, len(hashes), 500):
            existing.update(
                Volunteer.objects.filter(
                    id_number_hash__in=hashes[start : start + 500]
                ).values_list("id_number_hash", "number")
            )
        fresh = []
        for i, volunteer in good:
            number = existing.get(volunteer.id_number_hash)
            if number:
                rejected.append(
                    {
                        "row": i,
                        "values": [_text(v) for v in body[i - 2]],
                        "reason": str(
                            _("该证件号码已登记（志愿者编号 %(number)s），未重复导入。")
                            % {"number": number}
                        ),
                    }
                )
            else:
                fresh.append(volunteer)
        for volunteer, number in zip(
            fresh, volunteer_numbers(len(fresh)) if fresh else [], strict=True
        ):
            volunteer.number = number
        Volunteer.objects.bulk_create(fresh, batch_size=500)
        rejected.sort(key=lambda r: r["row"])
        _save_progress(
            job,
            status=ImportStatus.DONE,
            processed_rows=len(body),
            created_count=len(fresh),
            rejected_count=len(rejected),
            rejected_encrypted=encrypt(
                json.dumps(
                    {"header": [_text(h) for h in header], "rows": rejected}, ensure_ascii=False
                )
            )
            if rejected
            else "",
            content_encrypted="",
            finished_at=timezone.now(),
        )
        audit_record(
            action="volunteers_imported",
            actor=job.created_by,
            obj=job,
            detail={"created": len(fresh), "rejected": len(rejected)},
        )


def rejected_rows(job: VolunteerImport) -> tuple[list[str], list[dict]]:
    if not job.rejected_encrypted:
        return [], []
    data = json.loads(decrypt(job.rejected_encrypted))
    return data["header"], data["rows"]


def rejected_report_xlsx(*, actor, job: VolunteerImport, request=None) -> bytes:
    """The rejected rows as a sheet: the original columns, the row number and the reason.
    It holds personal data, so each download is audited."""
    header, rows = rejected_rows(job)
    wb = new_workbook()
    ws = add_sheet(wb, _("未导入的行"))
    append_row(ws, [_("原行号"), _("未导入原因"), *header])
    for r in rows:
        append_row(ws, [r["row"], r["reason"], *r["values"]])
    audit_record(
        action="import_rejects_downloaded",
        actor=actor,
        obj=job,
        detail={"rows": len(rows)},
        request=request,
    )
    return workbook_bytes(wb)


def template_xlsx() -> bytes:
    """The import template: the header row (required columns marked *) on the first sheet,
    and notes with an example on a second sheet (only the first sheet is imported)."""
    wb = new_workbook(write_only=False)
    ws = add_sheet(wb, _("志愿者"))
    append_row(ws, [f"{label}*" if req else str(label) for _f, label, req in COLUMNS])
    for col in ws.columns:
        ws.column_dimensions[col[0].column_letter].width = 16
    notes = add_sheet(wb, _("填写说明"))
    append_row(notes, [_("列"), _("说明"), _("示例")])
    for row in (
        (
            _("证件类型"),
            _("居民身份证（默认）、港澳居民来往内地通行证、台湾居民来往大陆通行证、护照"),
            str(IdType.RESIDENT_ID.label),
        ),
        (_("证件号码"), _("居民身份证须 18 位且校验位正确"), "11010519491231002X"),
        (_("出生日期"), _("居民身份证可不填（从号码读取）"), "1949-12-31"),
        (_("所属区划代码"), _("12 位统计区划代码；不填则登记到导入时选择的区划"), "360482201200"),
        (
            _("政治面貌"),
            "、".join(str(label) for _c, label in PoliticalStatus.choices),
            str(PoliticalStatus.PARTY_MEMBER.label),
        ),
        (_("技能特长"), _("多项用顿号或逗号分隔"), "急救、摄影"),
        (_("监护人已同意"), _("未满 14 周岁须填写监护人、监护人电话并填“是”"), "是"),
        (_("已签署个人信息保护声明"), _("须为“是”，否则不导入"), "是"),
    ):
        append_row(notes, [str(x) for x in row])
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 60
    notes.column_dimensions["C"].width = 24
    return workbook_bytes(wb)

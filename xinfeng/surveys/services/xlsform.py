"""XLSForm in and out: the ``survey`` / ``choices`` / ``settings`` sheets ODK and
KoboToolbox use, so a form drafted in Excel by a township works as it is.

Import reads the workbook through ``core.spreadsheet.read_xlsx_sheets`` (formula cells
refused), checks every row against what our questions can hold — each problem is named by
sheet and row, in Chinese; unsupported features (repeats, calculations, constraints,
external choices, dates, locations…) are refused by row, never dropped — and then lets
``pyxform`` convert it to an XForm as ODK would, translating its errors. Display-only rows
(``note``) and metadata (``start``, ``end``, ``deviceid``…) are reported as notices.

Our types in XLSForm terms (what export, ``xlsform_export.xlsform_bytes``, writes and import
reads):

========================  ======================================================
ours                      XLSForm
========================  ======================================================
single / multiple choice  ``select_one L`` / ``select_multiple L`` + choices list L
rating (1–5)              ``range`` with parameters ``start=1 end=5 step=1``
integer / decimal         ``integer`` / ``decimal``
text / long text          ``text`` / ``text`` with appearance ``multiline``
village picker            ``text`` with appearance ``village-picker``
photo                     ``image``
========================  ======================================================
"""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfeng.core.errors import ValidationFailed
from xinfeng.core.spreadsheet import read_xlsx_sheets

from ..choices import CHOICE_TYPES, QuestionType
from ..models import Survey
from ..relevant import RelevantError, parse
from .questions import clean_questions, problems_error

MAX_XLSFORM_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
LANG_ZH = "中文 (zh)"
LANG_EN = "English (en)"
VILLAGE_APPEARANCE = "village-picker"
RATING_PARAMETERS = "start=1 end=5 step=1"

METADATA = {
    "start", "end", "today", "deviceid", "username", "phonenumber", "subscriberid",
    "simserial", "email", "audit", "start-geopoint", "background-geopoint",
}  # fmt: skip
UNSUPPORTED_TYPES = {
    "begin_repeat": gettext_lazy("重复组（begin_repeat）"),
    "end_repeat": gettext_lazy("重复组（end_repeat）"),
    "calculate": gettext_lazy("计算字段（calculate）"),
    "date": gettext_lazy("日期"),
    "time": gettext_lazy("时间"),
    "datetime": gettext_lazy("日期时间"),
    "geopoint": gettext_lazy("定位点"),
    "geotrace": gettext_lazy("轨迹"),
    "geoshape": gettext_lazy("区域"),
    "barcode": gettext_lazy("条码"),
    "audio": gettext_lazy("录音"),
    "video": gettext_lazy("视频"),
    "file": gettext_lazy("文件"),
    "background-audio": gettext_lazy("后台录音"),
    "acknowledge": gettext_lazy("确认"),
    "rank": gettext_lazy("排序题"),
    "hidden": gettext_lazy("隐藏字段"),
    "xml-external": gettext_lazy("外部数据"),
    "csv-external": gettext_lazy("外部数据"),
    "select_one_from_file": gettext_lazy("外部选项文件（select_one_from_file）"),
    "select_multiple_from_file": gettext_lazy("外部选项文件（select_multiple_from_file）"),
    "trigger": gettext_lazy("确认（trigger）"),
}
UNSUPPORTED_COLUMNS = {
    "constraint": gettext_lazy("约束条件（constraint）"),
    "calculation": gettext_lazy("计算（calculation）"),
    "choice_filter": gettext_lazy("选项筛选（choice_filter）"),
    "repeat_count": gettext_lazy("重复次数（repeat_count）"),
    "default": gettext_lazy("默认值（default）"),
    "read_only": gettext_lazy("只读（read_only）"),
    "trigger": gettext_lazy("触发（trigger）"),
}
# Column names pyxform also accepts (older XLSForm templates write "list name").
HEADER_ALIASES = {"list name": "list_name"}
YES = {"yes", "true", "true()", "1", "y", "是"}
NO = {"", "no", "false", "false()", "0", "n", "否"}


@dataclass
class ParsedForm:
    title: str
    settings: dict
    questions: list[dict]
    notices: list[str] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return str(value).strip()


def _lang(column: str) -> str | None:
    """'zh', 'en' or None (the default language) for a ``label::…`` column."""
    if "::" not in column:
        return None
    lang = column.split("::", 1)[1].strip().lower()
    if "(zh" in lang or lang in ("zh", "chinese", "中文") or "中文" in lang:
        return "zh"
    if "(en" in lang or lang in ("en", "english", "英文"):
        return "en"
    return "other"


def _sheet(sheets: dict, name: str):
    for title, rows in sheets.items():
        if title.strip().lower() == name:
            return rows
    return None


def _table(rows) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header (lower-cased, stripped) and the non-empty rows as dicts, with Excel row
    numbers."""
    header: list[str] = []
    out: list[tuple[int, dict]] = []
    for i, row in enumerate(rows, start=1):
        cells = [_text(c) for c in row]
        if not header:
            if any(cells):
                header = [HEADER_ALIASES.get(c.lower(), c.lower()) for c in cells]
            continue
        if not any(cells):
            continue
        out.append((i, {h: cells[j] if j < len(cells) else "" for j, h in enumerate(header) if h}))
    return header, out


def _labels(row: dict, base: str) -> tuple[str, str]:
    zh = en = plain = ""
    for col, value in row.items():
        if col == base:
            plain = value
        elif col.startswith(base + "::") and value:
            lang = _lang(col)
            if lang == "zh":
                zh = zh or value
            elif lang == "en":
                en = en or value
            else:
                plain = plain or value
    return zh or plain or en, en


def _read_choices(rows, problems: list[str]) -> dict[str, list[dict]]:
    lists: dict[str, list[dict]] = {}
    if rows is None:
        return lists
    header, table = _table(rows)
    if not header:
        return lists  # an empty choices sheet (templates ship one): no lists, no problem
    for col in ("list_name", "name"):
        if col not in header:
            problems.append(_("choices 表缺少“%(col)s”列。") % {"col": col})
            return lists
    for row_no, row in table:
        list_name, name = row.get("list_name", ""), row.get("name", "")
        zh, en = _labels(row, "label")
        where = _("choices 表第 %(row)d 行") % {"row": row_no}
        if not list_name or not name:
            problems.append(_("%(where)s：list_name 和 name 都不能为空。") % {"where": where})
            continue
        keys = [c["key"] for c in lists.get(list_name, [])]
        if name in keys:
            problems.append(
                _("%(where)s：选项值“%(name)s”在列表 %(list)s 中重复。")
                % {"where": where, "name": name, "list": list_name}
            )
            continue
        lists.setdefault(list_name, []).append(
            {"key": name, "label_zh": zh or name, "label_en": en}
        )
    return lists


def _type_of(row_no: int, row: dict, lists, problems, notices) -> tuple[str, str | None] | None:
    """(our type, choice list) for a survey row, or None when the row holds no question."""
    raw = re.sub(r"\s+", " ", row.get("type", "")).strip()
    where = _("survey 表第 %(row)d 行") % {"row": row_no}
    parts = raw.split(" ")
    base = parts[0].lower()
    appearance = row.get("appearance", "").strip().lower()
    if raw.lower() in ("begin group", "end group", "begin_group", "end_group"):
        notices.append(
            _(
                "%(where)s：分组（%(t)s）已展开，组内题目按普通题目导入（分组的显示条件加在组内每道题上）。"
            )
            % {"where": where, "t": raw}
        )
        return None
    if raw.lower() in ("begin repeat", "end repeat"):
        base = raw.lower().replace(" ", "_")
    if base in METADATA:
        notices.append(
            _("%(where)s：元数据字段“%(t)s”已忽略（系统自动记录提交时间和渠道）。")
            % {"where": where, "t": raw}
        )
        return None
    if base == "note":
        notices.append(
            _(
                "%(where)s：说明文字（note）“%(label)s”未导入：本系统的问卷不含说明行，请写入问卷说明。"
            )
            % {"where": where, "label": _labels(row, "label")[0][:30]}
        )
        return None
    if base in UNSUPPORTED_TYPES:
        problems.append(
            _("%(where)s：不支持%(what)s。请删除该行或改为支持的题型。")
            % {"where": where, "what": UNSUPPORTED_TYPES[base]}
        )
        return None
    if base in ("select_one", "select_multiple"):
        if len(parts) != 2:
            problems.append(
                _("%(where)s：选择题的类型须写成“%(t)s 列表名”。") % {"where": where, "t": base}
            )
            return None
        if parts[1] not in lists:
            problems.append(
                _("%(where)s：选项列表“%(list)s”在 choices 表中不存在。")
                % {"where": where, "list": parts[1]}
            )
            return None
        return (QuestionType.SINGLE if base == "select_one" else QuestionType.MULTIPLE), parts[1]
    if len(parts) > 1 and base not in ("select_one", "select_multiple"):
        problems.append(_("%(where)s：不认识的题型“%(t)s”。") % {"where": where, "t": raw})
        return None
    if base == "range":
        params = re.sub(r"\s+", " ", row.get("parameters", "").replace(";", " ")).strip()
        if params.replace(".0", "") != RATING_PARAMETERS:
            problems.append(
                _("%(where)s：range 只支持 1–5 分评分（parameters 写“%(p)s”）。")
                % {"where": where, "p": RATING_PARAMETERS}
            )
            return None
        return QuestionType.RATING, None
    if base in ("integer", "int"):
        return QuestionType.INTEGER, None
    if base == "decimal":
        return QuestionType.DECIMAL, None
    if base == "image":
        return QuestionType.PHOTO, None
    if base in ("text", "string"):
        if appearance == VILLAGE_APPEARANCE:
            return QuestionType.VILLAGE, None
        if appearance == "multiline":
            return QuestionType.LONG_TEXT, None
        return QuestionType.TEXT, None
    problems.append(_("%(where)s：不认识的题型“%(t)s”。") % {"where": where, "t": raw or "—"})
    return None


def _group_relevant(where: str, relevant: str, earlier: list[str], problems: list[str]) -> str:
    """A group's show-if, checked like a question's ("" when it has none or is wrong)."""
    relevant = relevant.strip()
    try:
        parse(relevant, earlier)
    except RelevantError as exc:
        problems.append(
            _("%(where)s：显示条件（relevant）“%(expr)s”有误：%(why)s")
            % {"where": where, "expr": relevant, "why": exc}
        )
        return ""
    return relevant


def parse_xlsform(content: bytes) -> ParsedForm:
    """The form's title, settings and questions; ``ValidationFailed`` listing every
    problem by sheet and row (413 ``file_too_large`` for an oversized file)."""
    if len(content) > MAX_XLSFORM_BYTES:
        exc = ValidationFailed(
            _("文件太大：XLSForm 最大 %(mb)d MB。") % {"mb": MAX_XLSFORM_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
        exc.status = 413
        raise exc
    if not content.startswith(b"PK"):
        raise ValidationFailed(
            _("请上传 .xlsx 格式的 XLSForm 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）。"),
            code="not_xlsx",
        )
    sheets = read_xlsx_sheets(content)
    survey_rows = _sheet(sheets, "survey")
    if survey_rows is None:
        raise ValidationFailed(
            _("缺少 survey 工作表（题目表）。XLSForm 须有名为 survey 的工作表。"),
            code="missing_sheet",
        )
    problems: list[str] = []
    notices: list[str] = []
    choice_rows = _sheet(sheets, "choices")
    lists = _read_choices(choice_rows, problems)
    header, table = _table(survey_rows)
    if len(table) > MAX_ROWS:
        raise ValidationFailed(
            _("survey 表行数太多（最多 %(n)d 行）。") % {"n": MAX_ROWS}, code="too_many_rows"
        )
    for col in ("type", "name"):
        if col not in header:
            raise ValidationFailed(
                _("survey 表缺少“%(col)s”列（第一行应为列名：type、name、label……）。")
                % {"col": col},
                code="missing_column",
            )
    questions: list[dict] = []
    earlier: list[str] = []
    groups: list[str] = []  # the show-if of each open group, innermost last
    for row_no, row in table:
        where = _("survey 表第 %(row)d 行") % {"row": row_no}
        for col, what in UNSUPPORTED_COLUMNS.items():
            if row.get(col):
                problems.append(
                    _("%(where)s：暂不支持%(what)s，请清空该单元格。")
                    % {"where": where, "what": what}
                )
        mark = re.sub(r"[\s_]+", " ", row.get("type", "")).strip().lower()
        if mark == "begin group":
            groups.append(_group_relevant(where, row.get("relevant", ""), earlier, problems))
        elif mark == "end group" and groups:
            groups.pop()
        typed = _type_of(row_no, row, lists, problems, notices)
        if typed is None:
            continue
        qtype, list_name = typed
        required = row.get("required", "").strip().lower()
        if required not in YES | NO:
            problems.append(
                _("%(where)s：required 列只支持 yes 或留空，不支持表达式“%(v)s”。")
                % {"where": where, "v": row.get("required")}
            )
        relevant = row.get("relevant", "")
        try:
            parse(relevant, earlier)
        except RelevantError as exc:
            problems.append(
                _("%(where)s：显示条件（relevant）“%(expr)s”有误：%(why)s")
                % {"where": where, "expr": relevant, "why": exc}
            )
        zh, en = _labels(row, "label")
        hint_zh, hint_en = _labels(row, "hint")
        # A question inside groups shows only when every group shows (XLSForm's rule):
        # the groups' conditions are joined to its own, never dropped with the group.
        conditions = [c for c in [*groups, relevant] if c]
        if len(conditions) > 1:
            relevant = " and ".join(f"({c})" for c in conditions)
        elif conditions:
            relevant = conditions[0]
        questions.append(
            {
                "row": row_no,
                "name": row.get("name", ""),
                "label_zh": zh,
                "label_en": en,
                "hint_zh": hint_zh,
                "hint_en": hint_en,
                "qtype": qtype,
                "required": required in YES,
                "relevant": relevant,
                "choices": lists.get(list_name, []) if qtype in CHOICE_TYPES else [],
            }
        )
        if row.get("name"):
            earlier.append(row["name"])
    if not questions and not problems:
        problems.append(_("survey 表中没有可导入的题目。"))
    if problems:
        raise problems_error(problems, code="xlsform_invalid")
    try:
        questions = clean_questions(questions)
    except ValidationFailed as exc:
        raise problems_error(
            getattr(exc, "problems", [str(exc.detail)]), code="xlsform_invalid"
        ) from None
    _pyxform_check(content)
    settings_rows = _sheet(sheets, "settings")
    form_settings: dict = {}
    if settings_rows is not None:
        _h, st = _table(settings_rows)
        if st:
            form_settings = {k: v for k, v in st[0][1].items() if v}
    title = form_settings.get("form_title", "") or _("导入的问卷")
    return ParsedForm(
        title=title[:120], settings=form_settings, questions=questions, notices=notices
    )


_PYXFORM_PHRASES = [
    (r"Unknown question type", gettext_lazy("不认识的题型")),
    (r"List name not in choices sheet", gettext_lazy("选项列表在 choices 表中不存在")),
    (r"Reference variables must contain a name", gettext_lazy("引用了 survey 表中不存在的题目")),
    (r"Reference variables must start with", gettext_lazy("引用题目的写法应为 ${题目名}")),
    (r"must be unique|Duplicate|duplicate", gettext_lazy("名称重复")),
    (r"There should be a choices sheet", gettext_lazy("缺少 choices 工作表（选项表）")),
    (r"invalid.*name|Invalid.*name|not a valid XML", gettext_lazy("字段名不合规")),
    (r"Unmatched begin statement|Unmatched end statement", gettext_lazy("分组开始与结束不配对")),
]


def _pyxform_check(content: bytes) -> None:
    """Let pyxform convert the workbook as ODK would; its refusal is a 400 in Chinese terms
    (the original sentence kept at the end for whoever maintains the form)."""
    from pyxform import xls2xform
    from pyxform.errors import PyXFormError

    try:
        xls2xform.convert(xlsform=content, file_type=".xlsx", validate=False)
    except (PyXFormError, ValueError, KeyError, TypeError) as exc:
        text = str(exc)
        m = re.search(r"\[row\s*:\s*(\d+)\]", text)
        sheet = "choices" if "'choices'" in text or "choices sheet" in text else "survey"
        what = next(
            (zh for pat, zh in _PYXFORM_PHRASES if re.search(pat, text)), _("XLSForm 校验未通过")
        )
        where = (
            _("%(sheet)s 表第 %(row)s 行") % {"sheet": sheet, "row": m.group(1)}
            if m
            else _("XLSForm")
        )
        raise problems_error(
            [
                _("%(where)s：%(what)s（pyxform：%(text)s）")
                % {"where": where, "what": what, "text": text[:300]}
            ],
            code="xlsform_invalid",
        ) from None


@transaction.atomic
def survey_import_xlsform(*, actor, content: bytes, survey: Survey | None = None, **create):
    """Create a draft survey from an XLSForm (``create``: site, kind and the other
    ``survey_create`` fields; the title defaults to the form's), or give ``survey`` the
    form's questions (a new version once published). Returns (survey, notices)."""
    from .authoring import survey_create, survey_set_questions

    form = parse_xlsform(content)
    if survey is None:
        create.setdefault("title", form.title)
        if not create.get("title"):
            create["title"] = form.title
        survey = survey_create(actor=actor, **create)
    version = survey_set_questions(actor=actor, survey=survey, questions=form.questions)
    version.settings = {k: form.settings[k] for k in ("form_id", "version") if k in form.settings}
    version.save(update_fields=["settings"])
    return survey, form.notices

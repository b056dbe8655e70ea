"""XLSForm out: a survey's questions as the ``survey`` / ``choices`` / ``settings`` workbook
that ``xlsform.parse_xlsform`` reads back to the same questions (the type table is in
``xlsform``)."""

from xinfeng.core.spreadsheet import add_sheet, append_row, new_workbook, workbook_bytes

from ..choices import CHOICE_TYPES, QuestionType
from ..models import Survey, SurveyVersion
from .xlsform import LANG_EN, LANG_ZH, RATING_PARAMETERS, VILLAGE_APPEARANCE


def _xls_type(q) -> tuple[str, str, str]:
    """(type, appearance, parameters) of a question in XLSForm terms."""
    t = q.qtype
    if t in CHOICE_TYPES:
        return f"{t} {q.name}", "", ""
    return {
        QuestionType.RATING: ("range", "", RATING_PARAMETERS),
        QuestionType.INTEGER: ("integer", "", ""),
        QuestionType.DECIMAL: ("decimal", "", ""),
        QuestionType.TEXT: ("text", "", ""),
        QuestionType.LONG_TEXT: ("text", "multiline", ""),
        QuestionType.VILLAGE: ("text", VILLAGE_APPEARANCE, ""),
        QuestionType.PHOTO: ("image", "", ""),
    }[t]


def xlsform_bytes(survey: Survey, version: SurveyVersion | None = None) -> bytes:
    """The survey's questions (current version unless given) as an XLSForm workbook that
    ``parse_xlsform`` reads back to the same questions."""
    version = version or survey.current_version
    questions = list(version.questions.order_by("position")) if version else []
    wb = new_workbook()
    ws = add_sheet(wb, "survey")
    append_row(
        ws,
        [
            "type", "name", f"label::{LANG_ZH}", f"label::{LANG_EN}", f"hint::{LANG_ZH}",
            f"hint::{LANG_EN}", "required", "relevant", "appearance", "parameters",
        ],
    )  # fmt: skip
    for q in questions:
        xtype, appearance, params = _xls_type(q)
        append_row(
            ws,
            [
                xtype, q.name, q.label_zh, q.label_en, q.hint_zh, q.hint_en,
                "yes" if q.required else "", q.relevant, appearance, params,
            ],
        )  # fmt: skip
    ch = add_sheet(wb, "choices")
    append_row(ch, ["list_name", "name", f"label::{LANG_ZH}", f"label::{LANG_EN}"])
    for q in questions:
        for c in q.choices:
            append_row(ch, [q.name, c["key"], c["label_zh"], c.get("label_en", "")])
    st = add_sheet(wb, "settings")
    append_row(st, ["form_title", "form_id", "version", "default_language"])
    append_row(
        st,
        [
            survey.title,
            f"xinfeng_survey_{survey.pk}",
            str(version.number if version else 1),
            LANG_ZH,
        ],
    )
    return workbook_bytes(wb)

"""The questionnaires of the demo's 三问 round (``demo.surveys``): the 问需 survey every
township ran and the 问效 survey of the center's programmes, with their choices in Chinese
and English, and the labels of the needs the wishes are drawn from (``survey_texts``)."""

from xinfeng.surveys.choices import QuestionType

AREAS = [
    ("elderly", "一老（养老助老）", "Elderly care"),
    ("children", "一小（儿童关爱）", "Children"),
    ("health", "健康义诊", "Health"),
    ("law", "法律服务", "Legal help"),
    ("culture", "文化文艺", "Culture"),
    ("skills", "技能培训", "Skills training"),
    ("environment", "环境卫生", "Environment"),
]
# how often residents would use a service
FREQ = [
    ("weekly", "每周", "Weekly"),
    ("monthly", "每月", "Monthly"),
    ("quarterly", "每季度", "Quarterly"),
]
NEED_LABELS = {
    "meals": "老年人助餐送餐",
    "visits": "关爱独居空巢老人",
    "care": "老年人日间照料与上门照护",
    "phones": "教老年人用智能手机",
    "homework": "放学后作业辅导",
    "summer": "假期儿童托管",
    "left_behind": "关爱留守儿童",
    "clinic": "医生进村义诊",
    "checkup": "免费健康体检",
    "chronic": "慢病管理与用药指导",
    "mental": "心理健康咨询",
    "advice": "法律咨询进村",
    "fraud": "防诈骗宣传",
    "disputes": "矛盾纠纷调解",
    "dance": "广场舞培训",
    "films": "送电影下乡",
    "opera": "文艺演出进村",
    "books": "农家书屋与读书活动",
    "ecommerce": "农村电商与直播培训",
    "farming": "种植养殖技术指导",
    "jobs": "就业技能培训",
}


def _choices(rows):
    return [{"key": k, "label_zh": zh, "label_en": en} for k, zh, en in rows]


NEEDS_QUESTIONS = [
    (
        "areas",
        "您家最需要哪些方面的志愿服务？（可多选）",
        "Which services does your family need? (several)",
        QuestionType.MULTIPLE,
        _choices(AREAS),
    ),
    (
        "most",
        "其中最需要的是哪一项？",
        "Which one matters most?",
        QuestionType.SINGLE,
        _choices(AREAS),
    ),
    (
        "freq",
        "您希望多久能享受一次？",
        "How often would you use it?",
        QuestionType.SINGLE,
        _choices(FREQ),
    ),
    (
        "satisfied",
        "您对身边现有的志愿服务满意吗？（1–5 分）",
        "How satisfied are you with today's services? (1–5)",
        QuestionType.RATING,
        [],
    ),
    (
        "wish",
        "您最希望身边提供哪些志愿服务？请写下来。",
        "What service would you most like nearby? Please write it.",
        QuestionType.LONG_TEXT,
        [],
    ),
]
EVALUATION_QUESTIONS = [
    (
        "overall",
        "您对这个志愿服务项目满意吗？（1–5 分）",
        "How satisfied are you with this project? (1–5)",
        QuestionType.RATING,
        [],
    ),
    (
        "met",
        "服务解决了您提出的需求吗？",
        "Did it meet your need?",
        QuestionType.SINGLE,
        _choices(
            [("yes", "解决了", "Yes"), ("partly", "部分解决", "Partly"), ("no", "没有", "No")]
        ),
    ),
    ("suggest", "还有什么建议？", "Any suggestions?", QuestionType.TEXT, []),
]

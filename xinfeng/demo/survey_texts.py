"""Realistic free-text answers to "您最希望身边提供哪些志愿服务？" for the demo and benchmarks.

Each answer names one need of a theme (一老一小, health, law, culture, skills, living) in one of
several phrasings, so the demo's clusters look like what a township's 问需 round returns.
Deterministic for a given ``random.Random``.
"""

import random

# theme -> (share of answers, needs); each need is (key, list of ways residents say it).
THEMES: dict[str, tuple[float, list[tuple[str, list[str]]]]] = {
    "elderly": (
        0.27,
        [
            ("meals", ["老年人助餐服务", "给老人送餐", "老年食堂", "独居老人吃饭问题"]),
            ("visits", ["上门看望独居老人", "陪伴空巢老人聊天", "关爱孤寡老人"]),
            ("care", ["老年人日间照料", "失能老人护理", "老人上门照护服务"]),
            ("phones", ["教老年人用智能手机", "老人学手机支付", "帮老人学用微信"]),
        ],
    ),
    "children": (
        0.18,
        [
            ("homework", ["孩子放学后作业辅导", "课后辅导", "小学生作业辅导"]),
            ("summer", ["暑假托管班", "假期孩子托管", "暑期托管服务"]),
            ("left_behind", ["关爱留守儿童", "陪伴留守儿童", "留守儿童心理辅导"]),
        ],
    ),
    "health": (
        0.2,
        [
            ("clinic", ["医生定期义诊", "送医下乡义诊", "专家义诊"]),
            ("checkup", ["免费健康体检", "老年人体检", "定期量血压测血糖"]),
            ("chronic", ["高血压糖尿病慢病管理", "慢病随访", "慢性病用药指导"]),
            ("mental", ["心理健康咨询", "心理疏导服务"]),
        ],
    ),
    "law": (
        0.1,
        [
            ("advice", ["免费法律咨询", "律师进村法律咨询", "法律援助"]),
            ("fraud", ["防诈骗宣传", "反诈知识讲座", "防范电信诈骗"]),
            ("disputes", ["邻里纠纷调解", "家庭矛盾调解"]),
        ],
    ),
    "culture": (
        0.13,
        [
            ("dance", ["广场舞培训", "组织广场舞活动", "广场舞队"]),
            ("films", ["露天电影放映", "送电影下乡", "村里放电影"]),
            ("opera", ["戏曲演出进村", "采茶戏演出", "文艺演出"]),
            ("books", ["农家书屋多些新书", "图书借阅", "读书活动"]),
        ],
    ),
    "skills": (
        0.12,
        [
            ("ecommerce", ["农村电商培训", "直播带货培训", "网上卖农产品培训"]),
            ("farming", ["种植技术培训", "果树管理技术指导", "养殖技术培训"]),
            ("jobs", ["就业技能培训", "家政服务技能培训", "厨师技能培训"]),
        ],
    ),
}

PREFIXES = ["希望", "建议", "需要", "想要", "希望能有", "能不能多搞", "建议开展", "盼望有", ""]
SUFFIXES = ["", "。", "，谢谢", "！", "，越多越好", "，最好每月一次", "，方便大家"]
OTHER = ["没有", "都挺好的", "暂时没有", "无", "不清楚", "路灯坏了修一下", "垃圾分类宣传"]


def theme_keys() -> list[str]:
    return list(THEMES)


def need_answer(rng: random.Random, theme: str | None = None) -> tuple[str, str, str]:
    """One answer: (theme, need key, text). ``theme`` None draws it by its share."""
    if theme is None:
        names = list(THEMES)
        theme = rng.choices(names, weights=[THEMES[n][0] for n in names])[0]
    need, phrasings = rng.choice(THEMES[theme][1])
    text = rng.choice(PREFIXES) + rng.choice(phrasings) + rng.choice(SUFFIXES)
    return theme, need, text


def answers(rng: random.Random, count: int, other_share: float = 0.05) -> list[str]:
    """``count`` answers, about ``other_share`` of them off-topic or empty-ish."""
    out = []
    for _ in range(count):
        if rng.random() < other_share:
            out.append(rng.choice(OTHER))
        else:
            out.append(need_answer(rng)[2])
    return out

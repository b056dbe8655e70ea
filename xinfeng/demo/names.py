"""Realistic Chinese personal names for demo data (deterministic per generator)."""

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉红建文斌宇浩凯鑫欣怡梓涵子轩雨婷思琪佳豪俊"
    "晨阳雪琳晓东海燕志强春梅国庆金凤德胜秋菊冬生"
)


def person_name(rng) -> str:
    surname = rng.choice(SURNAMES)
    n = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(GIVEN) for _ in range(n))


def phone_number(rng) -> str:
    return rng.choice(
        ["138", "139", "135", "136", "150", "151", "152", "187", "188", "177"]
    ) + "".join(str(rng.randrange(10)) for _ in range(8))

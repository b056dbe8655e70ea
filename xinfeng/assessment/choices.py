from django.db import models
from django.utils.translation import gettext_lazy as _


class FundSource(models.TextChoices):
    """Where the money comes from (资金来源)."""

    CITY_OPERATING = "city_operating", _("市级运行经费")
    SPECIAL_INTEGRATION = "special_integration", _("阵地整合专项资金")
    TOWNSHIP = "township", _("乡镇自筹")
    DONATION = "donation", _("社会捐赠")


class EntryStatus(models.TextChoices):
    """A ledger line waits for the level above, is posted (counts), or was refused.
    A posted line never changes again; a mistake is undone by a reversing line."""

    PENDING = "pending", _("待审批")
    POSTED = "posted", _("已入账")
    REJECTED = "rejected", _("已退回")


class NodeKind(models.TextChoices):
    """The three levels of an indicator scheme: 指标 → 内容 → 标准 (only standards score)."""

    INDICATOR = "indicator", _("指标")
    CONTENT = "content", _("内容")
    STANDARD = "standard", _("标准")


class AssessedLevel(models.TextChoices):
    TOWNSHIP = "township", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")
    SITE = "site", _("阵地")
    TEAM = "team", _("队伍")


class Method(models.TextChoices):
    AUTOMATIC = "automatic", _("平台数据自动计算")
    DOCUMENT = "document", _("资料上传")
    VISIT = "visit", _("实地检查")
    QUESTIONNAIRE = "questionnaire", _("群众问卷")


class Rule(models.TextChoices):
    RATIO = "ratio", _("按目标值比例（封顶）")
    GRADE = "grade", _("A/B/C/C# 档次")
    DEDUCTION = "deduction", _("按差距扣分（不低于 0）")
    YESNO = "yesno", _("是/否")


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    C_SHARP = "C#", "C#"

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

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("地级市")
    COUNTY = "county", _("县级市/区/县")
    TOWNSHIP = "township", _("乡镇/街道")
    VILLAGE = "village", _("村/社区")
    NATURAL_VILLAGE = "natural_village", _("自然村/小组")

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceCategory(models.TextChoices):
    """The fields of practice shared by teams, projects and activities.

    The first seven are the specialised fields of the "1+7+N" team system (see
    docs/architecture.md); the rest are common extra categories used by N-type teams.
    """

    THEORY = "theory", _("理论宣讲")
    EDUCATION = "education", _("教育服务")
    CULTURE = "culture", _("文化文艺")
    SCIENCE = "science", _("科技科普")
    SPORT = "sport", _("健身体育")
    HEALTH = "health", _("卫生健康")
    EVERYDAY_HELP = "everyday_help", _("便民帮扶")
    LAW = "law", _("法治宣传")
    ELDERLY = "elderly", _("关爱老人")
    CHILDREN = "children", _("关爱儿童")
    ENVIRONMENT = "environment", _("生态环保")
    EMERGENCY = "emergency", _("应急救援")


SEVEN_FIELDS = [
    ServiceCategory.THEORY,
    ServiceCategory.EDUCATION,
    ServiceCategory.CULTURE,
    ServiceCategory.SCIENCE,
    ServiceCategory.SPORT,
    ServiceCategory.HEALTH,
    ServiceCategory.EVERYDAY_HELP,
]


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    PASSPORT = "passport", _("护照")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("中共党员")
    PROBATIONARY = "probationary", _("预备党员")
    LEAGUE_MEMBER = "league_member", _("共青团员")
    MASSES = "masses", _("群众")
    OTHER = "other", _("其他")


class TeamType(models.TextChoices):
    GENERAL = "general", _("总队")
    SPECIALISED = "specialised", _("专业服务队")
    MOBILE = "mobile", _("流动服务队")
    DEPARTMENT = "department", _("部门服务队")
    VILLAGE = "village", _("村（社区）服务队")
    SOCIAL = "social", _("社会组织服务队")


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("队员")
    LEADER = "leader", _("队长")


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACTIVE = "active", _("在队")
    REJECTED = "rejected", _("未通过")
    LEFT = "left", _("已退出")


class ServiceSource(models.TextChoices):
    ACTIVITY = "activity", _("活动")
    ORDER = "order", _("点单服务")
    EMERGENCY = "emergency", _("应急")
    OTHER = "other", _("其他")


class Verification(models.TextChoices):
    QR = "qr", _("扫码签到")
    CODE = "code", _("签到码")
    GEOFENCE = "geofence", _("定位签到")
    LEADER = "leader", _("队长确认")
    BACKFILL = "backfill", _("补录")
    AUTO_CLOSED = "auto_closed", _("自动签退")


class PointsKind(models.TextChoices):
    EARN = "earn", _("服务获得")
    REDEEM = "redeem", _("兑换")
    CORRECTION = "correction", _("更正")
    ADJUST = "adjust", _("调整")
    REFUND = "refund", _("兑换退还")


class RegistrationChannel(models.TextChoices):
    SELF = "self", _("本人注册")
    STAFF = "staff", _("工作人员登记")
    IMPORT = "import", _("批量导入")


class RedemptionStatus(models.TextChoices):
    REQUESTED = "requested", _("待领取")
    DELIVERED = "delivered", _("已领取")
    CANCELLED = "cancelled", _("已取消")


# Allowed redemption moves: from -> targets. Cancelling returns points and stock.
REDEMPTION_TRANSITIONS = {
    RedemptionStatus.REQUESTED: {RedemptionStatus.DELIVERED, RedemptionStatus.CANCELLED},
    RedemptionStatus.DELIVERED: set(),
    RedemptionStatus.CANCELLED: set(),
}


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


# Membership moves: from -> targets. ``left``/``rejected`` rows are history and never reopen;
# a new request creates a new row.
MEMBERSHIP_TRANSITIONS = {
    MembershipStatus.PENDING: {
        MembershipStatus.ACTIVE,
        MembershipStatus.REJECTED,
        MembershipStatus.LEFT,
    },
    MembershipStatus.ACTIVE: {MembershipStatus.LEFT},
    MembershipStatus.REJECTED: set(),
    MembershipStatus.LEFT: set(),
}

# Star levels (星级志愿者) by accumulated service hours: 1 star at 100 h ... 5 stars at 1,500 h.
STAR_THRESHOLDS = (100, 300, 600, 1000, 1500)

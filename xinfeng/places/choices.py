from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteLevel(models.TextChoices):
    CENTER = "center", _("新时代文明实践中心")
    INSTITUTE = "institute", _("新时代文明实践所")
    STATION = "station", _("新时代文明实践站")
    POINT = "point", _("新时代文明实践点")


# Rank of each level: a site's parent must have a strictly lower rank.
SITE_LEVEL_RANK = {
    SiteLevel.CENTER: 0,
    SiteLevel.INSTITUTE: 1,
    SiteLevel.STATION: 2,
    SiteLevel.POINT: 3,
}


class PointKind(models.TextChoices):
    """Where a practice point lives (report: ancestral halls, parks, factories, schools)."""

    GENERAL = "general", _("一般")
    ANCESTRAL_HALL = "ancestral_hall", _("祠堂")
    PARK = "park", _("公园/广场")
    FACTORY = "factory", _("企业/厂区")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院/卫生院")
    COMMUNITY = "community", _("小区/楼栋")
    TEMPORARY = "temporary", _("临时安置点")


class Facility(models.TextChoices):
    """Former facilities a site absorbed (资源整合)."""

    PARTY_SERVICE = "party_service", _("党群服务中心")
    BROADCAST_ROOM = "broadcast_room", _("村广播室")
    WOMENS_HOME = "womens_home", _("妇女之家")
    YOUTH_HOME = "youth_home", _("青年之家")
    CHILDRENS_HOME = "childrens_home", _("儿童之家")
    MILITIA_HOME = "militia_home", _("民兵之家")
    LIBRARY = "library", _("农家书屋")
    CULTURE_ROOM = "culture_room", _("文化活动室")
    ELDERLY_HOME = "elderly_home", _("颐养之家")
    SPORTS = "sports", _("体育健身场所")


class Department(models.TextChoices):
    """Departments that guide practice sites (指导部门)."""

    ORGANIZATION = "organization", _("组织部")
    PUBLICITY = "publicity", _("宣传部")
    FINANCE = "finance", _("财政局")
    CIVIL_AFFAIRS = "civil_affairs", _("民政局")
    CULTURE_TOURISM = "culture_tourism", _("文广新旅局")
    HUMAN_RESOURCES = "human_resources", _("人社局")
    EDUCATION = "education", _("教育局")
    HEALTH = "health", _("卫健委")
    YOUTH_LEAGUE = "youth_league", _("团市委")
    WOMENS_FEDERATION = "womens_federation", _("妇联")
    SCIENCE_ASSOCIATION = "science_association", _("科协")
    JUSTICE = "justice", _("司法局")


class VenueUse(models.TextChoices):
    """Uses of a room: 一堂多能、一室多用."""

    STUDY = "study", _("理论学习")
    POLICY_TALK = "policy_talk", _("政策宣讲")
    SCIENCE = "science", _("科普")
    FITNESS = "fitness", _("健身")
    CULTURE = "culture", _("文艺")
    READING = "reading", _("阅读")
    TRAINING = "training", _("培训")
    MEETING = "meeting", _("议事")
    CHILDREN = "children", _("儿童活动")
    ELDERLY = "elderly", _("老年活动")
    HEALTH = "health", _("健康义诊")
    FILM = "film", _("放映")

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("群众")
    VOLUNTEER = "volunteer", _("志愿者")
    TEAM_LEADER = "team_leader", _("队长")
    STATION_OPERATOR = "station_operator", _("实践站管理员")
    INSTITUTE_ADMIN = "institute_admin", _("实践所管理员")
    CENTER_ADMIN = "center_admin", _("实践中心管理员")
    LEADER = "leader", _("领导（只读）")
    # A guiding department (组织部, 宣传部, 财政局 …): reads the figures of the work it
    # guides in its region and writes nothing (RoleAssignment.department names which).
    DEPARTMENT = "department", _("指导部门（只读）")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")


# Roles that manage sites, activities and orders in their region's subtree.
STAFF_ROLES = (
    Role.STATION_OPERATOR,
    Role.INSTITUTE_ADMIN,
    Role.CENTER_ADMIN,
    Role.SYSTEM_ADMIN,
)
# Roles that may read everything in their subtree (dashboards) without changing it.
READ_ROLES = (*STAFF_ROLES, Role.LEADER)

"""Stored texts of work plans (notifications): keys with their Chinese source strings."""

from django.utils.translation import gettext_noop

from xinfeng.notifications.texts import define

TASK_ASSIGNED = define("workplans.task.assigned", gettext_noop("新的工作任务：%(t)s"))
TASK_ASSIGNED_BODY = define(
    "workplans.task.assigned.body", gettext_noop("%(plan)s，完成时限 %(deadline)s。")
)
TASK_OVERDUE = define("workplans.task.overdue", gettext_noop("工作任务已逾期：%(t)s"))
TASK_OVERDUE_BODY = define(
    "workplans.task.overdue.body",
    gettext_noop("%(plan)s，完成时限 %(deadline)s，请尽快完成并上传佐证。"),
)
TASK_ESCALATED = define("workplans.task.escalated", gettext_noop("下级工作任务逾期未完成：%(t)s"))
TASK_ESCALATED_BODY = define(
    "workplans.task.escalated.body",
    gettext_noop("%(region)s《%(plan)s》，完成时限 %(deadline)s，责任人 %(owner)s。"),
)

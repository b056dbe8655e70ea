"""Stored texts of work plans (notifications): keys with their Chinese source strings."""

from django.utils.translation import gettext_noop as N

from xinfeng.notifications.texts import define

TASK_ASSIGNED = define("workplans.task.assigned", N("新的工作任务：%(t)s"))
TASK_ASSIGNED_BODY = define("workplans.task.assigned.body", N("%(plan)s，完成时限 %(deadline)s。"))
TASK_OVERDUE = define("workplans.task.overdue", N("工作任务已逾期：%(t)s"))
TASK_OVERDUE_BODY = define(
    "workplans.task.overdue.body", N("%(plan)s，完成时限 %(deadline)s，请尽快完成并上传佐证。")
)
TASK_ESCALATED = define("workplans.task.escalated", N("下级工作任务逾期未完成：%(t)s"))
TASK_ESCALATED_BODY = define(
    "workplans.task.escalated.body",
    N("%(region)s《%(plan)s》，完成时限 %(deadline)s，责任人 %(owner)s。"),
)

"""Work-plan objects for tests that need them without the services (the authz matrix)."""

from datetime import date

from xinfeng.workplans.models import Designation, Task, WorkPlan


def matrix_workplans(tree, owner) -> dict:
    """苏家垱乡's 2020 plan with one task of ``owner`` (the station operator of 水口村),
    and 水口村's station designated a demonstration site of 苏家垱乡."""
    plan = WorkPlan.objects.create(region=tree.t1, year=2020, title="矩阵方案", site=tree.inst1)
    task = Task.objects.create(plan=plan, title="矩阵任务", owner=owner, deadline=date(2020, 6, 1))
    d = Designation.objects.create(
        site=tree.st1, township=tree.t1, year=2020, criteria="矩阵", designated_by="实践中心"
    )
    return {
        "plan_id": plan.pk,
        "task_id": task.pk,
        "designation_id": d.pk,
        "township_id": tree.t1.pk,
    }

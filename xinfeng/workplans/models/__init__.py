from .demosites import Designation, DesignationReview
from .plans import Goal, Task, TaskEvent, TaskEvidence, WorkPlan

__all__ = [
    "Designation",
    "DesignationReview",
    "Goal",
    "Task",
    "TaskEvent",
    "TaskEvidence",
    "WorkPlan",
]

from .ledger import Allocation, Expenditure
from .manual import InspectorAssignment, ManualScore
from .results import Result, ResultLine, ResultsRun
from .scheme import Node, Scheme

__all__ = [
    "Allocation",
    "Expenditure",
    "InspectorAssignment",
    "ManualScore",
    "Node",
    "Result",
    "ResultLine",
    "ResultsRun",
    "Scheme",
]

from .ledger import Allocation, Expenditure
from .results import Result, ResultLine
from .scheme import Node, Scheme

__all__ = ["Allocation", "Expenditure", "Node", "Result", "ResultLine", "Scheme"]

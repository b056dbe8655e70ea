from .ledger import Allocation, Expenditure
from .scheme import Node, Scheme

__all__ = ["Allocation", "Expenditure", "Node", "Scheme"]

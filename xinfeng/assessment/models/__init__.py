from .ledger import Allocation, Expenditure

__all__ = ["Allocation", "Expenditure"]

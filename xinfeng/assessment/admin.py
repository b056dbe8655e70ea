"""Django admin for the funding ledger: read-only. Lines are written, approved and
reversed through the services (pages and API) only; the admin can neither add, change
nor delete one (append-only books)."""

from django.contrib import admin

from xinfeng.places.admin import ScopedAdmin

from .models import Allocation, Expenditure


class LedgerAdmin(ScopedAdmin):
    list_filter = ["year", "source", "status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Allocation)
class AllocationAdmin(LedgerAdmin):
    list_display = ["id", "year", "source", "from_region", "region", "amount_fen", "status"]


@admin.register(Expenditure)
class ExpenditureAdmin(LedgerAdmin):
    list_display = ["id", "spent_on", "source", "region", "payee", "amount_fen", "status"]

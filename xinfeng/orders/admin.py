"""Admin for orders: read-only views for inspection. Every change of state goes through
``orders.services`` (pages, API, worker), never through the admin, so the event log and
the notifications stay complete."""

from django.contrib import admin

from xinfeng.places.admin import ScopedAdmin

from .models import FollowUp, Order, OrderEvent


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = OrderEvent
    fields = ["at", "action", "from_state", "to_state", "actor", "team", "site", "reason"]
    readonly_fields = fields
    extra = 0


@admin.register(Order)
class OrderAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ["id", "title", "state", "region", "site", "team", "submitted_at", "due_at"]
    list_filter = ["state", "channel", "category"]
    search_fields = ["title", "address"]
    date_hierarchy = "submitted_at"
    inlines = [EventInline]
    list_select_related = ["region", "site", "team"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ["order", "site", "status", "opened_at", "closed_at", "resolved"]
    list_filter = ["status", "resolved"]
    list_select_related = ["order", "site"]

"""Admin for the sync queue: read-only, system administrators only (payloads hold names).
Staff act on it through /sync/ (retry, pause)."""

from django.contrib import admin

from xinfeng.accounts.scope import is_system_admin

from .models import DailyReport, OutboxRow, TargetState


class SystemAdminReadOnly(admin.ModelAdmin):
    def has_module_permission(self, request):
        return is_system_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_system_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxRow)
class OutboxRowAdmin(SystemAdminReadOnly):
    list_display = [
        "id",
        "target",
        "entity_type",
        "entity_id",
        "event",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["target", "status", "entity_type"]
    search_fields = ["idempotency_key", "=entity_id"]


@admin.register(TargetState)
class TargetStateAdmin(SystemAdminReadOnly):
    list_display = ["target", "paused", "consecutive_failures", "open_until", "last_success_at"]


@admin.register(DailyReport)
class DailyReportAdmin(SystemAdminReadOnly):
    list_display = [
        "target",
        "day",
        "sent",
        "acknowledged",
        "failed",
        "waiting",
        "oldest_waiting_at",
    ]
    list_filter = ["target"]

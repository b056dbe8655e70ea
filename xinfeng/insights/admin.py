"""Read-only admin of the rollups. Region figures are scoped like every other admin page
(staff see their subtree); rollup runs carry no region, so only system administrators see
them."""

from django.contrib import admin

from xinfeng.accounts.scope import is_system_admin
from xinfeng.places.admin import ScopedAdmin

from .models import RegionStat, RollupRun


@admin.register(RollupRun)
class RollupRunAdmin(admin.ModelAdmin):
    """Read-only history of the rollup runs (when, how long, what failed)."""

    list_display = ["started_at", "status", "trigger", "regions", "changed", "duration_ms"]
    list_filter = ["status", "trigger"]
    readonly_fields = [f.name for f in RollupRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return is_system_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_system_admin(request.user)  # no region: system administrators only


@admin.register(RegionStat)
class RegionStatAdmin(ScopedAdmin):
    """The stored dashboard figures per region (written by the rollup only)."""

    list_display = ["region", "level", "volunteers", "hours", "activities", "orders", "computed_at"]
    list_filter = ["level"]
    search_fields = ["region__name", "region__code"]
    readonly_fields = [f.name for f in RegionStat._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

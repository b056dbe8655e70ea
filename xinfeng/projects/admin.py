"""Admin for service projects, scoped like the rest of the admin (staff see their area)."""

from django.contrib import admin

from xinfeng.places.admin import ScopedAdmin

from .models import Project


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    list_display = ["name", "category", "site", "status", "is_provincial_demo", "orders_completed"]
    list_filter = ["status", "category", "is_provincial_demo"]
    search_fields = ["name", "summary"]
    raw_id_fields = ["site", "declared_by", "approved_by"]
    filter_horizontal = ["teams", "areas"]
    readonly_fields = ["status", "approved_by", "approved_at", "activated_at", "retired_at"]

from django.contrib import admin

from .models import PointsEntry, ServiceRecord, Team, TeamMembership, Volunteer


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "name",
        "home_region",
        "political_status",
        "total_hours",
        "points_balance",
    ]
    search_fields = ["number", "name"]
    exclude = ["id_number_encrypted", "id_number_hash"]
    autocomplete_fields = ["user", "home_region"]


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["volunteer"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "team_type", "home_site", "capacity", "standby_24h", "is_active"]
    list_filter = ["team_type", "standby_24h"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "home_site", "region"]
    inlines = [MembershipInline]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(admin.ModelAdmin):
    list_display = [
        "volunteer",
        "source_type",
        "started_at",
        "hours",
        "verification",
        "is_backfill",
    ]
    list_filter = ["source_type", "verification", "is_backfill"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PointsEntry)
class PointsEntryAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "kind", "delta", "balance_after", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

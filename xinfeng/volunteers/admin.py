"""Django admin for volunteers, teams, hours, points, the exchange and certificates.

Scoped like the places admin (``ScopedAdmin``). Records, ledger lines, redemptions,
certificates and imports are read-only here: they change only through the services.
Encrypted fields and pick-up codes are never shown.
"""

from django.contrib import admin

from xinfeng.places.admin import ScopedAdmin
from xinfeng.volunteers.models import (
    Certificate,
    PointsEntry,
    Redemption,
    Reward,
    ServiceRecord,
    Team,
    TeamMembership,
    Volunteer,
    VolunteerImport,
)


@admin.register(Volunteer)
class VolunteerAdmin(ScopedAdmin):
    scope_path_field = "home_region__path"
    readonly_fields = ["number", "total_hours", "points_balance"]

    def has_add_permission(self, request):
        # Registration (number, encrypted ID, consents) happens on the pages and the API.
        return False

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
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "team_type", "home_site", "capacity", "standby_24h", "is_active"]
    list_filter = ["team_type", "standby_24h"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "home_site", "region"]
    inlines = [MembershipInline]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ScopedAdmin):
    list_display = [
        "volunteer",
        "source_type",
        "started_at",
        "hours",
        "verification",
        "is_backfill",
    ]
    list_filter = ["source_type", "verification", "is_backfill"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PointsEntry)
class PointsEntryAdmin(ScopedAdmin):
    scope_path_field = "volunteer__home_region__path"
    list_display = ["volunteer", "kind", "delta", "balance_after", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reward)
class RewardAdmin(ScopedAdmin):
    scope_path_field = "site__region__path"
    list_display = ["name", "site", "points_cost", "stock", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "site__name"]
    autocomplete_fields = ["site"]
    # Stock moves only through the exchange services (restock, redeem, cancel).
    readonly_fields = ["stock"]


@admin.register(Redemption)
class RedemptionAdmin(ScopedAdmin):
    scope_path_field = "site__region__path"
    list_display = ["volunteer", "reward", "quantity", "points", "status", "created_at"]
    list_filter = ["status"]
    exclude = ["pickup_code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(ScopedAdmin):
    list_display = ["number", "volunteer_name", "issuer_name", "hours", "issued_at", "revoked_at"]
    search_fields = ["number", "volunteer_number"]
    exclude = ["pdf"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(VolunteerImport)
class VolunteerImportAdmin(ScopedAdmin):
    list_display = [
        "file_name",
        "region",
        "status",
        "created_count",
        "rejected_count",
        "created_at",
    ]
    list_filter = ["status"]
    exclude = ["content_encrypted", "rejected_encrypted"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""Django admin for activities: a scoped, read-only view for inspection. Every change goes
through the pages and the API (``activities.services``), where the rules live."""

from django.contrib import admin

from xinfeng.places.admin import ScopedAdmin

from .models import Activity, ActivityEvent, ActivitySiteSettings, News, Signup, VenueBooking


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = ActivityEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_state", "to_state", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyScopedAdmin):
    list_display = ["title", "site", "category", "state", "starts_at", "signup_count"]
    list_filter = ["state", "category", "mode", "is_cloud_lecture"]
    search_fields = ["title", "site__name"]
    date_hierarchy = "starts_at"
    list_select_related = ["site"]
    inlines = [EventInline]


@admin.register(Signup)
class SignupAdmin(ReadOnlyScopedAdmin):
    scope_path_field = "activity__region__path"
    list_display = ["activity", "user", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["activity", "user"]


@admin.register(VenueBooking)
class VenueBookingAdmin(ReadOnlyScopedAdmin):
    scope_path_field = "venue__site__region__path"
    list_display = ["title", "venue", "starts_at", "ends_at", "state"]
    list_filter = ["state"]
    list_select_related = ["venue", "venue__site"]


@admin.register(News)
class NewsAdmin(ReadOnlyScopedAdmin):
    list_display = ["title", "site", "kind", "published_at"]
    list_filter = ["kind"]
    list_select_related = ["site"]


@admin.register(ActivitySiteSettings)
class ActivitySiteSettingsAdmin(ReadOnlyScopedAdmin):
    scope_path_field = "site__region__path"
    list_display = ["site", "requires_review", "geofence_radius_m", "checkin_opens_minutes"]

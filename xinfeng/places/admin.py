from django.contrib import admin

from .models import Region, Site, Venue


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "population"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


class VenueInline(admin.TabularInline):
    model = Venue
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "region", "is_complex", "responsible_title", "active_until"]
    list_filter = ["level", "is_complex", "point_kind"]
    search_fields = ["name", "address", "host_unit"]
    autocomplete_fields = ["region", "parent", "responsible_user", "operators"]
    inlines = [VenueInline]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "capacity", "is_active"]
    search_fields = ["name", "site__name"]
    autocomplete_fields = ["site"]

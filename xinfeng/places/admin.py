"""Django admin (Chinese by default) for regions, sites and venues.

System administrators see everything. Other staff users (``is_staff`` with model
permissions granted) see and change only what lies in their role scope, through the same
``accounts.scope`` mechanism the pages and the API use.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import has_role_at, is_system_admin, restrict
from xinfeng.regions.models import Region

from .models import Site, Venue


class ScopedAdmin(admin.ModelAdmin):
    """Restrict the admin's querysets to the user's staff scope."""

    scope_path_field = "region__path"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_system_admin(request.user):
            return qs
        return restrict(qs, request.user, path_field=self.scope_path_field, roles=STAFF_ROLES)


def _require_staff_at(user, region) -> None:
    # Django's PermissionDenied: the admin answers 403 instead of crashing.
    if not has_role_at(user, region, STAFF_ROLES):
        raise PermissionDenied


def _scoped_choices(request, db_field, kwargs):
    """Limit foreign-key choices (region, parent site, site) to the user's scope."""
    if is_system_admin(request.user):
        return
    if db_field.related_model is Region:
        kwargs["queryset"] = restrict(
            Region.objects.all(), request.user, path_field="path", roles=STAFF_ROLES
        )
    elif db_field.related_model is Site and db_field.name == "site":
        kwargs["queryset"] = restrict(Site.objects.all(), request.user, roles=STAFF_ROLES)


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["name", "code", "level", "parent", "population"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    scope_path_field = "path"

    def has_add_permission(self, request):
        # The region tree is reference data: only system administrators change its shape.
        return is_system_admin(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return is_system_admin(request.user) and super().has_delete_permission(request, obj)


class VenueInline(admin.TabularInline):
    model = Venue
    extra = 0


@admin.register(Site)
class SiteAdmin(ScopedAdmin):
    list_display = ["name", "level", "region", "is_complex", "responsible_title", "active_until"]
    list_filter = ["level", "is_complex", "point_kind"]
    search_fields = ["name", "address", "host_unit"]
    autocomplete_fields = ["region", "parent", "responsible_user", "operators"]
    inlines = [VenueInline]

    def get_readonly_fields(self, request, obj=None):
        # People are managed by system administrators here; scoped staff name a site's
        # operators on the staff pages (places:manage_site), which grant the role too.
        if is_system_admin(request.user):
            return super().get_readonly_fields(request, obj)
        return ["responsible_user", "operators"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _scoped_choices(request, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            stored = Site.objects.select_related("region").get(pk=obj.pk)
            _require_staff_at(request.user, stored.region)
        _require_staff_at(request.user, obj.region)
        super().save_model(request, obj, form, change)


@admin.register(Venue)
class VenueAdmin(ScopedAdmin):
    list_display = ["name", "site", "capacity", "is_active"]
    search_fields = ["name", "site__name"]
    autocomplete_fields = ["site"]
    scope_path_field = "site__region__path"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _scoped_choices(request, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        _require_staff_at(request.user, obj.site.region)
        super().save_model(request, obj, form, change)

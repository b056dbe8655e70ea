from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from xinfeng.core.models import AuditEvent

from .audit_scope import audit_events_visible
from .models import ApiToken, Consent, DevSms, RoleAssignment, User
from .scope import is_system_admin


class SystemAdminOnly:
    """Users, roles and tokens decide who may do what: only system administrators manage
    them here (staff manage a site's operators on the staff pages, within their scope)."""

    def has_module_permission(self, request):
        return is_system_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_system_admin(request.user)

    def has_add_permission(self, request, *args):
        return is_system_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_system_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_system_admin(request.user)


class RoleAssignmentInline(SystemAdminOnly, admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["region"]


@admin.register(User)
class UserAdmin(SystemAdminOnly, BaseUserAdmin):
    list_display = ["username", "display_name", "phone", "is_active", "is_staff"]
    search_fields = ["username", "display_name", "phone"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("新风"), {"fields": ("display_name", "phone", "home_region")}),
    )
    autocomplete_fields = ["home_region"]
    inlines = [RoleAssignmentInline]


@admin.register(ApiToken)
class ApiTokenAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    search_fields = ["user__username", "prefix"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only audit log. System administrators see every event; other staff with the view
    permission see only events whose actor works inside their scope
    (``accounts.audit_scope.audit_events_visible``)."""

    list_display = ["at", "action", "actor", "object_type", "object_id", "ip"]
    list_filter = ["action"]
    search_fields = ["object_id", "actor__username"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_queryset(self, request):
        return audit_events_visible(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DevSms)
class DevSmsAdmin(SystemAdminOnly, admin.ModelAdmin):
    """The development SMS backend's messages (sign-up codes while no gateway is set)."""

    list_display = ["created_at", "phone", "text"]
    search_fields = ["phone"]
    readonly_fields = ["created_at", "phone", "text"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Consent)
class ConsentAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["user", "kind", "version", "given_at", "withdrawn_at"]
    list_filter = ["kind"]
    readonly_fields = ["user", "kind", "version", "given_at", "withdrawn_at"]

    def has_add_permission(self, request, *args):
        return False

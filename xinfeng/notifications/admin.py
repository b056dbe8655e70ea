from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "status", "detail", "created_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Sent notifications, for tracing a complaint ("I never got the message")."""

    list_display = ["shown_title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at"]
    inlines = [DeliveryInline]

    @admin.display(description=_("标题"), ordering="title")
    def shown_title(self, obj: Notification) -> str:
        """The title in the admin user's language (the stored text when it has no key)."""
        return obj.title_text

    def get_queryset(self, request):
        from xinfeng.accounts.scope import is_system_admin

        qs = super().get_queryset(request).select_related("recipient")
        # Messages are personal: only system administrators read other people's.
        return qs if is_system_admin(request.user) else qs.filter(recipient=request.user)

from django.contrib import admin

from .models import Callout, Incident, IncidentEvent, Need, Notice, Sitrep, Station


class EventInline(admin.TabularInline):
    model = IncidentEvent
    extra = 0
    readonly_fields = ("action", "actor", "note", "created_at")
    can_delete = False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "level", "is_exercise", "status", "declared_at")
    list_filter = ("kind", "status", "is_exercise")
    readonly_fields = ("declared_by", "declared_at", "closed_by", "closed_at")
    inlines = [EventInline]


admin.site.register([Callout, Need, Notice, Sitrep, Station])

from django.contrib import admin

from relais.core.knowledge.models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read-only: entries change through the services (hash, audit, search index)."""

    list_display = ("question", "organization", "status", "origin", "validated_at", "review_date")
    list_filter = ("status", "origin")
    search_fields = ("question",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

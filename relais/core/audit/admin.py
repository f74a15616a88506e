from django.contrib import admin

from relais.core.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is never edited."""

    list_display = ("created_at", "actor", "action", "target_type", "target_repr", "workspace")
    list_filter = ("action", "target_type")
    search_fields = ("target_repr", "target_id", "actor__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

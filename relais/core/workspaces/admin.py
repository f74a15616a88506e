from django.contrib import admin

from relais.core.workspaces.models import Membership, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "kind", "template", "created_at")
    list_filter = ("kind", "organization")
    search_fields = ("name",)
    inlines = [MembershipInline]

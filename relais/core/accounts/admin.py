from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from relais.core.accounts.models import ApiToken, OrganizationMembership, User
from relais.core.workspaces.models import Membership


class OrganizationMembershipInline(admin.TabularInline):
    model = OrganizationMembership
    extra = 1
    fields = ("organization", "role")


class WorkspaceMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("workspace", "role")
    autocomplete_fields = ("workspace",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "organization", "is_active")
    list_filter = ("organization_memberships__role", "organization", "is_active")
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Relais"), {"fields": ("organization",)}))
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Relais"), {"fields": ("organization",)}),
    )
    inlines = [OrganizationMembershipInline, WorkspaceMembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "digest", "last_used_at")
    search_fields = ("name", "user__username")

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from relais.core.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "organization", "is_active")
    list_filter = ("role", "organization", "is_active")
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Relais"), {"fields": ("role", "organization")}))
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Relais"), {"fields": ("role", "organization")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "digest", "last_used_at")
    search_fields = ("name", "user__username")

from django.contrib import admin

from relais.core.organizations.models import Organization, OrganizationDomain


class OrganizationDomainInline(admin.TabularInline):
    model = OrganizationDomain
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "primary_colour")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [OrganizationDomainInline]

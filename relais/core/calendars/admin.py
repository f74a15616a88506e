from django.contrib import admin

from relais.core.calendars.models import Closure


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("organization", "start", "end", "label")
    list_filter = ("organization",)
    date_hierarchy = "start"
    search_fields = ("label",)

from django.contrib import admin

from relais.core.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "label",
        "owner",
        "kind",
        "status",
        "done",
        "total",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind")

from django.contrib import admin

from relais.core.notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "category", "created_at", "read_at", "emailed_at")
    list_filter = ("category",)
    raw_id_fields = ("recipient", "workspace")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email_frequency")
    raw_id_fields = ("user",)

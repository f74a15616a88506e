"""Django admin for the network's set-up: bodies, commitments, referents (superusers)."""

from django.contrib import admin

from relais.frontdoor.models import (
    Body,
    Commitment,
    MailMessage,
    Network,
    Referent,
    Reminder,
    Request,
)


class BodyInline(admin.TabularInline):
    model = Body
    extra = 0
    fields = ("code", "name", "organization", "email", "phone", "alsace_moselle", "active")


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "workspace", "inbox_address", "transfer_delay_days")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [BodyInline]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "network", "organization", "active")
    list_filter = ("network", "active")
    inlines = [CommitmentInline]


@admin.register(Referent)
class ReferentAdmin(admin.ModelAdmin):
    list_display = ("user", "body", "territory", "is_dispatcher", "active")
    list_filter = ("body__network", "body", "is_dispatcher", "active")
    raw_id_fields = ("user",)


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    """Read-only: requests change through the front door's services only."""

    list_display = ("tracking_code", "subject", "network", "state", "priority", "received_at")
    list_filter = ("network", "state", "priority", "channel")
    search_fields = ("tracking_code", "subject")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("request", "kind", "step", "due", "sent_at")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MailMessage)
class MailMessageAdmin(admin.ModelAdmin):
    """The inbox's journal, read-only: what came in (and what became of it) and went out."""

    list_display = ("at", "network", "direction", "kind", "sender", "subject", "request")
    list_filter = ("network", "direction", "kind")
    search_fields = ("message_id", "sender", "subject")
    raw_id_fields = ("request",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

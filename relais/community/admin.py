"""The community in Django's admin: settings, categories and the banned-words list are edited
there without a deployment (until the back office of part 1 §4 has its own pages); posts,
flags and official answers are read-only, since they change through the services (history,
hashes, interaction log, audit)."""

from django.contrib import admin

from relais.community.models import (
    Attachment,
    BannedWord,
    Category,
    Community,
    ContentSettings,
    Flag,
    MemberProfile,
    MemberSettings,
    OfficialAnswer,
    Sanction,
    Tag,
    Topic,
)


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ("position", "slug", "name", "kind", "read_access", "post_access", "description")


class BannedWordInline(admin.TabularInline):
    model = BannedWord
    extra = 1
    fields = ("word", "action", "replacement")


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "organization", "auto_hide_threshold")
    fields = (
        "organization",
        "workspace",
        "slug",
        "name",
        "tagline",
        "charter",
        "features",
        "auto_hide_threshold",
        "trust_thresholds",
        "flag_weights",
    )
    inlines = [CategoryInline, BannedWordInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ("title", "category", "kind", "state", "replies_count", "is_deleted")
    list_filter = ("kind", "state", "is_deleted")
    search_fields = ("title",)


@admin.register(OfficialAnswer)
class OfficialAnswerAdmin(ReadOnlyAdmin):
    list_display = ("post", "kind", "state", "service_name", "validated_at", "review_date")
    list_filter = ("kind", "state")


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("post", "reason", "weight", "state", "created_at")
    list_filter = ("state", "reason")


@admin.register(MemberProfile)
class MemberProfileAdmin(ReadOnlyAdmin):
    list_display = ("display_name", "community", "trust_level", "posts_count", "flags_received")
    search_fields = ("display_name",)


@admin.register(MemberSettings)
class MemberSettingsAdmin(admin.ModelAdmin):
    """Disposable domains refused at sign-up and the escalation steps of sanctions."""

    list_display = ("community", "updated_at")
    fields = ("community", "disposable_domains", "sanction_steps")


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    """Read-only: sanctions are applied and lifted through the moderators' pages (the member
    is told, the audit and interaction logs are written)."""

    list_display = ("community", "profile", "kind", "step", "starts_at", "ends_at", "lifted_at")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Content around posts: read-only where the services keep invariants ------------------


@admin.register(ContentSettings)
class ContentSettingsAdmin(admin.ModelAdmin):
    list_display = ("community", "attachment_max_mb", "attachments_per_post", "tag_mode")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "community")
    list_filter = ("community",)
    search_fields = ("name",)
    exclude = ("topics",)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    # Files join posts through the service (type, size and content checked, thumbnail).
    list_display = ("original_name", "content_type", "size", "community", "created_at")
    list_filter = ("community", "is_image")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""Who may do what in a community: the one place services and selectors ask.

Roles are those held in the community's organization; the anonymous visitor holds the
``anonymous`` pseudo-role (public reads). A category the user may not read is reported as
*not found*, never as forbidden: its existence does not leak.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from relais.community.models import Access, Category, CategoryModerator, Community
from relais.community.permissions import Permission
from relais.core.accounts.permissions import user_has_permission
from relais.core.exceptions import AccessDenied, NotFound


def can(user, permission: str, community: Community) -> bool:
    """Whether a role ``user`` holds in the community's organization grants ``permission``."""
    return user_has_permission(user, permission, organization=community.organization_id)


def ensure(user, permission: str, community: Community) -> None:
    """Raise ``AccessDenied`` (sign in first, or the role does not allow it) unless ``can``."""
    if can(user, permission, community):
        return
    if user is None or not user.is_authenticated:
        raise AccessDenied(_("Connectez-vous pour continuer."))
    raise AccessDenied(_("Votre rôle ne permet pas cette action dans cette communauté."))


def readable_access_levels(user, community: Community) -> set[str]:
    """The category read levels ``user`` reaches in ``community``."""
    levels = {Access.PUBLIC} if can(user, Permission.READ, community) else set()
    if can(user, Permission.READ_MEMBERS, community):
        levels.add(Access.MEMBERS)
    if can(user, Permission.READ_STAFF, community):
        levels.add(Access.STAFF)
    return levels


def readable_categories_filter(user, community: Community, prefix: str = "") -> Q:
    """A filter on categories (or on rows through ``prefix``, like ``"category__"``) keeping
    those ``user`` may read."""
    return Q(**{f"{prefix}read_access__in": sorted(readable_access_levels(user, community))})


def can_read_category(user, category: Category) -> bool:
    return category.read_access in readable_access_levels(user, category.community)


def ensure_category_readable(user, category: Category) -> None:
    if not can_read_category(user, category):
        raise NotFound(_("Catégorie introuvable."))


def can_post_in(user, category: Category) -> bool:
    community = category.community
    if not can_read_category(user, category) or not can(user, Permission.POST, community):
        return False
    if category.post_access == Access.STAFF:
        return can(user, Permission.READ_STAFF, community)
    return True


def ensure_can_post_in(user, category: Category) -> None:
    ensure_category_readable(user, category)
    if not can_post_in(user, category):
        if user is None or not user.is_authenticated:
            raise AccessDenied(_("Connectez-vous pour publier."))
        raise AccessDenied(_("Vous ne pouvez pas publier dans cette catégorie."))


def _category_moderator_profile(user, category: Category):
    """The profile through which ``user`` moderates ``category`` as its category moderator,
    or None."""
    if user is None or not user.is_authenticated:
        return None
    row = (
        CategoryModerator.objects.filter(
            category=category, profile__user=user, profile__community_id=category.community_id
        )
        .select_related("profile")
        .first()
    )
    return row.profile if row is not None else None


def can_moderate(user, category: Category) -> bool:
    """Whether ``user`` may moderate the content of ``category``: the moderator role of the
    community's organization (every category), or a category moderator of this category who
    still reads it and may still post (a silenced, suspended or deleted member moderates
    nothing). Every moderation service and selector asks here."""
    if can(user, Permission.MODERATE, category.community):
        return True
    profile = _category_moderator_profile(user, category)
    if profile is None or not can_read_category(user, category):
        return False
    from relais.community.services.sanctions import posting_refusal  # services import access

    return not posting_refusal(profile)


def ensure_can_moderate(user, category: Category) -> None:
    """Raise ``AccessDenied`` unless ``can_moderate`` (same messages as ``ensure``)."""
    if can_moderate(user, category):
        return
    if user is None or not user.is_authenticated:
        raise AccessDenied(_("Connectez-vous pour continuer."))
    raise AccessDenied(_("Votre rôle ne permet pas cette action dans cette communauté."))


def moderated_categories(user, community: Community):
    """The categories of ``community`` that ``user`` moderates (all for the moderator role)."""
    categories = Category.objects.filter(community=community)
    if can(user, Permission.MODERATE, community):
        return categories
    if user is None or not user.is_authenticated:
        return categories.none()
    ids = [
        category.pk
        for category in categories.filter(moderators__profile__user=user).distinct()
        if can_moderate(user, category)
    ]
    return categories.filter(pk__in=ids)


def can_moderate_some(user, community: Community) -> bool:
    """Whether ``user`` moderates at least one category of ``community`` (the review queue
    and the moderation links are theirs)."""
    return moderated_categories(user, community).exists()

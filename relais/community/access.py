"""Who may do what in a community: the one place services and selectors ask.

Roles are those held in the community's organization; the anonymous visitor holds the
``anonymous`` pseudo-role (public reads). A category the user may not read is reported as
*not found*, never as forbidden: its existence does not leak.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from relais.community.models import Access, Category, Community
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

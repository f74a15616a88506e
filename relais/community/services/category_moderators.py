"""Naming and removing category moderators (administrators, back office → catégories).

A category moderator is a member of the community trusted with the content of some
categories: the review queue, hiding, deleting, restoring, editing, closing, moving and
merging, approving held posts — there only (``access.can_moderate``). Sanctions on members
(silence, suspension, ban), tags and settings stay with the moderator role: they reach the
whole community, beyond any one category.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relais.community.access import can_read_category, ensure
from relais.community.models import Access, Category, CategoryModerator, Community, MemberProfile
from relais.community.permissions import Event, Permission
from relais.community.services._common import record_member_event
from relais.core.audit.services import audit_log


def _category_of(community: Community, category: Category) -> Category:
    if category.community_id != community.pk:
        raise ValidationError(_("Catégorie introuvable."))
    return category


def _member_named(community: Community, display_name: str) -> MemberProfile:
    name = (display_name or "").strip()
    if not name:
        raise ValidationError({"member": _("Indiquez le nom affiché du membre.")})
    profile = (
        MemberProfile.objects.filter(
            community=community, display_name__iexact=name, deleted_at__isnull=True
        )
        .select_related("user", "person", "community")
        .first()
    )
    if profile is None:
        message = _("Aucun membre de cette communauté ne porte le nom « %(name)s ».")
        raise ValidationError({"member": message % {"name": name}})
    return profile


def _log(*, user, community, category, profile, event_code, action) -> None:
    audit_log(
        actor=user,
        action=action,
        target=category,
        after={"member": profile.display_name, "profile": profile.pk},
        workspace=community.workspace,
    )
    record_member_event(
        profile=profile,
        event_code=event_code,
        topic=_("Modération de la catégorie « %(name)s »") % {"name": category.name},
        actor=user,
        source=category,
    )


@transaction.atomic
def category_moderator_add(
    *, user, community: Community, category: Category, display_name: str
) -> CategoryModerator:
    """Name the member called ``display_name`` moderator of ``category`` (administrators).

    The member must read the category (a members' space, not a staff one) and may not be
    under a sanction that keeps them from posting. Audited, and logged on the member's
    history."""
    ensure(user, Permission.MANAGE, community)
    category = _category_of(community, category)
    profile = _member_named(community, display_name)
    if category.read_access == Access.STAFF or not can_read_category(profile.user, category):
        raise ValidationError(
            {"member": _("Ce membre ne peut pas lire cette catégorie : il ne peut pas la modérer.")}
        )
    from relais.community.services.sanctions import posting_refusal

    if posting_refusal(profile):
        raise ValidationError(
            {"member": _("Ce membre est sanctionné ou n'a pas confirmé son adresse e-mail.")}
        )
    if CategoryModerator.objects.filter(category=category, profile=profile).exists():
        raise ValidationError({"member": _("Ce membre modère déjà cette catégorie.")})
    row = CategoryModerator.objects.create(category=category, profile=profile, assigned_by=user)
    _log(
        user=user,
        community=community,
        category=category,
        profile=profile,
        event_code=Event.CATEGORY_MODERATOR_ADDED,
        action="community.category_moderator.add",
    )
    return row


@transaction.atomic
def category_moderator_remove(
    *, user, community: Community, category: Category, display_name: str
) -> MemberProfile:
    """Withdraw the moderation of ``category`` from the member called ``display_name``
    (administrators). Audited, and logged on the member's history."""
    ensure(user, Permission.MANAGE, community)
    category = _category_of(community, category)
    row = (
        # Lock this link only: PostgreSQL cannot lock the nullable side of the person's join.
        CategoryModerator.objects.select_for_update(of=("self",))
        .filter(category=category, profile__display_name__iexact=(display_name or "").strip())
        .select_related("profile__person", "profile__community")
        .first()
    )
    if row is None:
        raise ValidationError({"member": _("Ce membre ne modère pas cette catégorie.")})
    profile = row.profile
    row.delete()
    _log(
        user=user,
        community=community,
        category=category,
        profile=profile,
        event_code=Event.CATEGORY_MODERATOR_REMOVED,
        action="community.category_moderator.remove",
    )
    return profile

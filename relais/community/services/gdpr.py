"""GDPR: a member downloads their data and deletes their account.

The export holds only the member's own records in the community: profile, topics opened,
posts written, flags made, sanctions received, likes given. Deleting the account keeps the
posts under « Membre supprimé » (the discussion stays readable) unless the member asks for
erasure: the posts' text (and their edit history) is then replaced by a notice. The kernel
Person is anonymised when the sign-up created it, otherwise only unlinked (the body's other
modules keep their contact).
"""

import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.community.models import (
    Flag,
    MemberProfile,
    OfficialAnswer,
    Post,
    PostLike,
    PostRevision,
    Sanction,
    Topic,
)
from relais.community.rendering import render_markdown
from relais.community.search import TOPIC_INDEX
from relais.community.services.member_events import MemberEvent
from relais.community.services.profile import _own, _remove_files
from relais.core.accounts.models import OrganizationMembership
from relais.core.accounts.roles import Role
from relais.core.accounts.services import organization_role_revoke
from relais.core.audit.services import audit_log
from relais.core.contacts.models import ConsentChannel
from relais.core.contacts.services import consent_set, person_update
from relais.core.interactions.models import Channel, Direction, Interaction
from relais.core.interactions.services import record

ERASED_NOTICE = "*Message effacé à la demande de son auteur.*"
ERASED_TITLE = "Sujet effacé à la demande de son auteur"
DELETED_NAME = "Membre supprimé"
CONFIRM_WORD = "SUPPRIMER"


def _iso(value):
    return value.isoformat() if value is not None else None


def member_export(*, user, profile: MemberProfile) -> dict:
    """Everything the community holds about ``profile``'s member, as plain data (JSON-able).
    Only their own records: never another member's post, flag or name."""
    _own(user, profile)
    community = profile.community
    topics = Topic.objects.filter(community=community, author=user).order_by("created_at", "id")
    posts = (
        Post.objects.filter(topic__community=community, author=user)
        .select_related("topic")
        .order_by("created_at", "id")
    )
    flags = (
        Flag.objects.filter(community=community, flagger=user)
        .select_related("post__topic")
        .order_by("created_at", "id")
    )
    sanctions = Sanction.objects.filter(community=community, profile=profile).order_by("starts_at")
    likes = PostLike.objects.filter(user=user, post__topic__community=community).select_related(
        "post__topic"
    )
    person = profile.person
    return {
        "community": {"name": community.name, "slug": community.slug},
        "exported_at": _iso(timezone.now()),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _iso(user.date_joined),
        },
        "profile": {
            "display_name": profile.display_name,
            "branch": profile.get_branch_display() if profile.branch else "",
            "charter_accepted_at": _iso(profile.charter_accepted_at),
            "charter_version": profile.charter_version,
            "email_verified_at": _iso(profile.email_verified_at),
            "trust_level": profile.trust_level,
            "notify_in_app": profile.notify_in_app,
            "email_consent": bool(person.consent_email) if person is not None else None,
            "avatar": bool(profile.avatar),
            "counters": {
                "days_visited": profile.days_visited,
                "posts_read": profile.posts_read,
                "reading_seconds": profile.reading_seconds,
                "posts_count": profile.posts_count,
                "topics_count": profile.topics_count,
                "likes_given": profile.likes_given,
                "likes_received": profile.likes_received,
            },
        },
        "topics": [
            {
                "id": str(t.public_id),
                "title": t.title,
                "kind": t.kind,
                "created_at": _iso(t.created_at),
                "deleted": t.is_deleted,
            }
            for t in topics
        ],
        "posts": [
            {
                "id": str(p.public_id),
                "topic": p.topic.title,
                "position": p.position,
                "body": p.body,
                "created_at": _iso(p.created_at),
                "edited_at": _iso(p.edited_at),
                "deleted": p.is_deleted,
            }
            for p in posts
        ],
        "flags": [
            {
                "post": str(f.post.public_id),
                "topic": f.post.topic.title,
                "reason": f.get_reason_display(),
                "text": f.text,
                "state": f.get_state_display(),
                "created_at": _iso(f.created_at),
            }
            for f in flags
        ],
        "likes": [
            {"post": str(like.post.public_id), "topic": like.post.topic.title} for like in likes
        ],
        "sanctions": [
            {
                "kind": s.get_kind_display(),
                "reason": s.reason,
                "starts_at": _iso(s.starts_at),
                "ends_at": _iso(s.ends_at),
                "lifted_at": _iso(s.lifted_at),
                "lift_reason": s.lift_reason,
            }
            for s in sanctions
        ],
    }


def export_recorded(*, user, profile: MemberProfile, fmt: str) -> None:
    """Audit and log the download (called by the POST that serves the file)."""
    audit_log(
        actor=user,
        action="community.member.export",
        target=profile,
        after={"format": fmt},
        workspace=profile.community.workspace,
    )
    record(
        workspace=profile.community.workspace,
        event_code=MemberEvent.DATA_EXPORTED,
        channel=Channel.FORUM,
        direction=Direction.OUTBOUND,
        topic=_("Téléchargement de ses données (%(fmt)s)") % {"fmt": fmt},
        person=profile.person,
        visitor_key="" if profile.person_id else f"community-member:{profile.pk}",
        source=profile,
    )


def _erase_posts(user, profile: MemberProfile) -> int:
    community = profile.community
    posts = list(Post.objects.filter(topic__community=community, author=user))
    now = timezone.now()
    html = render_markdown(ERASED_NOTICE)
    for post in posts:
        post.body, post.html, post.edited_at = ERASED_NOTICE, html, now
        post.save(update_fields=["body", "html", "edited_at"])
        PostRevision.objects.filter(post=post).update(body=ERASED_NOTICE, reason="")
        official = OfficialAnswer.objects.filter(
            post=post, state=OfficialAnswer.State.ACTIVE
        ).first()
        if official is not None and official.kind == OfficialAnswer.Kind.VALIDATED:
            from relais.community.services.official import knowledge_entry_suspend

            official.state = OfficialAnswer.State.SUSPENDED
            official.state_reason = _("Texte effacé à la demande de son auteur.")
            official.save(update_fields=["state", "state_reason", "updated_at"])
            knowledge_entry_suspend(user=None, official=official)
    _erase_attachments(user, community)
    topics = list(Topic.objects.filter(community=community, author=user))
    for topic in topics:
        topic.title, topic.excerpt, topic.slug = ERASED_TITLE, "", "sujet-efface"
        topic.save(update_fields=["title", "excerpt", "slug", "updated_at"])
        if not topic.is_deleted:
            TOPIC_INDEX.index([topic])
    return len(posts)


def _erase_attachments(user, community) -> None:
    """The files the member joined to their posts go with their text (files and rows)."""
    from relais.community.models import Attachment

    for attachment in Attachment.objects.filter(community=community, post__author=user):
        for field in (attachment.file, attachment.thumbnail):
            if field:
                field.delete(save=False)
        attachment.delete()


def _user_is_member_only(user, profile: MemberProfile) -> bool:
    """Whether the account exists for the community only (no other role, no workspace, no
    other community): then it is anonymised and closed with the membership."""
    other_roles = OrganizationMembership.objects.filter(user=user).exclude(
        organization=profile.community.organization, role=Role.MEMBER
    )
    if other_roles.exists() or user.is_staff or user.is_superuser:
        return False
    if user.memberships.exists():  # a workspace membership: staff of the body
        return False
    return not (
        MemberProfile.objects.filter(user=user, deleted_at__isnull=True)
        .exclude(pk=profile.pk)
        .exists()
    )


@transaction.atomic
def member_delete(
    *, user, profile: MemberProfile, password: str, confirm: str, erase_posts: bool = False
) -> MemberProfile:
    """Delete the member's account after confirmation (their password and the word
    SUPPRIMER). Posts stay, signed « Membre supprimé », unless ``erase_posts``: their text is
    then replaced by a notice. The Person is anonymised if the sign-up created it, else
    unlinked; the community's interaction rows of the member are detached from it."""
    _own(user, profile)
    errors = {}
    if not user.check_password(password or ""):
        errors["password"] = _("Mot de passe incorrect.")
    if (confirm or "").strip().upper() != CONFIRM_WORD:
        errors["confirm"] = _("Tapez %(word)s pour confirmer.") % {"word": CONFIRM_WORD}
    if errors:
        raise ValidationError(errors)
    community = profile.community
    profile = MemberProfile.objects.select_for_update().get(pk=profile.pk)
    erased = _erase_posts(user, profile) if erase_posts else 0
    person = profile.person
    if person is not None:
        Interaction.objects.filter(
            workspace=community.workspace, person=person, event_code__startswith="community."
        ).update(person=None, visitor_key=f"community-member:{profile.pk}")
        if profile.person_created:
            person_update(
                actor=None,
                person=person,
                first_name="",
                last_name=DELETED_NAME,
                email="",
                profession="",
                consent_source="community.member.delete",
            )
            consent_set(
                actor=None,
                contact=person,
                channel=ConsentChannel.EMAIL,
                granted=False,
                source="community.member.delete",
            )
    _remove_files(profile)
    # What only the member used: their unsent drafts and what they watched.
    from relais.community.models import Draft, Subscription

    Draft.objects.filter(community=community, user=user).delete()
    Subscription.objects.filter(community=community, user=user).delete()
    before = {"display_name": profile.display_name, "branch": profile.branch}
    profile.display_name = f"{DELETED_NAME} n°{profile.pk}"
    profile.branch = ""
    profile.person = None
    profile.avatar, profile.avatar_thumbnail = "", ""
    profile.notify_in_app = False
    profile.digest_frequency = "never"
    profile.email_pending = False
    profile.deleted_at = timezone.now()
    profile.save()
    closed = _user_is_member_only(user, profile)
    if closed:
        organization_role_revoke(user=user, organization=community.organization, role=Role.MEMBER)
        User = get_user_model()
        User.objects.filter(pk=user.pk).update(
            username=f"supprime-{uuid.uuid4().hex}",
            email="",
            first_name="",
            last_name="",
            is_active=False,
            password="!" + uuid.uuid4().hex,
        )
    audit_log(
        actor=user,
        action="community.member.delete",
        target=profile,
        before=before,
        after={"erase_posts": erase_posts, "posts_erased": erased, "account_closed": closed},
        workspace=community.workspace,
    )
    record(
        workspace=community.workspace,
        event_code=MemberEvent.DELETED,
        channel=Channel.FORUM,
        direction=Direction.INBOUND,
        topic=_("Suppression du compte de membre"),
        visitor_key=f"community-member:{profile.pk}",
        source=profile,
    )
    return profile

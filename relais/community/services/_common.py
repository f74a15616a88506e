"""What every community service shares: member profiles, the interaction log, hashes."""

import hashlib
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from relais.community.access import can
from relais.community.models import Community, MemberProfile, Post, Topic
from relais.community.permissions import Permission
from relais.core.interactions.models import Channel, Direction
from relais.core.interactions.services import record

_SPACES = re.compile(r"\s+")


def body_hash(body: str) -> str:
    """SHA-256 of a post's text as a validation vouches for it: Unicode NFC, white space
    collapsed, so that re-saving the same words is not an edit."""
    normalised = _SPACES.sub(" ", unicodedata.normalize("NFC", body or "")).strip()
    return hashlib.sha256(normalised.encode()).hexdigest()


def profile_of(user, community: Community) -> MemberProfile | None:
    if user is None or not user.is_authenticated:
        return None
    return MemberProfile.objects.filter(community=community, user=user).first()


def profile_for_posting(user, community: Community) -> MemberProfile:
    """The profile ``user`` posts under. Members join first (charter, display name); the
    organisation's staff and moderators get a profile named after them on their first post."""
    profile = profile_of(user, community)
    if profile is not None:
        from relais.community.services.sanctions import ensure_may_post

        ensure_may_post(profile)  # silenced, suspended, deleted or address not verified
        return profile
    if not can(user, Permission.MODERATE, community):
        raise ValidationError(_("Rejoignez la communauté (nom affiché, charte) avant de publier."))
    from relais.community.services.members import member_join

    # Staff sign as staff: their first name and the team, never their full legal name.
    name = _("%(name)s (équipe)") % {"name": user.first_name or user.username}
    taken = MemberProfile.objects.filter(community=community, display_name=name).exists()
    return member_join(
        user=user,
        community=community,
        display_name=f"{name} ({user.pk})" if taken else name,
        accept_charter=True,
    )


def record_event(
    *,
    community: Community,
    event_code: str,
    topic: Topic,
    profile: MemberProfile | None,
    actor=None,
    staff: bool = False,
    outcome: str = "",
    summary: str = "",
    source=None,
) -> None:
    """Write one touchpoint of the member ``profile`` in the community's workspace.

    ``staff=True`` for what the organisation did to or for the member (an official answer, a
    moderation decision): outbound, with the staff ``actor``. Every row of a topic shares the
    case key ``community-topic:<id>``, so that journeys see one question from asked to solved.
    """
    person = profile.person if profile is not None else None
    record(
        workspace=community.workspace,
        event_code=event_code,
        channel=Channel.FORUM,
        direction=Direction.OUTBOUND if staff else Direction.INBOUND,
        topic=topic.title,
        person=person,
        visitor_key="" if person is not None else f"community-member:{getattr(profile, 'pk', 0)}",
        case_key=f"community-topic:{topic.public_id}",
        actor=actor if staff else None,
        outcome=outcome,
        summary=summary,
        source=source,
    )


def record_member_event(
    *,
    profile: MemberProfile,
    event_code: str,
    topic: str,
    direction: str = Direction.OUTBOUND,
    actor=None,
    outcome: str = "",
    summary: str = "",
    source=None,
) -> None:
    """Write one touchpoint about the member ``profile`` that belongs to no topic (a sanction,
    a trust level, a moderation role), in their community's workspace, on their person or,
    without one, on the member's visitor key."""
    record(
        workspace=profile.community.workspace,
        event_code=event_code,
        channel=Channel.FORUM,
        direction=direction,
        topic=topic,
        person=profile.person,
        visitor_key="" if profile.person_id else f"community-member:{profile.pk}",
        actor=actor,
        outcome=outcome,
        summary=summary,
        source=source,
    )


def bump(profile: MemberProfile | None, **counters: int) -> None:
    """Add to a profile's counters in the database (no lost update under concurrency)."""
    if profile is None or not counters:
        return
    MemberProfile.objects.filter(pk=profile.pk).update(
        **{name: F(name) + value for name, value in counters.items()}
    )
    profile.refresh_from_db(fields=list(counters))


def author_profile(post: Post) -> MemberProfile | None:
    if post.author_id is None:
        return None
    return MemberProfile.objects.filter(
        community_id=post.topic.community_id, user_id=post.author_id
    ).first()


def member_level(user, community: Community) -> int:
    """The trust level that unlocks abilities (images, attachments, free tags): the member's
    own; the organisation's moderators and staff have them all (level 4)."""
    if can(user, Permission.MODERATE, community):
        return 4
    profile = profile_of(user, community)
    return profile.trust_level if profile is not None else 0

"""Wiki posts (as Discourse has them): a post its author — from the community's
``wiki_min_level`` — or a moderator opens to editing by any member from
``wiki_edit_min_level``. Edits go through ``post_edit`` (same screening, a revision with the
editor each time); turning the wiki on or off is ``post_wiki_set``."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relais.community.access import can_moderate, ensure_can_post_in
from relais.community.models import Post
from relais.community.permissions import Event
from relais.community.services._common import (
    author_profile,
    member_level,
    profile_for_posting,
    record_event,
)
from relais.community.services.attachments import content_settings_of
from relais.core.audit.services import audit_log
from relais.core.exceptions import AccessDenied


def may_make_wiki(user, community) -> bool:
    """Whether ``user`` reaches the level to make their own posts wikis (moderators always)."""
    return wiki_abilities(user, community)[0]


def wiki_abilities(user, community) -> tuple[bool, bool]:
    """Whether ``user`` reaches the levels to make their own posts wikis, and to edit other
    members' wiki posts (moderators always): both read at once for the topic page."""
    if user is None or not user.is_authenticated:
        return False, False
    rules, level = content_settings_of(community), member_level(user, community)
    return level >= rules.wiki_min_level, level >= rules.wiki_edit_min_level


def ensure_may_edit_wiki(user, post: Post) -> None:
    """Refuse, in French, an edit of ``post`` by a member who is neither its author nor a
    moderator: the post must be a visible wiki in a category where ``user`` may post, and
    ``user`` must reach the community's wiki edit level."""
    community = post.topic.community
    if not post.is_wiki:
        raise AccessDenied(_("Vous ne pouvez modifier que vos propres messages."))
    ensure_can_post_in(user, post.topic.category)
    needed = content_settings_of(community).wiki_edit_min_level
    level = member_level(user, community)
    if level < needed:
        raise AccessDenied(
            _(
                "Les messages wiki se modifient à partir du niveau de confiance %(needed)d "
                "(le vôtre : %(level)d)."
            )
            % {"needed": needed, "level": level}
        )
    if not post.is_visible:
        raise AccessDenied(_("Ce message n'est pas visible : il ne peut pas être modifié."))


@transaction.atomic
def post_wiki_set(*, user, post: Post, wiki: bool = True) -> Post:
    """Make ``post`` a wiki (``wiki=False``: an ordinary post again).

    Its author may turn it on from the community's ``wiki_min_level`` and off at any time;
    a moderator may do both on any post they moderate (a category moderator: in their
    categories). A deleted post, or a hidden one being turned on, is
    refused. Audited, and logged as ``community.wiki.enabled`` / ``.disabled``.
    """
    post = (
        Post.objects.select_for_update()
        .select_related("topic__community", "topic__category")
        .get(pk=post.pk)
    )
    community = post.topic.community
    moderator = can_moderate(user, post.topic.category)  # of the whole community or this category
    is_author = post.author_id is not None and post.author_id == getattr(user, "pk", None)
    if not moderator:
        if not is_author:
            raise AccessDenied(_("Seul l'auteur du message ou la modération peut le faire."))
        profile_for_posting(user, community)  # a silenced author cannot either
        if wiki and not may_make_wiki(user, community):
            raise AccessDenied(
                _(
                    "Faire de son message un wiki s'ouvre au niveau de confiance %(needed)d "
                    "(le vôtre : %(level)d)."
                )
                % {
                    "needed": content_settings_of(community).wiki_min_level,
                    "level": member_level(user, community),
                }
            )
    if post.is_deleted or (wiki and not post.is_visible):
        raise ValidationError(_("Ce message n'est pas visible : il ne peut pas devenir un wiki."))
    if post.is_wiki == wiki:
        return post
    post.is_wiki = wiki
    post.save(update_fields=["is_wiki", "updated_at"])
    audit_log(
        actor=user,
        action="community.post.wiki" if wiki else "community.post.unwiki",
        target=post,
        before={"is_wiki": not wiki},
        after={"is_wiki": wiki},
        workspace=community.workspace,
    )
    record_event(
        community=community,
        event_code=Event.WIKI_ENABLED if wiki else Event.WIKI_DISABLED,
        topic=post.topic,
        profile=author_profile(post),
        actor=user,
        staff=not is_author,
        source=post,
    )
    return post

"""A member's unsent topic or reply, kept on the server and given back when they return.

A draft belongs to one member and one place (a new topic in the community, or a reply to a
topic): the services find it by its owner, so no one can reach another member's draft."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relais.community.access import can_post_in, ensure, ensure_category_readable
from relais.community.models import Draft, Topic
from relais.community.permissions import Permission
from relais.community.selectors import categories_for
from relais.community.services.forum import BODY_MAX, TITLE_MAX, body_too_long_message


def _own_drafts(*, user, community, topic: Topic | None):
    return Draft.objects.filter(community=community, user_id=user.pk, topic=topic)


def _may_post_in(user, community, slug: str) -> bool:
    categories = categories_for(user=user, community=community).filter(slug=slug)
    return any(can_post_in(user, category) for category in categories)


def draft_get(*, user, community, topic: Topic | None = None) -> Draft | None:
    """The member's own draft for a new topic (``topic=None``) or a reply to ``topic``."""
    if user is None or not user.is_authenticated:
        return None
    return _own_drafts(user=user, community=community, topic=topic).first()


@transaction.atomic
def draft_save(
    *,
    user,
    community,
    topic: Topic | None = None,
    body: str,
    title: str = "",
    category_slug: str = "",
) -> Draft | None:
    """Keep what the member typed (an empty text discards the draft, returning ``None``)."""
    ensure(user, Permission.POST, community)
    if topic is not None:
        if topic.community_id != community.pk:
            raise ValidationError(_("Sujet introuvable."))
        ensure_category_readable(user, topic.category)
        title, category_slug = "", ""
    elif category_slug and not _may_post_in(user, community, category_slug):
        category_slug = ""  # a category the member may not post in is not kept, silently
    body, title = (body or "").strip(), " ".join((title or "").split())
    if len(body) > BODY_MAX:
        raise ValidationError({"body": body_too_long_message()})
    if not body and not title:
        draft_discard(user=user, community=community, topic=topic)
        return None
    draft, _created = Draft.objects.select_for_update().get_or_create(
        community=community, user=user, topic=topic
    )
    draft.body, draft.title, draft.category_slug = body, title[:TITLE_MAX], category_slug[:50]
    draft.save()
    return draft


def draft_discard(*, user, community, topic: Topic | None = None) -> int:
    """Delete the member's draft for that place (done when they publish); returns 0 or 1."""
    if user is None or not user.is_authenticated:
        return 0
    deleted, _rows = _own_drafts(user=user, community=community, topic=topic).delete()
    return deleted

"""Merging a topic into another (moderators): a duplicate question joins the one that
already has the answers."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from relais.community.access import can_moderate, ensure_can_moderate
from relais.community.models import Post, Subscription, Topic
from relais.community.permissions import Event
from relais.community.search import TOPIC_INDEX
from relais.community.services._common import author_profile
from relais.community.services.forum import _log_moderation, _moderation_reason
from relais.core.audit.services import snapshot


@transaction.atomic
def topic_merge(*, user, source: Topic, target: Topic, reason: str) -> Topic:
    """Move every post of ``source`` to the end of ``target`` (its question becomes a reply,
    in its original order), with its tags and watchers; ``source`` is closed, leaves the
    lists and the search, and its address redirects to ``target``. Audited, with the reason,
    and logged on the source author's history. Returns ``target``."""
    locked = Topic.objects.select_for_update().select_related("community", "category")
    source, target = locked.get(pk=source.pk), locked.get(pk=target.pk)
    community = source.community
    ensure_can_moderate(user, source.category)
    reason = _moderation_reason(reason)
    # A category moderator merges only between categories they moderate (both ends).
    if target.community_id != community.pk or not can_moderate(user, target.category):
        raise ValidationError({"target": _("Sujet introuvable.")})
    if source.pk == target.pk:
        raise ValidationError({"target": _("Un sujet ne peut pas être fusionné avec lui-même.")})
    if source.merged_into_id or source.is_deleted:
        raise ValidationError(_("Ce sujet a déjà été fusionné ou supprimé."))
    if target.merged_into_id or target.is_deleted:
        raise ValidationError({"target": _("Le sujet de destination est fusionné ou supprimé.")})
    before = snapshot(source)
    question = source.posts.get(position=0)
    offset = (target.posts.aggregate(last=Max("position"))["last"] or 0) + 1
    moved = list(source.posts.order_by("position").values_list("pk", flat=True))
    visible = source.posts.filter(is_deleted=False, hidden="").count()
    # Two steps so that the unique (topic, position) never sees two posts at one place.
    Post.objects.filter(pk__in=moved).update(position=F("position") + 1_000_000)
    for rank, pk in enumerate(moved):
        Post.objects.filter(pk=pk).update(topic=target, position=offset + rank)
    Topic.objects.filter(pk=target.pk).update(
        replies_count=F("replies_count") + visible,
        official_count=F("official_count") + source.official_count,
        last_activity_at=max(target.last_activity_at, source.last_activity_at),
    )
    target.tags.add(*source.tags.all())
    watching = set(Subscription.objects.filter(topic=target).values_list("user_id", flat=True))
    for subscription in Subscription.objects.filter(topic=source):
        if subscription.user_id in watching:
            subscription.delete()
        else:
            subscription.topic = target
            subscription.save(update_fields=["topic", "updated_at"])
    source.merged_into = target
    source.state = Topic.State.CLOSED
    source.is_deleted, source.deleted_reason = True, reason
    source.accepted_answer = None
    source.replies_count = source.official_count = 0
    source.save()
    TOPIC_INDEX.delete([source.pk])
    target.refresh_from_db()
    TOPIC_INDEX.index([target])
    question.topic = target
    _log_moderation(
        user=user,
        action="community.topic.merge",
        event_code=Event.TOPIC_MERGED,
        target=source,
        topic=source,
        before=before,
        after={**snapshot(source), "merged_into": str(target.public_id), "reason": reason},
        profile=author_profile(question),
        reason=reason,
    )
    return target

"""Topics and posts: ask, reply, edit (with history), accept an answer, delete and restore,
close and move. Every write checks access, saves, keeps the search index in step, and logs
the touchpoint (and, for moderation, the audit entry) in one transaction."""

import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relais.community.access import (
    can,
    can_moderate,
    ensure,
    ensure_can_moderate,
    ensure_can_post_in,
    ensure_category_readable,
)
from relais.community.models import Category, OfficialAnswer, Post, PostLike, PostRevision, Topic
from relais.community.permissions import Event, Permission
from relais.community.rendering import external_links, plain_text, render_markdown
from relais.community.screening import (
    ALLOW,
    BLOCK,
    RANK,
    REQUIRE_APPROVAL,
    Screening,
    screen_text,
)
from relais.community.search import TOPIC_INDEX
from relais.community.services._common import (
    author_profile,
    body_hash,
    bump,
    member_level,
    profile_for_posting,
    profile_of,
    record_event,
)
from relais.community.services.attachments import attachments_add, content_settings_of
from relais.community.services.notifications import (
    mentionable_names,
    moderation_notice,
    post_published_notify,
    subscribe_automatically,
)
from relais.community.services.tags import topic_tags_set
from relais.community.services.wiki import ensure_may_edit_wiki
from relais.core.audit.services import audit_log, snapshot
from relais.core.text import TEXT_MAX_LENGTH

TITLE_MIN, TITLE_MAX = 10, 200
# New members are rate-limited (trust level → at most N posts per window); from level 2 on,
# and for the organisation's staff and moderators, there is no limit.
RATE_LIMITS = {0: 3, 1: 10}
RATE_WINDOW = datetime.timedelta(minutes=10)
# The body's ceiling is the kernel's long-text limit: the form and ``Post.full_clean`` already
# enforce it, and a draft longer than that could never be published.
BODY_MIN, BODY_MAX = 2, TEXT_MAX_LENGTH
EXCERPT_MAX = 5_000


def _check_title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN:
        raise ValidationError(
            {"title": _("Le titre doit compter au moins %(n)d caractères.") % {"n": TITLE_MIN}}
        )
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {"title": _("Le titre ne doit pas dépasser %(n)d caractères.") % {"n": TITLE_MAX}}
        )
    return title


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if len(body) < BODY_MIN:
        raise ValidationError({"body": _("Écrivez votre message.")})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": body_too_long_message()})
    return body


def _check_links(user, community, body: str, before: str = "") -> None:
    """Refuse links to other sites below the community's ``link_min_level`` (a trust-level
    ability; moderators and staff have them all). An edit is refused only if it adds links,
    so a post written with links keeps them when its author fixes a typo."""
    needed = content_settings_of(community).link_min_level
    if not needed:
        return
    level = member_level(user, community)
    if level >= needed or external_links(body) <= (external_links(before) if before else 0):
        return
    raise ValidationError(
        {
            "body": _(
                "Les liens vers d'autres sites s'ouvrent au niveau de confiance %(needed)d "
                "(le vôtre : %(level)d). Retirez le lien : l'adresse peut rester écrite en "
                "texte simple, non cliquable."
            )
            % {"needed": needed, "level": level}
        }
    )


def body_too_long_message() -> str:
    """The French refusal of a body over ``BODY_MAX`` (the number grouped: « 10 000 »)."""
    return _("Le message ne doit pas dépasser %(n)s caractères.") % {
        "n": number_format(BODY_MAX, force_grouping=True)
    }


def _check_rate(user, profile) -> None:
    """Refuse a post beyond the author's trust level allowance in the last ten minutes."""
    limit = RATE_LIMITS.get(profile.trust_level)
    if limit is None or can(user, Permission.MODERATE, profile.community):
        return
    recent = Post.objects.filter(
        topic__community_id=profile.community_id,
        author=user,
        created_at__gte=timezone.now() - RATE_WINDOW,
    ).count()
    if recent >= limit:
        raise ValidationError(
            _(
                "Les nouveaux membres peuvent publier %(limit)d messages par tranche de "
                "%(minutes)d minutes : réessayez un peu plus tard."
            )
            % {"limit": limit, "minutes": RATE_WINDOW.seconds // 60}
        )


def _slug(title: str) -> str:
    return slugify(title)[:80].strip("-") or "sujet"


def _screen(user, community, text: str, field: str) -> Screening:
    """Screen ``text`` (banned words, personal data); a blocked text is refused here, with the
    engine's reasons. The organisation's staff publish as written."""
    if can(user, Permission.OFFICIAL, community):
        return Screening(ALLOW, text, [])
    result = screen_text(community=community, text=text)
    if result.action == BLOCK:
        # The engine's reasons say what was found and that the text cannot be published.
        raise ValidationError({field: " ".join(result.reasons)})
    return result


def _strongest(*screenings: Screening) -> tuple[str, list[str]]:
    action = max((s.action for s in screenings), key=lambda a: RANK.get(a, 0), default=ALLOW)
    return action, [reason for s in screenings for reason in s.reasons]


def _apply_screening(post: Post, action: str, reasons: list[str]) -> None:
    if action == REQUIRE_APPROVAL:
        post.hidden = Post.Hidden.APPROVAL
    if action in ("flag", REQUIRE_APPROVAL):
        post.screen_action, post.screen_reasons = action, reasons


def _html(topic: Topic, body: str) -> str:
    """The post's HTML, its mentions of members who may read the topic's category marked."""
    return render_markdown(body, mentions=mentionable_names(category=topic.category, body=body))


def _new_post(
    *,
    topic: Topic,
    author,
    body: str,
    position: int,
    screening: tuple[str, list[str]] = (ALLOW, []),
) -> Post:
    post = Post(topic=topic, author=author, position=position, body=body, html=_html(topic, body))
    _apply_screening(post, *screening)
    post.full_clean(exclude=["topic"])
    post.save()
    PostRevision.objects.create(post=post, number=1, body=body, editor=author)
    return post


def _reindex(topic: Topic) -> None:
    if topic.is_deleted:
        TOPIC_INDEX.delete([topic.pk])
    else:
        TOPIC_INDEX.index([topic])


def _after_publish(*, user, post: Post, attachments) -> None:
    """What every new post brings along: its files, the author watching the topic, the
    author's draft for that place discarded, and, once visible, the notifications."""
    from relais.community.services.drafts import draft_discard

    topic = post.topic
    attachments_add(user=user, post=post, uploads=attachments)
    subscribe_automatically(user=user, topic=topic)
    draft_discard(user=user, community=topic.community, topic=topic if post.position else None)
    if post.is_visible:
        post_published_notify(post=post)


@transaction.atomic
def topic_create(
    *,
    user,
    category: Category,
    title: str,
    body: str,
    kind: str,
    tags: list[str] | tuple = (),
    attachments=(),
) -> Topic:
    """Open a topic (a question or a discussion) in ``category`` with its first post, its
    ``tags`` (names) and ``attachments`` (uploaded files).

    The author must be a member (or staff) allowed to post there; the title counts 10 to 200
    characters. The author watches the topic; the category's watchers and the members the
    text mentions are notified. Logged as ``community.question.asked`` (or
    ``.discussion.started``).
    """
    community = category.community
    ensure_can_post_in(user, category)
    if kind not in Topic.Kind.values:
        raise ValidationError({"kind": _("Choisissez une question ou une discussion.")})
    title, body = _check_title(title), _check_body(body)
    _check_links(user, community, body)
    screened_title = _screen(user, community, title, "title")
    screened_body = _screen(user, community, body, "body")
    title, body = screened_title.text, screened_body.text
    screening = _strongest(screened_title, screened_body)
    profile = profile_for_posting(user, community)
    _check_rate(user, profile)
    now = timezone.now()
    topic = Topic(
        community=community,
        category=category,
        author=user,
        title=title,
        slug=_slug(title),
        kind=kind,
        excerpt=plain_text(body)[:EXCERPT_MAX],
        last_activity_at=now,
        is_held=screening[0] == REQUIRE_APPROVAL,
    )
    topic.full_clean(exclude=["community", "category", "author", "accepted_answer"])
    topic.save()
    post = _new_post(topic=topic, author=user, body=body, position=0, screening=screening)
    if tags:
        topic_tags_set(user=user, topic=topic, names=list(tags))
    _after_publish(user=user, post=post, attachments=attachments)
    _reindex(topic)
    bump(profile, topics_count=1, posts_count=1)
    record_event(
        community=community,
        event_code=Event.QUESTION_ASKED
        if kind == Topic.Kind.QUESTION
        else Event.DISCUSSION_STARTED,
        topic=topic,
        profile=profile,
        source=post,
    )
    return topic


@transaction.atomic
def post_reply(*, user, topic: Topic, body: str, attachments=()) -> Post:
    """Answer ``topic`` (with ``attachments``, uploaded files): refused on a closed or deleted
    topic. The author watches the topic; its watchers and the members mentioned are
    notified once each. Logged as ``community.answer.posted``."""
    topic = Topic.objects.select_for_update().select_related("category__community").get(pk=topic.pk)
    ensure_can_post_in(user, topic.category)
    if topic.is_deleted:
        raise ValidationError(_("Ce sujet a été supprimé."))
    if topic.is_closed:
        raise ValidationError(_("Ce sujet est fermé : il n'accepte plus de réponses."))
    body = _check_body(body)
    _check_links(user, topic.community, body)
    screened = _screen(user, topic.community, body, "body")
    profile = profile_for_posting(user, topic.community)
    _check_rate(user, profile)
    position = (topic.posts.aggregate(last=Max("position"))["last"] or 0) + 1
    post = _new_post(
        topic=topic,
        author=user,
        body=screened.text,
        position=position,
        screening=_strongest(screened),
    )
    _after_publish(user=user, post=post, attachments=attachments)
    if post.hidden != Post.Hidden.APPROVAL:  # a held reply counts once approved
        Topic.objects.filter(pk=topic.pk).update(
            replies_count=F("replies_count") + 1, last_activity_at=timezone.now()
        )
    bump(profile, posts_count=1)
    record_event(
        community=topic.community,
        event_code=Event.ANSWER_POSTED,
        topic=topic,
        profile=profile,
        source=post,
    )
    return post


def _suspend_validation(*, user, post: Post, official: OfficialAnswer) -> None:
    from relais.community.services.official import knowledge_entry_suspend

    official.state = OfficialAnswer.State.SUSPENDED
    official.state_reason = _("Texte modifié après sa validation : à valider de nouveau.")
    official.save(update_fields=["state", "state_reason", "updated_at"])
    knowledge_entry_suspend(user=user, official=official)
    Topic.objects.filter(pk=post.topic_id, official_count__gt=0).update(
        official_count=F("official_count") - 1
    )
    record_event(
        community=post.topic.community,
        event_code=Event.VALIDATION_SUSPENDED,
        topic=post.topic,
        profile=author_profile(post),
        actor=user,
        staff=True,
        source=official,
    )


@transaction.atomic
def post_edit(*, user, post: Post, body: str, reason: str = "") -> Post:
    """Change a post's text, keeping the previous one as a revision.

    The author edits their own post (while the topic is open); moderators edit any, with a
    reason; a wiki post may also be edited by members of the community's wiki edit level
    (``ensure_may_edit_wiki``), logged as ``community.wiki.edited``. If the post carries an official answer or a validation and its text changes, the
    validation is suspended until someone validates it again (and its knowledge-base entry
    with it).
    """
    post = Post.objects.select_for_update().select_related("topic__community").get(pk=post.pk)
    community = post.topic.community
    moderator = can_moderate(user, post.topic.category)
    # A member editing someone else's wiki post: no reason asked, no notice to the author,
    # but an event in the interaction log and a revision with the editor, as for any edit.
    wiki_editor = post.author_id != getattr(user, "pk", None) and not moderator
    if wiki_editor:
        if not post.is_wiki:
            ensure_can_moderate(user, post.topic.category)
        ensure_may_edit_wiki(user, post)
    if not moderator:  # a silenced (or not yet verified) author cannot edit either
        profile_for_posting(user, community)
    if post.is_deleted:
        raise ValidationError(_("Un message supprimé ne peut pas être modifié."))
    if post.topic.is_closed and not moderator:
        raise ValidationError(_("Ce sujet est fermé : ses messages ne peuvent plus être modifiés."))
    if post.author_id != user.pk and not wiki_editor and not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif de la modification.")})
    body = _check_body(body)
    _check_links(user, community, body, before=post.body)
    screened = _screen(user, community, body, "body")
    body = screened.text
    if body == post.body:
        return post
    number = post.revisions_count + 1
    if screened.action in ("flag", REQUIRE_APPROVAL):
        if screened.action == REQUIRE_APPROVAL and not post.hidden:
            post.hidden = Post.Hidden.APPROVAL
            if post.position == 0:
                Topic.objects.filter(pk=post.topic_id).update(is_held=True)
            else:
                Topic.objects.filter(pk=post.topic_id, replies_count__gt=0).update(
                    replies_count=F("replies_count") - 1
                )
        post.screen_action, post.screen_reasons = screened.action, screened.reasons
    PostRevision.objects.create(
        post=post, number=number, body=body, editor=user, reason=reason.strip()[:300]
    )
    post.body, post.html = body, _html(post.topic, body)
    post.revisions_count, post.edited_at = number, timezone.now()
    post.save(
        update_fields=[
            "body",
            "html",
            "revisions_count",
            "edited_at",
            "hidden",
            "screen_action",
            "screen_reasons",
            "updated_at",
        ]
    )
    if post.position == 0:
        Topic.objects.filter(pk=post.topic_id).update(excerpt=plain_text(body)[:EXCERPT_MAX])
        post.topic.refresh_from_db(fields=["excerpt"])
        _reindex(post.topic)
    official = OfficialAnswer.objects.filter(post=post).first()
    if (
        official is not None
        and official.state != OfficialAnswer.State.SUSPENDED
        and body_hash(body) != official.text_hash
    ):
        _suspend_validation(user=user, post=post, official=official)
    if wiki_editor:
        record_event(
            community=community,
            event_code=Event.WIKI_EDITED,
            topic=post.topic,
            profile=profile_of(user, community),
            summary=reason.strip()[:300],
            source=post,
        )
    elif post.author_id != user.pk:
        audit_log(
            actor=user,
            action="community.post.edit",
            target=post,
            after={"revision": number, "reason": reason.strip()},
            workspace=community.workspace,
        )
        _tell_author(
            user=user,
            action="community.post.edit",
            topic=post.topic,
            profile=author_profile(post),
            reason=reason.strip(),
        )
    return post


@transaction.atomic
def answer_accept(*, user, post: Post) -> Topic:
    """Mark ``post`` as the accepted answer of its question (the question's author or a
    moderator). Accepting another answer replaces the previous one."""
    topic = Topic.objects.select_for_update().select_related("community").get(pk=post.topic_id)
    ensure_category_readable(user, topic.category)
    if topic.author_id != getattr(user, "pk", None):
        ensure_can_moderate(user, topic.category)
    if not topic.is_question:
        raise ValidationError(_("Seule une question peut avoir une réponse acceptée."))
    if post.position == 0 or not post.is_visible:
        raise ValidationError(_("Ce message ne peut pas être accepté comme réponse."))
    if topic.accepted_answer_id == post.pk:
        return topic
    topic.accepted_answer = post
    topic.save(update_fields=["accepted_answer", "updated_at"])
    record_event(
        community=topic.community,
        event_code=Event.ANSWER_ACCEPTED,
        topic=topic,
        profile=author_profile(topic.posts.get(position=0)),
        source=post,
    )
    return topic


def _log_moderation(*, user, action, event_code, target, topic, before, after, profile, reason):
    """A moderator's action on ``target``: in the audit log (before/after) and in the
    interaction log of the author it concerns, with the reason as summary."""
    community = topic.community
    audit_log(
        actor=user,
        action=action,
        target=target,
        before=before,
        after=after,
        workspace=community.workspace,
    )
    record_event(
        community=community,
        event_code=event_code,
        topic=topic,
        profile=profile,
        actor=user,
        staff=True,
        summary=reason,
        source=target,
    )
    _tell_author(user=user, action=action, topic=topic, profile=profile, reason=reason)


def _tell_author(*, user, action, topic, profile, reason) -> None:
    """The member whose post or topic a moderator acted on is told what and why; a deleted
    topic's page is gone, so the notice leads to the community's home."""
    from relais.community.seo import topic_path  # imported late, as in notifications.py

    url = reverse("community:home") if topic.is_deleted else topic_path(topic)
    moderation_notice(
        user=user, action=action, topic=topic, profile=profile, reason=reason, url=url
    )


def _moderation_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif.")})
    return reason[:300]


@transaction.atomic
def post_delete(*, user, post: Post, reason: str) -> Post:
    """Soft-delete ``post`` with a reason (a moderator, or the author for their own post).

    Deleting a topic's first post deletes the topic (it leaves the lists and the search).
    Reversible with ``post_restore``; audited, and logged on the author's history.
    """
    post = Post.objects.select_for_update().select_related("topic__community").get(pk=post.pk)
    if post.author_id != getattr(user, "pk", None):
        ensure_can_moderate(user, post.topic.category)
    reason = _moderation_reason(reason)
    if post.is_deleted:
        raise ValidationError(_("Ce message est déjà supprimé."))
    before = snapshot(post)
    post.is_deleted, post.deleted_reason = True, reason
    post.deleted_at, post.deleted_by = timezone.now(), user
    post.save(update_fields=["is_deleted", "deleted_reason", "deleted_at", "deleted_by"])
    topic = post.topic
    if post.position == 0:
        topic.is_deleted, topic.deleted_reason = True, reason
        topic.save(update_fields=["is_deleted", "deleted_reason", "updated_at"])
        _reindex(topic)
    else:
        Topic.objects.filter(pk=topic.pk, replies_count__gt=0).update(
            replies_count=F("replies_count") - 1
        )
        if topic.accepted_answer_id == post.pk:
            Topic.objects.filter(pk=topic.pk).update(accepted_answer=None)
    _log_moderation(
        user=user,
        action="community.post.delete",
        event_code=Event.POST_DELETED,
        target=post,
        topic=topic,
        before=before,
        after=snapshot(post),
        profile=author_profile(post),
        reason=reason,
    )
    return post


@transaction.atomic
def post_restore(*, user, post: Post, reason: str) -> Post:
    """Undo ``post_delete`` (moderators): the post, and its topic if it was the first post."""
    post = Post.objects.select_for_update().select_related("topic__community").get(pk=post.pk)
    ensure_can_moderate(user, post.topic.category)
    reason = _moderation_reason(reason)
    if not post.is_deleted:
        raise ValidationError(_("Ce message n'est pas supprimé."))
    before = snapshot(post)
    post.is_deleted, post.deleted_reason, post.deleted_at, post.deleted_by = False, "", None, None
    post.save(update_fields=["is_deleted", "deleted_reason", "deleted_at", "deleted_by"])
    topic = post.topic
    if post.position == 0:
        topic.is_deleted, topic.deleted_reason = False, ""
        topic.save(update_fields=["is_deleted", "deleted_reason", "updated_at"])
        _reindex(topic)
    else:
        Topic.objects.filter(pk=topic.pk).update(replies_count=F("replies_count") + 1)
    _log_moderation(
        user=user,
        action="community.post.restore",
        event_code=Event.POST_RESTORED,
        target=post,
        topic=topic,
        before=before,
        after={**snapshot(post), "reason": reason},
        profile=author_profile(post),
        reason=reason,
    )
    return post


@transaction.atomic
def topic_close(*, user, topic: Topic, reason: str, close: bool = True) -> Topic:
    """Close a topic to new replies (``close=False`` reopens it). Moderators; audited."""
    topic = Topic.objects.select_for_update().select_related("community").get(pk=topic.pk)
    ensure_can_moderate(user, topic.category)
    reason = _moderation_reason(reason)
    state = Topic.State.CLOSED if close else Topic.State.OPEN
    if topic.state == state:
        raise ValidationError(
            _("Ce sujet est déjà fermé.") if close else _("Ce sujet est déjà ouvert.")
        )
    before = snapshot(topic)
    topic.state = state
    topic.save(update_fields=["state", "updated_at"])
    _log_moderation(
        user=user,
        action="community.topic.close" if close else "community.topic.reopen",
        event_code=Event.TOPIC_CLOSED if close else Event.TOPIC_REOPENED,
        target=topic,
        topic=topic,
        before=before,
        after={**snapshot(topic), "reason": reason},
        profile=author_profile(topic.posts.get(position=0)),
        reason=reason,
    )
    return topic


@transaction.atomic
def topic_move(*, user, topic: Topic, category: Category, reason: str) -> Topic:
    """Move a topic to another category of the same community (moderators; audited).

    A category moderator moves only between categories they moderate, both ends: a topic
    they may not moderate stays where it is, and one they may moderate cannot be sent out of
    their reach (nor into a category they do not moderate)."""
    topic = Topic.objects.select_for_update().select_related("community").get(pk=topic.pk)
    ensure_can_moderate(user, topic.category)
    if category.community_id != topic.community_id or not can_moderate(user, category):
        raise ValidationError({"category": _("Catégorie introuvable.")})
    reason = _moderation_reason(reason)
    if category.pk == topic.category_id:
        raise ValidationError({"category": _("Le sujet est déjà dans cette catégorie.")})
    before = snapshot(topic)
    topic.category = category
    topic.save(update_fields=["category", "updated_at"])
    _log_moderation(
        user=user,
        action="community.topic.move",
        event_code=Event.TOPIC_MOVED,
        target=topic,
        topic=topic,
        before=before,
        after={**snapshot(topic), "reason": reason},
        profile=author_profile(topic.posts.get(position=0)),
        reason=reason,
    )
    return topic


VIEWS_CACHE_KEY = "community:topic-views:{pk}"


def topic_view_count(*, topic: Topic) -> None:
    """Count one view of ``topic`` without writing to the database (a GET never writes):
    the count waits in the shared cache until ``topic_views_flush``."""
    key = VIEWS_CACHE_KEY.format(pk=topic.pk)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=None)


@transaction.atomic
def topic_views_flush(*, community) -> int:
    """Add the views counted in the cache to the topics of ``community`` (a periodic job);
    returns how many views were written."""
    written = 0
    for pk in Topic.objects.filter(community=community).values_list("pk", flat=True):
        key = VIEWS_CACHE_KEY.format(pk=pk)
        count = cache.get(key)
        if count:
            cache.decr(key, count)
            Topic.objects.filter(pk=pk).update(views_count=F("views_count") + count)
            written += count
    return written


@transaction.atomic
def post_like(*, user, post: Post, like: bool = True) -> Post:
    """Like (or, with ``like=False``, unlike) a post: members only, never one's own post.
    Keeps the post's count and both members' counters (trust levels) in step."""
    post = Post.objects.select_for_update().select_related("topic__community").get(pk=post.pk)
    community = post.topic.community
    ensure_category_readable(user, post.topic.category)
    ensure(user, Permission.POST, community)
    if post.author_id == user.pk:
        raise ValidationError(_("Vous ne pouvez pas aimer votre propre message."))
    if not post.is_visible:
        raise ValidationError(_("Ce message n'est pas visible."))
    from relais.community.services.members import trust_level_update

    existing = PostLike.objects.filter(post=post, user=user)
    if like == existing.exists():
        return post
    step = 1 if like else -1
    if like:
        PostLike.objects.create(post=post, user=user)
    else:
        existing.delete()
    Post.objects.filter(pk=post.pk).update(likes_count=F("likes_count") + step)
    post.refresh_from_db(fields=["likes_count"])
    for profile, counter in (
        (profile_of(user, community), "likes_given"),
        (author_profile(post), "likes_received"),
    ):
        if profile is not None:
            bump(profile, **{counter: step})
            trust_level_update(profile=profile)
    return post


@transaction.atomic
def post_screen_decide(*, user, post: Post, approve: bool, reason: str = "") -> Post:
    """A moderator's decision on a post the text screening held or flagged: ``approve``
    publishes it (a held question enters the lists and the search), otherwise it is deleted
    with ``reason``. Audited and logged on the author's history."""
    post = Post.objects.select_for_update().select_related("topic__community").get(pk=post.pk)
    ensure_can_moderate(user, post.topic.category)
    if post.is_deleted or (not post.screen_action and post.hidden != Post.Hidden.APPROVAL):
        raise ValidationError(_("Ce message n'attend aucune décision."))
    if not approve:
        reason = _moderation_reason(reason)
    before = snapshot(post)
    topic = post.topic
    held = post.hidden == Post.Hidden.APPROVAL
    post.screen_action = ""
    if approve:
        if held:
            post.hidden = Post.Hidden.NO
            if post.position == 0:
                topic.is_held = False
                topic.save(update_fields=["is_held", "updated_at"])
                _reindex(topic)
            else:
                Topic.objects.filter(pk=topic.pk).update(
                    replies_count=F("replies_count") + 1, last_activity_at=timezone.now()
                )
    else:
        post.is_deleted, post.deleted_reason = True, reason
        post.deleted_at, post.deleted_by = timezone.now(), user
        if post.position == 0:
            topic.is_deleted, topic.deleted_reason = True, reason
            topic.save(update_fields=["is_deleted", "deleted_reason", "updated_at"])
            _reindex(topic)
        elif not held:
            Topic.objects.filter(pk=topic.pk, replies_count__gt=0).update(
                replies_count=F("replies_count") - 1
            )
    post.save()
    if approve and held:  # published now: its mentions and watchers hear of it
        post_published_notify(post=post)
    _log_moderation(
        user=user,
        action="community.post.approve" if approve else "community.post.reject",
        event_code=Event.POST_SHOWN if approve else Event.POST_DELETED,
        target=post,
        topic=topic,
        before=before,
        after={**snapshot(post), "reason": reason},
        profile=author_profile(post),
        reason=reason,
    )
    return post

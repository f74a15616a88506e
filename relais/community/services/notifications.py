"""Who hears of a new post: the members it mentions (``@nom affiché``) and those who watch its
topic (a reply) or its category (a new topic). Each member is notified once per post, through
the kernel's notifications (in the app, and by e-mail as they chose); a member who turned the
forum's notifications off (``notify_in_app``) mutes these categories in the kernel, which
then stores nothing. Also: quoting a post into a reply, and the watch list itself."""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from relais.community.access import can_read_category, ensure, ensure_category_readable
from relais.community.mentions import wanted_names
from relais.community.models import Category, MemberProfile, Post, Subscription, Topic
from relais.community.permissions import Permission
from relais.core.notifications.services import notify

MENTION_CATEGORY = "community.mention"
REPLY_CATEGORY = "community.reply"
MENTIONS_PER_POST = 10


def mentioned_profiles(*, community, body: str) -> list[MemberProfile]:
    """The members of ``community`` that ``body`` mentions with ``@display name``, in order,
    each once, at most ten (a post naming the whole community is not a mention). Code spans
    and quoted lines are skipped: quoting a mention does not mention again."""
    lines = [line for line in (body or "").splitlines() if not line.lstrip().startswith(">")]
    text = re.sub(r"`[^`]*`", " ", "\n".join(lines))
    wanted = wanted_names(text)
    if not wanted:
        return []
    keys = {name.casefold() for names in wanted for name in names}
    profiles = {
        p.name_key: p
        for p in MemberProfile.objects.filter(community=community, deleted_at__isnull=True)
        .annotate(name_key=Lower("display_name"))
        .filter(name_key__in=[k.lower() for k in keys])
        .select_related("user")
    }
    found: list[MemberProfile] = []
    for names in wanted:
        match = next((profiles[n.lower()] for n in names if n.lower() in profiles), None)
        if match is not None and match not in found:
            found.append(match)
    return found[:MENTIONS_PER_POST]


MARKED_PER_POST = 50


def mentionable_names(*, category: Category, body: str) -> dict[str, str]:
    """The names ``body`` mentions that the rendering marks: lower-cased display name ->
    display name, for the members of the category's community (account not deleted, still
    active) who may read ``category``. A name of no one, or of someone who cannot see the
    post, stays plain text."""
    wanted = wanted_names(body)
    if not wanted:
        return {}
    keys = {name.lower() for names in wanted for name in names}
    profiles = (
        MemberProfile.objects.filter(community_id=category.community_id, deleted_at__isnull=True)
        .annotate(name_key=Lower("display_name"))
        .filter(name_key__in=keys)
        .select_related("user")
        .order_by("id")[:MARKED_PER_POST]
    )
    return {
        p.display_name.lower(): p.display_name
        for p in profiles
        if p.user.is_active and can_read_category(p.user, category)
    }


def quote_markdown(*, post: Post, author_name: str, url: str) -> str:
    """The Markdown that quotes ``post`` in a reply: a blockquote opening with its author and
    a link back to it (rendered by the same parser and cleaner as any post)."""
    name = (author_name or _("membre supprimé")).replace("[", "").replace("]", "")
    lines = [f"> **{name}** [{_('a écrit')}]({url}) :", ">"]
    lines += [f"> {line}".rstrip() for line in post.body.strip().splitlines()]
    return "\n".join(lines) + "\n\n"


def _readers(users, category: Category) -> list:
    return [u for u in users if u.is_active and can_read_category(u, category)]


def post_published_notify(*, post: Post) -> int:
    """Notify, once each, the members ``post`` mentions and those who watch its topic (a
    reply) or category (a new topic), never its author, never a member who may not read the
    category. Called by the forum services when a post becomes visible; returns how many
    notifications were stored."""
    topic = post.topic
    community = topic.community
    category = topic.category
    author_id = post.author_id
    mentioned = [p.user for p in mentioned_profiles(community=community, body=post.body)]
    if post.position == 0:
        watchers = Subscription.objects.filter(category=category)
    else:
        watchers = Subscription.objects.filter(topic=topic)
    watching = [s.user for s in watchers.select_related("user").order_by("user_id")]
    author = (
        MemberProfile.objects.filter(community=community, user_id=author_id)
        .values_list("display_name", flat=True)
        .first()
    ) or _("Un membre")
    from relais.community.seo import topic_path

    path = f"{topic_path(topic)}#message-{post.public_id}"
    sent: set[int] = set()
    count = 0
    for users, category_code, title in (
        (mentioned, MENTION_CATEGORY, _("%(author)s vous a mentionné : %(topic)s")),
        (
            watching,
            REPLY_CATEGORY,
            _("Nouveau sujet dans %(category)s : %(topic)s")
            if post.position == 0
            else _("Nouvelle réponse de %(author)s : %(topic)s"),
        ),
    ):
        for user in _readers(users, category):
            if user.pk == author_id or user.pk in sent:
                continue
            sent.add(user.pk)
            stored = notify(
                recipient=user,
                title=title % {"author": author, "topic": topic.title, "category": category.name},
                body=_excerpt(post),
                url=path,
                category=category_code,
                workspace=community.workspace,
            )
            count += stored is not None
    return count


def _excerpt(post: Post) -> str:
    from relais.community.rendering import plain_text

    text = plain_text(post.body)
    return text if len(text) <= 280 else text[:279] + "…"


def subscribe_automatically(*, user, topic: Topic) -> None:
    """Posting in a topic watches it (the member may stop watching from the topic's page)."""
    Subscription.objects.get_or_create(
        user=user,
        topic=topic,
        defaults={"community": topic.community, "automatic": True},
    )


@transaction.atomic
def subscription_set(
    *, user, community, topic: Topic | None = None, category: Category | None = None, watch: bool
) -> bool:
    """Watch (``watch=True``) or stop watching a topic or a whole category the member may
    read. Returns whether the member now watches it."""
    ensure(user, Permission.POST, community)
    if (topic is None) == (category is None):
        raise ValidationError(_("Choisissez un sujet ou une catégorie à suivre."))
    target_category = topic.category if topic is not None else category
    if target_category.community_id != community.pk:
        raise ValidationError(_("Catégorie introuvable."))
    ensure_category_readable(user, target_category)
    rows = Subscription.objects.filter(user=user, topic=topic, category=category)
    if not watch:
        rows.delete()
        return False
    if not rows.exists():
        try:
            with transaction.atomic():
                Subscription.objects.create(
                    community=community, user=user, topic=topic, category=category
                )
        except IntegrityError:  # a double click: the first one won
            pass
    return True


# What a moderator did to a member's post or topic, as the member is told it. Not among the
# forum categories a member mutes: like a sanction, it explains something done to them.
MODERATION_CATEGORY = "community.moderation"
MODERATION_TITLES = {
    "community.post.delete": _("La modération a supprimé votre message"),
    "community.post.restore": _("La modération a restauré votre message"),
    "community.post.edit": _("La modération a modifié votre message"),
    "community.post.approve": _("La modération a approuvé votre message : il est publié"),
    "community.post.reject": _("La modération n'a pas publié votre message"),
    "community.topic.close": _("La modération a fermé votre sujet"),
    "community.topic.reopen": _("La modération a rouvert votre sujet"),
    "community.topic.move": _("La modération a déplacé votre sujet"),
    "community.topic.merge": _("La modération a fusionné votre sujet dans un autre"),
    "community.post.autohide": _(
        "Votre message est masqué après des signalements, en attendant la modération"
    ),
    "community.flag.agree": _(
        "La modération a confirmé les signalements : votre message reste masqué"
    ),
    "community.flag.shown": _(
        "La modération a écarté les signalements : votre message est visible"
    ),
}


def moderation_notice(*, user, action: str, topic, profile, reason: str, url: str):
    """Tell the member ``profile`` what a moderator (``user``) did to their post or topic
    and why (in the app; by e-mail if they asked for it). Nothing when they acted on their
    own content, for an action not listed, or for a deleted account."""
    title = MODERATION_TITLES.get(action)
    if title is None or profile is None or profile.deleted_at is not None:
        return None
    if profile.user_id == getattr(user, "pk", None):
        return None
    body = _("Sujet : « %(topic)s ». Motif : %(reason)s") % {
        "topic": topic.title,
        "reason": reason or _("non précisé"),
    }
    return notify(
        recipient=profile.user,
        title=str(title),
        body=body,
        url=url,
        category=MODERATION_CATEGORY,
        workspace=topic.community.workspace,
    )

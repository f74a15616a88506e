"""Reading the community, always through what the user may see.

Every read starts from the community the request is for (``community_for_request``), keeps
only the categories the user may read (``access.readable_categories_filter``), and reports
anything else — another community's topic, a private category, a deleted topic for a
non-moderator — as *not found*.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from relais.community.access import (
    can_moderate,
    can_moderate_some,
    can_read_category,
    ensure,
    ensure_can_moderate,
    ensure_category_readable,
    moderated_categories,
    readable_categories_filter,
)
from relais.community.models import (
    Access,
    Category,
    CategoryModerator,
    Community,
    Flag,
    MemberProfile,
    OfficialAnswer,
    Post,
    PostLike,
    PostRevision,
    Topic,
)
from relais.community.permissions import Permission
from relais.community.rendering import plain_text
from relais.community.search import TOPIC_INDEX, search_replies, search_topics
from relais.core.accounts.selectors import organization_ids_of_user
from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.organizations.selectors import branding_for_request, organization_for_request_host
from relais.core.search import snippet


def community_for_request(request) -> Community:
    """The community a request is for.

    The organization owning the requested host first (white label: the body's own domain
    serves its community to everyone); otherwise that of the signed-in user's current
    workspace, or of any organization they belong to (never another body's); for an anonymous
    visitor, the site's only community if there is exactly one. Anything else is ``NotFound``.

    A host owned by a body without a community (``make demo``: the dealership owns
    ``localhost`` and ``127.0.0.1``) is not a dead end: signed-in users get their own body's
    community, visitors the site's only community provided it has no host of its own (a body
    with its own domain is served there only).
    """
    communities = Community.objects.select_related("organization", "workspace").order_by("id")
    organization = organization_for_request_host(request)
    community = None
    if organization is not None:
        community = communities.filter(organization=organization).first()
    if community is None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # The current workspace's organization first, then any the user belongs to.
            current = branding_for_request(request)
            if current is not None:
                community = communities.filter(organization=current).first()
            if community is None:
                community = communities.filter(
                    organization_id__in=organization_ids_of_user(user)
                ).first()
        else:
            # A visitor on a host no community owns: the site's only community, if one.
            only = list(communities[:2])
            community = only[0] if len(only) == 1 else None
            if (
                community is not None
                and organization is not None
                and community.organization.domains.exists()
            ):
                community = None
    if community is None:
        raise NotFound(_("Aucune communauté n'est ouverte pour cette organisation."))
    return community


def user_runs_a_community(user) -> bool:
    """Whether one of the organizations ``user`` belongs to runs a community (the staff
    navigation shows « Communauté » to them only)."""
    if user.is_superuser:
        return True
    # Asked by the navigation of every page: once per user object (so once per request).
    cached = getattr(user, "_relais_runs_a_community", None)
    if cached is None:
        cached = Community.objects.filter(
            organization_id__in=organization_ids_of_user(user)
        ).exists()
        user._relais_runs_a_community = cached
    return cached


def communities_public() -> QuerySet[Community]:
    """Every community (their public categories are public): the sitemap index."""
    return Community.objects.select_related("organization").order_by("id")


def _author_name(outer: str = "author_id", community_ref: str = "community_id"):
    return Subquery(
        MemberProfile.objects.filter(
            community_id=OuterRef(community_ref), user_id=OuterRef(outer)
        ).values("display_name")[:1]
    )


def categories_for(*, user, community: Community) -> QuerySet[Category]:
    """The categories ``user`` may read, with their count of visible topics."""
    return (
        community.categories.filter(readable_categories_filter(user, community))
        .annotate(
            topics_total=Count("topics", filter=Q(topics__is_deleted=False, topics__is_held=False))
        )
        .order_by("kind", "position", "name")
    )


def category_get(*, user, community: Community, slug: str) -> Category:
    category = community.categories.filter(slug=slug).select_related("community").first()
    if category is None:
        raise NotFound(_("Catégorie introuvable."))
    ensure_category_readable(user, category)
    return category


def _topics(*, user, community: Community) -> QuerySet[Topic]:
    return (
        Topic.objects.filter(community=community, is_deleted=False, is_held=False)
        .filter(readable_categories_filter(user, community, prefix="category__"))
        .select_related("category")
        .prefetch_related("tags")
        .annotate(author_name=_author_name())
    )


def topics_of_category(*, user, category: Category) -> QuerySet[Topic]:
    """The category's topics, most recently active first."""
    ensure_category_readable(user, category)
    return (
        _topics(user=user, community=category.community)
        .filter(category=category)
        .order_by("-last_activity_at", "-id")
    )


def topics_unanswered(*, user, community: Community) -> QuerySet[Topic]:
    """Open questions nobody answered yet, oldest first (the helpers' queue)."""
    return (
        _topics(user=user, community=community)
        .filter(kind=Topic.Kind.QUESTION, replies_count=0, state=Topic.State.OPEN)
        .order_by("created_at", "id")
    )


def topics_latest(*, user, community: Community, limit: int = 10) -> list[Topic]:
    return list(
        _topics(user=user, community=community).order_by("-last_activity_at", "-id")[:limit]
    )


def topic_get(*, user, community: Community, public_id) -> Topic:
    """One topic of ``community`` that ``user`` may read; a deleted topic only for moderators."""
    topic = (
        Topic.objects.filter(community=community, public_id=public_id_or_not_found(public_id))
        .select_related("category__community", "community__organization")
        .annotate(author_name=_author_name())
        .first()
    )
    if topic is None or not can_read_category(user, topic.category):
        raise NotFound(_("Sujet introuvable."))
    # A held question is shown to its author (marked as waiting), a deleted one to nobody but
    # the moderators.
    if topic.merged_into_id:  # its address redirects to the topic it joined (the view)
        return topic
    hidden = topic.is_deleted or (topic.is_held and topic.author_id != getattr(user, "pk", None))
    if hidden and not can_moderate(user, topic.category):
        raise NotFound(_("Sujet introuvable."))
    return topic


def _posts(topic: Topic) -> QuerySet[Post]:
    return (
        Post.objects.filter(topic=topic)
        .select_related("official__validator")
        .prefetch_related("attachments")
        .annotate(
            author_name=_author_name(community_ref="topic__community_id"),
            author_level=Subquery(
                MemberProfile.objects.filter(
                    community_id=OuterRef("topic__community_id"), user_id=OuterRef("author_id")
                ).values("trust_level")[:1]
            ),
            # « modifié par N personnes » under a wiki post: its distinct editors, the author
            # included; counted for wiki posts only.
            wiki_editors=Case(
                When(
                    is_wiki=True,
                    then=Subquery(
                        PostRevision.objects.filter(post_id=OuterRef("pk"))
                        .values("post_id")
                        .annotate(n=Count("editor_id", distinct=True))
                        .values("n")[:1]
                    ),
                ),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
    )


def question_post(*, topic: Topic) -> Post:
    return _posts(topic).get(position=0)


def answers_of_topic(*, user, topic: Topic) -> QuerySet[Post]:
    """The topic's answers in reading order: official answers in force first, then the
    accepted answer, then the others by position. Hidden or deleted answers only for
    moderators (who see them marked)."""
    posts = _posts(topic).filter(position__gt=0)
    if user is not None and user.is_authenticated:
        posts = posts.annotate(
            liked=Exists(PostLike.objects.filter(post_id=OuterRef("pk"), user_id=user.pk))
        )
    if not can_moderate(user, topic.category):
        # Visible answers, and the reader's own answers waiting for approval (marked).
        own_held = Q(hidden=Post.Hidden.APPROVAL, author_id=getattr(user, "pk", None))
        posts = posts.filter(is_deleted=False).filter(Q(hidden="") | own_held)
    return posts.annotate(
        rank=Case(
            When(official__state=OfficialAnswer.State.ACTIVE, then=Value(0)),
            When(pk=topic.accepted_answer_id or 0, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "position")


def post_get(*, user, community: Community, public_id) -> Post:
    """One post of ``community`` whose topic ``user`` may read."""
    post = (
        Post.objects.filter(topic__community=community, public_id=public_id_or_not_found(public_id))
        .select_related("topic__category__community", "topic__community")
        .first()
    )
    if post is None:
        raise NotFound(_("Message introuvable."))
    topic_get(user=user, community=community, public_id=post.topic.public_id)
    return post


@dataclass(frozen=True)
class ReviewItem:
    post: Post
    weight: float
    flags: list[Flag]


def review_queue(*, user, community: Community) -> list[ReviewItem]:
    """Posts waiting for a moderator (moderators): held or flagged by the text screening,
    then flagged by members, the heaviest first, with their flags. A category moderator
    sees only the posts of the categories they moderate."""
    if not can_moderate_some(user, community):
        ensure(user, Permission.MODERATE, community)  # the refusal, in its usual words
    pending_flags = Flag.objects.filter(post_id=OuterRef("pk"), state=Flag.State.PENDING)
    posts = list(
        Post.objects.filter(
            topic__community=community,
            topic__category__in=moderated_categories(user, community),
            is_deleted=False,
        )
        .filter(Exists(pending_flags) | ~Q(screen_action=""))
        .select_related("topic__category")
        .annotate(
            pending=Coalesce(
                Subquery(
                    pending_flags.order_by()
                    .values("post_id")
                    .annotate(total=Sum("weight"))
                    .values("total")[:1]
                ),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=7, decimal_places=2),
            ),
            author_name=_author_name(community_ref="topic__community_id"),
            held_first=Case(
                When(hidden=Post.Hidden.APPROVAL, then=Value(0)),
                When(~Q(screen_action=""), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("held_first", "-pending", "id")[:200]
    )
    flags: dict[int, list[Flag]] = {}
    for flag in (
        Flag.objects.filter(post__in=posts, state=Flag.State.PENDING)
        .annotate(flagger_name=_author_name(outer="flagger_id"))
        .order_by("created_at", "id")
    ):
        flags.setdefault(flag.post_id, []).append(flag)
    return [ReviewItem(post=p, weight=float(p.pending), flags=flags.get(p.pk, [])) for p in posts]


def validations_to_review(*, user, community: Community) -> QuerySet[OfficialAnswer]:
    """Validations suspended by an edit or past their review date (staff)."""
    ensure(user, Permission.VALIDATE, community)
    return (
        OfficialAnswer.objects.filter(post__topic__community=community)
        .exclude(state=OfficialAnswer.State.ACTIVE)
        .select_related("post__topic", "validator")
        .order_by("updated_at", "id")
    )


@dataclass(frozen=True)
class TopicHit:
    topic: Topic
    score: float
    snippet: SafeString
    # The reply whose text matched, for a topic found by a reply only.
    reply: Post | None = None


def topics_search(
    *,
    user,
    community: Community,
    query: str,
    limit: int = 30,
    replies: bool = True,
    category: Category | None = None,
) -> list[TopicHit]:
    """Topics ``user`` may read matching ``query`` (French full text), best first.

    Topics whose title or question matches come first, ranked; when they do not fill
    ``limit``, topics found only by the text of a visible reply follow, ranked by their best
    reply (each topic once; ``replies=False``: titles and questions only). A common word fills
    the page from the topics' own index, so the replies' index is read for the rarer words,
    where it answers quickly. Every user gets the same reply filters (a deleted or hidden
    reply is found by nobody, moderators included: they see it on its topic's page).

    ``category`` (the search page's filter) narrows both indexes to that one category, before
    the ranking: the best matches of the category, not the category's share of the best
    matches of the community; a category ``user`` may not read gives nothing."""
    limit = max(1, min(limit, 100))
    topics = _topics(user=user, community=community)
    if category is not None:
        topics = topics.filter(category=category)
    matched: dict[int, Post] = {}
    postgres = connection.vendor == "postgresql"
    category_ids = (
        list(
            community.categories.filter(readable_categories_filter(user, community)).values_list(
                "id", flat=True
            )
        )
        if postgres or replies
        else []
    )
    if category is not None:
        category_ids = [pk for pk in category_ids if pk == category.pk]
    if postgres:  # the filters beside the match (see search.py)
        ranked = search_topics(
            community_id=community.pk, category_ids=category_ids, query=query, limit=limit
        )
    else:
        ranked = [(hit.pk, hit.score) for hit in TOPIC_INDEX.search(topics, query, limit=limit)]
    if replies and len(ranked) < limit:
        wanted = limit - len(ranked)
        # Several replies of one topic may match: more posts than topics wanted.
        found = search_replies(
            community_id=community.pk, category_ids=category_ids, query=query, limit=wanted * 3
        )
        seen = {pk for pk, _score in ranked}
        best: dict[int, tuple[int, float]] = {}
        for post_id, topic_id, score in found:  # best first: a topic's first is its best
            if topic_id not in seen and topic_id not in best and len(best) < wanted:
                best[topic_id] = (post_id, score)
        posts = Post.objects.only("id", "topic_id", "body", "public_id").in_bulk(
            [post_id for post_id, _score in best.values()]
        )
        for topic_id, (post_id, score) in best.items():
            if post_id in posts:
                ranked.append((topic_id, score))
                matched[topic_id] = posts[post_id]
    by_pk = topics.in_bulk([pk for pk, _score in ranked])
    hits = []
    for pk, score in ranked:
        if pk not in by_pk:
            continue
        reply = matched.get(pk)
        text = plain_text(reply.body) if reply is not None else by_pk[pk].excerpt
        hits.append(
            TopicHit(topic=by_pk[pk], score=score, snippet=snippet(text, query), reply=reply)
        )
    return hits


def public_topics(*, community: Community) -> QuerySet[Topic]:
    """What search engines may index: topics of public categories, not deleted."""
    return Topic.objects.filter(
        community=community, is_deleted=False, is_held=False, category__read_access=Access.PUBLIC
    ).order_by("-last_activity_at", "-id")


def public_categories(*, community: Community) -> QuerySet[Category]:
    return community.categories.filter(read_access=Access.PUBLIC).order_by("kind", "position")


# --- Tags, attachments, edit history, watching ------------------------------------------


def tags_of(*, community: Community) -> QuerySet:
    """The community's tags, by name."""
    from relais.community.models import Tag

    return Tag.objects.filter(community=community).order_by("name")


def tag_get(*, community: Community, slug: str):
    from relais.community.models import Tag

    tag = Tag.objects.filter(community=community, slug=slug).first()
    if tag is None:
        raise NotFound(_("Étiquette introuvable."))
    return tag


def topics_of_tag(*, user, tag, category: Category | None = None) -> QuerySet[Topic]:
    """The topics carrying ``tag`` that ``user`` may read (in ``category`` if given)."""
    topics = _topics(user=user, community=tag.community).filter(tags=tag)
    if category is not None:
        topics = topics.filter(category=category)
    return topics.order_by("-last_activity_at", "-id")


def attachment_get(*, user, community: Community, public_id):
    """One attachment whose post ``user`` may see: in a category they read, on a topic they
    may open, and not on a hidden or deleted post (unless its author or a moderator)."""
    from relais.community.models import Attachment

    attachment = (
        Attachment.objects.filter(community=community, public_id=public_id_or_not_found(public_id))
        .select_related("post__topic__category__community")
        .first()
    )
    if attachment is None:
        raise NotFound(_("Pièce jointe introuvable."))
    post = post_get(user=user, community=community, public_id=attachment.post.public_id)
    own = post.author_id is not None and post.author_id == getattr(user, "pk", None)
    if not post.is_visible and not own and not can_moderate(user, post.topic.category):
        raise NotFound(_("Pièce jointe introuvable."))
    return attachment


def post_revisions(*, user, post: Post) -> QuerySet:
    """The versions of ``post``, oldest first, with their editor (moderators only)."""
    from relais.community.models import PostRevision

    ensure_can_moderate(user, post.topic.category)
    return (
        PostRevision.objects.filter(post=post)
        .select_related("editor")
        .annotate(
            editor_name=_author_name(outer="editor_id", community_ref="post__topic__community_id")
        )
        .order_by("number")
    )


def watching(*, user, topic: Topic | None = None, category: Category | None = None) -> bool:
    """Whether ``user`` watches that topic or category."""
    from relais.community.models import Subscription

    if user is None or not user.is_authenticated:
        return False
    return Subscription.objects.filter(user_id=user.pk, topic=topic, category=category).exists()


def public_tags(*, community: Community) -> QuerySet:
    """Tags carried by at least one topic search engines may index (the sitemap)."""
    from relais.community.models import Tag

    return (
        Tag.objects.filter(community=community, topics__in=public_topics(community=community))
        .distinct()
        .order_by("name")
    )


def subscriptions_of(*, user, community: Community) -> tuple[list[Topic], list[Category]]:
    """What ``user`` watches in ``community``: the topics (still readable, newest watch
    first) and the categories."""
    from relais.community.models import Subscription

    rows = (
        Subscription.objects.filter(user_id=user.pk, community=community)
        .select_related("topic__category", "category")
        .order_by("-created_at", "-id")
    )
    topics = [
        r.topic
        for r in rows
        if r.topic is not None
        and not r.topic.is_deleted
        and can_read_category(user, r.topic.category)
    ]
    categories = [r.category for r in rows if r.category is not None]
    return topics, [c for c in categories if can_read_category(user, c)]


def category_moderators_of(*, user, category: Category):
    """The members who moderate ``category``, by display name (administrators)."""
    ensure(user, Permission.MANAGE, category.community)
    return (
        CategoryModerator.objects.filter(category=category)
        .select_related("profile")
        .order_by("profile__display_name")
    )

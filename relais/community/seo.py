"""What search engines read: titles and descriptions, canonical URLs, OpenGraph, JSON-LD
(``QAPage`` with its ``acceptedAnswer`` for a question, ``DiscussionForumPosting`` for a
discussion), and the sitemaps."""

import json

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from relais.community.models import Community, Post, Topic
from relais.community.selectors import public_categories, public_tags, public_topics

DESCRIPTION_MAX = 160


def description(text: str) -> str:
    """At most 160 characters of ``text``, cut on a word."""
    text = " ".join((text or "").split())
    if len(text) <= DESCRIPTION_MAX:
        return text
    cut = text.rfind(" ", 0, DESCRIPTION_MAX - 1)
    return text[: cut if cut > 0 else DESCRIPTION_MAX - 1] + "…"


def topic_path(topic: Topic) -> str:
    return reverse(
        "community:topic-detail", kwargs={"topic_id": topic.public_id, "topic_slug": topic.slug}
    )


def json_ld(data: dict) -> SafeString:
    """``data`` as the body of a ``<script type="application/ld+json">``: ``<``, ``>`` and ``&``
    escaped as JSON, so a title cannot close the script element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - every markup character is escaped above


def _person(name: str | None) -> dict:
    return {"@type": "Person", "name": name or "Membre"}


def _answer(post: Post, url: str) -> dict:
    data = {
        "@type": "Answer",
        "text": post.body,
        "dateCreated": post.created_at.isoformat(),
        "upvoteCount": post.likes_count,
        "url": f"{url}#message-{post.public_id}",
        "author": _person(getattr(post, "author_name", None)),
    }
    official = getattr(post, "official", None) if hasattr(post, "official") else None
    if official is not None and official.is_active:
        data["author"] = {"@type": "Organization", "name": official.service_name}
    return data


def topic_structured_data(
    *, topic: Topic, question: Post, answers: list[Post], accepted: Post | None, url: str
) -> dict:
    """Schema.org data of a topic page: a ``QAPage`` for a question, else a
    ``DiscussionForumPosting``."""
    if topic.is_question:
        entity = {
            "@type": "Question",
            "name": topic.title,
            "text": question.body,
            "answerCount": topic.replies_count,
            "dateCreated": topic.created_at.isoformat(),
            "author": _person(getattr(topic, "author_name", None)),
        }
        if accepted is not None:
            entity["acceptedAnswer"] = _answer(accepted, url)
        suggested = [
            _answer(post, url) for post in answers if accepted is None or post.pk != accepted.pk
        ]
        if suggested:
            entity["suggestedAnswer"] = suggested
        return {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": entity}
    return {
        "@context": "https://schema.org",
        "@type": "DiscussionForumPosting",
        "headline": topic.title,
        "text": question.body,
        "url": url,
        "datePublished": topic.created_at.isoformat(),
        "author": _person(getattr(topic, "author_name", None)),
        "interactionStatistic": {
            "@type": "InteractionCounter",
            "interactionType": "https://schema.org/CommentAction",
            "userInteractionCount": topic.replies_count,
        },
        "comment": [
            {
                "@type": "Comment",
                "text": post.body,
                "datePublished": post.created_at.isoformat(),
                "author": _person(getattr(post, "author_name", None)),
                "url": f"{url}#message-{post.public_id}",
            }
            for post in answers
        ],
    }


class CommunitySitemap(Sitemap):
    """A community's public pages: its home, its public categories and their topics."""

    limit = 5000

    def __init__(self, community: Community):
        self.community = community

    def items(self):
        return [
            ("home", None),
            *(("category", c) for c in public_categories(community=self.community)),
            *(("tag", t) for t in public_tags(community=self.community)),
            *(
                ("topic", t)
                for t in public_topics(community=self.community).only(
                    "public_id", "slug", "last_activity_at"
                )
            ),
        ]

    def location(self, item):
        kind, obj = item
        if kind == "home":
            return reverse("community:home")
        if kind == "category":
            return reverse("community:category-detail", kwargs={"category_slug": obj.slug})
        if kind == "tag":
            return reverse("community:tag-detail", kwargs={"tag_slug": obj.slug})
        return topic_path(obj)

    def lastmod(self, item):
        kind, obj = item
        return obj.last_activity_at if kind == "topic" else None

"""The community's data: communities and their categories, topics and posts, official answers,
members' profiles and trust levels, flags and banned words.

Split by topic: ``communities`` (a community, its categories and word list), ``forum``
(topics, posts, revisions, official answers), ``members`` (profiles, flags),
``content`` (tags, attachments, subscriptions, drafts and their rules).
"""

from relais.community.models.communities import (
    DEFAULT_FEATURES,
    DEFAULT_TRUST_THRESHOLDS,
    Access,
    BannedWord,
    Category,
    CategoryKind,
    Community,
    WordAction,
)
from relais.community.models.content import (
    Attachment,
    ContentSettings,
    Draft,
    Subscription,
    Tag,
)
from relais.community.models.forum import OfficialAnswer, Post, PostLike, PostRevision, Topic
from relais.community.models.members import (
    DEFAULT_DISPOSABLE_DOMAINS,
    DEFAULT_SANCTION_STEPS,
    ArtisticBranch,
    Flag,
    MemberProfile,
    MemberSettings,
    Sanction,
)
from relais.community.models.moderators import CategoryModerator

__all__ = [
    "Access",
    "Attachment",
    "ContentSettings",
    "Draft",
    "Subscription",
    "Tag",
    "ArtisticBranch",
    "BannedWord",
    "Category",
    "CategoryKind",
    "CategoryModerator",
    "Community",
    "DEFAULT_DISPOSABLE_DOMAINS",
    "DEFAULT_FEATURES",
    "DEFAULT_SANCTION_STEPS",
    "DEFAULT_TRUST_THRESHOLDS",
    "Flag",
    "MemberProfile",
    "MemberSettings",
    "Sanction",
    "OfficialAnswer",
    "Post",
    "PostLike",
    "PostRevision",
    "Topic",
    "WordAction",
]

"""The community's business actions: one function per action, transactional, checked.

Split by topic: ``members`` (joining, visits, trust levels), ``forum`` (topics and posts),
``official`` (official answers and validations), ``flags`` (flags and their review).
"""

from relais.community.services.flags import auto_hide_rule, flag_create, flag_decide, flag_weight
from relais.community.services.forum import (
    answer_accept,
    post_delete,
    post_edit,
    post_like,
    post_reply,
    post_restore,
    post_screen_decide,
    topic_close,
    topic_create,
    topic_move,
)
from relais.community.services.members import (
    member_join,
    member_visit,
    trust_level_compute,
    trust_level_lock,
    trust_level_update,
)
from relais.community.services.official import (
    answer_validate,
    official_answer_publish,
    official_reviews_mark_due,
)
from relais.community.services.wiki import post_wiki_set

__all__ = [
    "answer_accept",
    "answer_validate",
    "auto_hide_rule",
    "flag_create",
    "flag_decide",
    "flag_weight",
    "member_join",
    "member_visit",
    "official_answer_publish",
    "official_reviews_mark_due",
    "post_delete",
    "post_edit",
    "post_like",
    "post_reply",
    "post_restore",
    "post_screen_decide",
    "post_wiki_set",
    "topic_close",
    "topic_create",
    "topic_move",
    "trust_level_compute",
    "trust_level_lock",
    "trust_level_update",
]

"""The forum's French full-text indexes (``relais.core.search.ProseIndex``).

* ``TOPIC_INDEX`` — topic titles and the text of their question, on SQLite (FTS5) and
  PostgreSQL (stored ``tsvector`` + GIN).
* ``POST_INDEX`` — the text of every post, so that a topic is also found by its replies:
  PostgreSQL only (a stored ``relais_french`` ``tsvector`` column and its GIN index, kept by
  PostgreSQL itself). Its migration does nothing on SQLite, where search covers titles and
  questions (an FTS5 copy of a million replies, written by every post service, is not worth it
  for the small installations SQLite serves); ``replies_indexed()`` says which is the case.
  A migration altering ``community_post.body`` must run ``POST_INDEX.teardown`` before and
  ``setup_replies_index`` after it.
"""

from django.db import connection

from relais.core.search import ProseIndex

TOPIC_INDEX = ProseIndex(
    table="community_topic",
    name="community_topic_fts",
    fields=(("title", 3.0), ("excerpt", 1.0)),
)

POST_INDEX = ProseIndex(
    table="community_post",
    name="community_post_fts",
    fields=(("body", 1.0),),
)


def replies_indexed() -> bool:
    """Whether the database indexes the replies' text (PostgreSQL)."""
    return connection.vendor == "postgresql"


def setup_replies_index(schema_editor) -> None:
    """Create ``POST_INDEX`` on PostgreSQL; nothing on SQLite (see the module's docstring)."""
    if schema_editor.connection.vendor == "postgresql":
        POST_INDEX.setup(schema_editor)


def teardown_replies_index(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        POST_INDEX.teardown(schema_editor)

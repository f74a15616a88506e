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

from relais.core.search import MAX_TERMS, ProseIndex, clean_query, prose_words

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


def search_replies(
    *, community_id: int, category_ids: list[int], query: str, limit: int
) -> list[tuple[int, int, float]]:
    """``(post id, topic id, score)`` of the visible replies of visible topics in
    ``category_ids`` of the community whose text matches every meaningful word of ``query``,
    best first (PostgreSQL; ``[]`` elsewhere).

    The filters sit beside the ``@@`` on the matching rows themselves (not ``id IN
    (candidates)``): the GIN index finds the matches, each is checked where it lies, and the
    candidate list of a million replies is never built."""
    if not replies_indexed() or not category_ids or limit < 1:
        return []
    words = " ".join(prose_words(clean_query(query))[:MAX_TERMS])
    if not words:
        return []
    vector = f"p.{POST_INDEX.vector_column}"
    sql = (
        f"SELECT p.id, p.topic_id, ts_rank_cd({vector}, q) AS score "  # noqa: S608
        "FROM community_post p JOIN community_topic t ON t.id = p.topic_id, "
        f"plainto_tsquery('{POST_INDEX.config}'::regconfig, %s) q "
        f"WHERE {vector} @@ q AND p.position > 0 AND NOT p.is_deleted AND p.hidden = '' "
        "AND t.community_id = %s AND NOT t.is_deleted AND NOT t.is_held "
        "AND t.category_id = ANY(%s) "
        "ORDER BY score DESC, p.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (words, community_id, list(category_ids), limit))
        return [(row[0], row[1], float(row[2])) for row in cursor.fetchall()]


def search_topics(
    *, community_id: int, category_ids: list[int], query: str, limit: int
) -> list[tuple[int, float]]:
    """``(topic id, score)`` of the visible topics in ``category_ids`` of the community whose
    title or question matches ``query``, best first (PostgreSQL; ``TOPIC_INDEX.search`` is the
    same ranking with the filters as ``id IN (candidates)``, which builds the candidate list of
    every topic of the community first)."""
    if not category_ids or limit < 1:
        return []
    words = " ".join(prose_words(clean_query(query))[:MAX_TERMS])
    if not words:
        return []
    vector = f"t.{TOPIC_INDEX.vector_column}"
    sql = (
        f"SELECT t.id, ts_rank_cd({vector}, q) AS score "  # noqa: S608
        f"FROM community_topic t, plainto_tsquery('{TOPIC_INDEX.config}'::regconfig, %s) q "
        f"WHERE {vector} @@ q AND t.community_id = %s AND NOT t.is_deleted AND NOT t.is_held "
        "AND t.category_id = ANY(%s) ORDER BY score DESC, t.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (words, community_id, list(category_ids), limit))
        return [(row[0], float(row[1])) for row in cursor.fetchall()]

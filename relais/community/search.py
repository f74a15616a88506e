"""The forum's French full-text indexes (``relais.core.search.ProseIndex``).

* ``TOPIC_INDEX`` — topic titles and the text of their question, on SQLite (FTS5, written by
  the topic services) and PostgreSQL (stored ``tsvector`` + GIN).
* ``POST_INDEX`` — the text of every post, so that a topic is also found by its replies. On
  PostgreSQL a stored ``relais_french`` ``tsvector`` column and its GIN index, kept by
  PostgreSQL itself (migration 0008); on SQLite an FTS5 table of the posts' folded, stemmed
  words kept in step by triggers on ``community_post`` (migration 0009), so a reply written,
  edited, erased or bulk-loaded by any path is found by its current text only. Both index
  every post: whether a reply may be found (not deleted, not hidden by flags or held for
  approval, in a visible topic of a category the user reads) is decided when searching, so
  hiding, restoring or moving a post changes nothing in the index.
  A migration altering ``community_post.body`` must run ``POST_INDEX.teardown`` before and
  ``setup_replies_index`` after it; on SQLite, any migration that re-creates
  ``community_post`` (most ``AlterField``/``AddField``) drops the triggers and must run
  ``setup_replies_index`` again.
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
    triggers=True,
)


def setup_replies_index(schema_editor, *, vendor: str | None = None) -> None:
    """Create ``POST_INDEX`` on the migrated database (only if its engine is ``vendor``, when
    given: PostgreSQL's came with migration 0008, SQLite's with 0009)."""
    if vendor in (None, schema_editor.connection.vendor):
        POST_INDEX.setup(schema_editor)


def teardown_replies_index(schema_editor, *, vendor: str | None = None) -> None:
    if vendor in (None, schema_editor.connection.vendor):
        POST_INDEX.teardown(schema_editor)


def search_replies(
    *, community_id: int, category_ids: list[int], query: str, limit: int
) -> list[tuple[int, int, float]]:
    """``(post id, topic id, score)`` of the visible replies of visible topics in
    ``category_ids`` of the community whose text matches every meaningful word of ``query``,
    best first.

    PostgreSQL: the filters sit beside the ``@@`` on the matching rows themselves (not ``id IN
    (candidates)``): the GIN index finds the matches, each is checked where it lies, and the
    candidate list of a million replies is never built. SQLite: ``POST_INDEX.search`` (the
    best matches of the FTS5 table, then which of them the same filters allow, by key)."""
    if not category_ids or limit < 1:
        return []
    if connection.vendor != "postgresql":
        return _search_replies_sqlite(
            community_id=community_id, category_ids=category_ids, query=query, limit=limit
        )
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


def _search_replies_sqlite(
    *, community_id: int, category_ids: list[int], query: str, limit: int
) -> list[tuple[int, int, float]]:
    from relais.community.models import Post

    # The same filters as PostgreSQL's statement above.
    replies = Post.objects.filter(
        position__gt=0,
        is_deleted=False,
        hidden=Post.Hidden.NO,
        topic__community_id=community_id,
        topic__is_deleted=False,
        topic__is_held=False,
        topic__category_id__in=list(category_ids),
    )
    hits = POST_INDEX.search(replies, query, limit=limit)
    topics = dict(
        Post.objects.filter(pk__in=[hit.pk for hit in hits]).values_list("id", "topic_id")
    )
    return [(hit.pk, topics[hit.pk], hit.score) for hit in hits if hit.pk in topics]


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

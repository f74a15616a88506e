"""Forum search over the replies' text: a GIN index on a stored ``relais_french`` vector on
PostgreSQL (the migration does nothing on SQLite, where search covers titles and questions).
Run on PostgreSQL with ``DATABASE_URL=postgres://…``; the SQLite tests say what stays true."""

import pytest
from django.db import connection
from django.urls import reverse

from relais.community import selectors
from relais.community.search import POST_INDEX, replies_indexed
from relais.community.services import post_delete, post_reply, topic_create


def _need_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the replies' index is PostgreSQL's (DATABASE_URL=postgres://…)")


@pytest.fixture
def question(alice, public_category):
    return topic_create(
        user=alice,
        category=public_category,
        title="Déclarer une cession de droits",
        body="Je vends une œuvre à un éditeur.",
        kind="question",
    )


def _titles(user, community, query, **kwargs):
    return [
        hit.topic.title
        for hit in selectors.topics_search(user=user, community=community, query=query, **kwargs)
    ]


def test_titles_and_questions_are_found_on_every_engine(community, alice, question):
    assert _titles(alice, community, "cessions éditeurs") == ["Déclarer une cession de droits"]


def test_sqlite_does_not_index_replies(community, alice, bruno, question):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert not replies_indexed()
    post_reply(user=bruno, topic=question, body="Pensez au précompte des diffuseurs.")
    assert _titles(alice, community, "précompte") == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'community_post_fts%'")
        assert cursor.fetchall() == []  # the migration created nothing


def test_the_index_is_a_gin_on_a_french_vector(db):
    _need_postgres()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'community_post' AND indexname = %s",
            [POST_INDEX.name],
        )
        [(definition,)] = cursor.fetchall()
        assert "USING gin (community_post_fts_vector)" in definition
        cursor.execute(
            "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
            "JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
            "WHERE a.attrelid = 'community_post'::regclass AND a.attname = %s",
            [POST_INDEX.vector_column],
        )
        [(expression,)] = cursor.fetchall()
        assert "relais_french" in expression and "body" in expression


def test_a_topic_is_found_by_a_reply_in_other_inflections(community, alice, bruno, question):
    _need_postgres()
    reply = post_reply(user=bruno, topic=question, body="Pensez au précompte des diffuseurs.")
    [hit] = selectors.topics_search(user=alice, community=community, query="precomptes diffuseur")
    assert hit.topic == question and hit.reply == reply
    assert "<mark>précompte</mark>" in hit.snippet
    # The similar questions shown while typing a title look at titles and questions only.
    assert _titles(alice, community, "précompte", replies=False) == []


def test_a_title_match_ranks_above_a_reply_match_and_a_topic_comes_once(
    community, alice, bruno, question, public_category
):
    _need_postgres()
    other = topic_create(
        user=bruno,
        category=public_category,
        title="Le précompte est-il obligatoire ?",
        body="Mon diffuseur ne prélève rien.",
        kind="question",
    )
    post_reply(user=bruno, topic=question, body="Le précompte, encore le précompte.")
    post_reply(user=alice, topic=question, body="Merci pour le précompte.")
    assert _titles(alice, community, "précompte") == [other.title, question.title]
    # Replies complete a page that titles and questions do not fill.
    assert _titles(alice, community, "précompte", limit=1) == [other.title]


def test_hidden_deleted_and_unreadable_replies_are_not_found(
    community, alice, bruno, moderator, question, staff_category
):
    _need_postgres()
    reply = post_reply(user=bruno, topic=question, body="Le précompte se déclare en ligne.")
    post_delete(user=moderator, post=reply, reason="Doublon")
    assert _titles(alice, community, "précompte") == []
    internal = topic_create(
        user=moderator,
        category=staff_category,
        title="Coulisses : réponses types",
        body="Interne.",
        kind="discussion",
    )
    post_reply(user=moderator, topic=internal, body="Le précompte : réponse type.")
    assert _titles(alice, community, "précompte") == []  # a member does not read it
    assert _titles(moderator, community, "précompte") == [internal.title]


def test_another_communitys_replies_are_not_found(community, alice, question):
    _need_postgres()
    from tests.community.conftest import make_community, make_member

    other = make_community(slug="autre", name="Autre communauté")
    stranger = make_member(other, "etranger", "Étranger")
    theirs = topic_create(
        user=stranger,
        category=other.categories.get(slug="cotisations"),
        title="Une question ailleurs",
        body="Rien à voir.",
        kind="question",
    )
    post_reply(user=stranger, topic=theirs, body="Le précompte chez nous.")
    assert _titles(alice, community, "précompte") == []
    assert _titles(stranger, other, "précompte") == [theirs.title]


def test_the_search_page_shows_the_reply_that_matched(client, community, alice, bruno, question):
    _need_postgres()
    post_reply(user=bruno, topic=question, body="Pensez au précompte des diffuseurs.")
    page = client.get(reverse("community:search"), {"q": "précompte"}).content.decode()
    assert "Déclarer une cession de droits" in page and "Dans une réponse :" in page


def test_the_search_uses_the_gin_index(community, alice, bruno, question):
    _need_postgres()
    post_reply(user=bruno, topic=question, body="Pensez au précompte des diffuseurs.")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: show the index is usable
        cursor.execute(
            f"EXPLAIN SELECT id FROM community_post WHERE {POST_INDEX.vector_column} "  # noqa: S608
            "@@ plainto_tsquery('relais_french', 'précompte')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert POST_INDEX.name in plan

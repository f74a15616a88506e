"""Forum search over the replies' text, on both engines: an FTS5 table kept by triggers on
SQLite, a GIN index on a stored ``relais_french`` vector on PostgreSQL. The same tests run on
each (``DATABASE_URL=postgres://…`` for PostgreSQL); a few check one engine's objects."""

import pytest
from django.db import connection
from django.urls import reverse

from relais.community import selectors
from relais.community.models import Flag, Post
from relais.community.search import POST_INDEX
from relais.community.services import (
    flag_create,
    flag_decide,
    post_delete,
    post_edit,
    post_reply,
    post_restore,
    post_screen_decide,
    topic_create,
)
from tests.community.conftest import make_member
from tests.factories import PASSWORD

# (query, whether the reply "Pensez au précompte des diffuseurs." answers it): FTS5 and
# tsquery syntax is plain text; its words (NEAR, OR, body) must be found like any other.
HOSTILE = [
    ('"', False),
    ('"précompte', True),
    ('précompte"', True),
    ('""', False),
    ("*", False),
    ("précompte*", True),
    ("* précompte", True),
    ("NEAR(précompte diffuseurs)", False),
    ("précompte NEAR diffuseurs", False),
    ("-précompte", True),
    ("précompte -diffuseurs", True),
    ("précompte OR diffuseurs", False),
    ("OR", False),
    ("AND NOT", False),
    ("(précompte", True),
    ("précompte)", True),
    ("body:précompte", False),
    ("{body}: précompte", False),
    ("^précompte", True),
    ("précompte + diffuseurs", True),
    ("'; DROP TABLE community_post; --", False),
    ("\x00précompte", True),
    ("%_", False),
    ("é" * 300, False),
]


def _need_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's index (DATABASE_URL=postgres://…)")


def _need_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's index")


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


def _page(client, query) -> str:
    response = client.get(reverse("community:search"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_titles_and_questions_are_found_on_every_engine(community, alice, question):
    assert _titles(alice, community, "cessions éditeurs") == ["Déclarer une cession de droits"]


def test_sqlite_keeps_an_fts5_table_by_triggers(db):
    _need_sqlite()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name FROM sqlite_master WHERE name LIKE 'community_post_fts%' "
            "AND type IN ('table', 'trigger') ORDER BY type, name"
        )
        objects = cursor.fetchall()
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [POST_INDEX.name])
        [(definition,)] = cursor.fetchall()
    assert ("table", "community_post_fts") in objects
    assert [name for kind, name in objects if kind == "trigger"] == [
        "community_post_fts_ad",
        "community_post_fts_ai",
        "community_post_fts_au",
    ]
    assert "fts5" in definition and "remove_diacritics 2" in definition


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
        # SQLite's triggers are not created on PostgreSQL (migration 0009 does nothing there).
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'community_post_fts%%'")
        assert cursor.fetchone() == (0,)


def test_a_topic_is_found_by_a_reply_in_other_inflections(community, alice, bruno, question):
    reply = post_reply(user=bruno, topic=question, body="Pensez au précompte des diffuseurs.")
    [hit] = selectors.topics_search(user=alice, community=community, query="precomptes diffuseur")
    assert hit.topic == question and hit.reply == reply
    assert "<mark>précompte</mark>" in hit.snippet
    # The similar questions shown while typing a title look at titles and questions only.
    assert _titles(alice, community, "précompte", replies=False) == []


def test_accents_case_and_french_inflections_like_the_topic_search(
    community, alice, bruno, question, public_category
):
    post_reply(
        user=bruno,
        topic=question,
        body="Les Allocations familiales sont versées par la Sécurité sociale.",
    )
    topic_create(
        user=bruno,
        category=public_category,
        title="Allocations familiales et Sécurité sociale",
        body="Qui les verse ?",
        kind="question",
    )
    for query in ("allocation familiale", "ALLOCATIONS", "sécurité", "securite SOCIALES"):
        assert question.title in _titles(alice, community, query), query
        assert "Allocations familiales et Sécurité sociale" in _titles(
            alice, community, query, replies=False
        ), query
    # A word being typed is a prefix on SQLite, not on PostgreSQL (plainto_tsquery): whichever
    # the engine, the reply answers it as the same words in a title do.
    by_reply = question.title in _titles(alice, community, "sécu")
    by_title = "Allocations familiales et Sécurité sociale" in _titles(
        alice, community, "sécu", replies=False
    )
    assert by_reply == by_title == (connection.vendor == "sqlite")
    # A stemmed word is not a prefix of every word it begins: 'versement' ('vers') does not
    # meet 'version', but meets 'versées' through their common stem on both indexes.
    assert question.title in _titles(alice, community, "versées")
    assert _titles(alice, community, "version") == []
    # Stop words alone find nothing (not every reply).
    assert _titles(alice, community, "les par la") == []


def test_a_title_match_ranks_above_a_reply_match_and_a_topic_comes_once(
    community, alice, bruno, question, public_category
):
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


def test_an_edited_reply_is_found_by_its_new_text_only(community, alice, bruno, question):
    reply = post_reply(user=bruno, topic=question, body="Pensez au précompte des diffuseurs.")
    assert _titles(alice, community, "précompte") == [question.title]
    post_edit(user=bruno, post=reply, body="Voyez plutôt la dispense d'affiliation.")
    assert _titles(alice, community, "précompte") == []
    [hit] = selectors.topics_search(user=alice, community=community, query="dispense")
    assert hit.reply == reply and "<mark>dispense</mark>" in hit.snippet
    # A write outside the services (an admin action, a data fix) keeps the index true too.
    Post.objects.filter(pk=reply.pk).update(body="Question de cotisation vieillesse.")
    assert _titles(alice, community, "dispense") == []
    assert _titles(alice, community, "vieillesse") == [question.title]


def test_an_erased_reply_is_not_found_by_its_old_text(community, alice, bruno, question):
    from relais.community.models import MemberProfile
    from relais.community.services.gdpr import member_delete

    post_reply(user=bruno, topic=question, body="Mon numéro de dossier précompte 4521.")
    assert _titles(alice, community, "précompte") == [question.title]
    member_delete(
        user=bruno,
        profile=MemberProfile.objects.get(user=bruno, community=community),
        password=PASSWORD,
        confirm="SUPPRIMER",
        erase_posts=True,
    )
    assert _titles(alice, community, "précompte") == []


def test_a_removed_row_leaves_the_index(community, alice, bruno, question):
    _need_sqlite()
    reply = post_reply(user=bruno, topic=question, body="Pensez au précompte des diffuseurs.")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {POST_INDEX.name} WHERE rowid = %s", [reply.pk])  # noqa: S608
        assert cursor.fetchone() == (1,)
        Post.objects.filter(pk=reply.pk).delete()
        cursor.execute(f"SELECT count(*) FROM {POST_INDEX.name} WHERE rowid = %s", [reply.pk])  # noqa: S608
        assert cursor.fetchone() == (0,)
    assert _titles(alice, community, "précompte") == []


def test_setting_the_index_up_again_indexes_the_posts_already_there(
    community, alice, bruno, question
):
    """What migration 0009 does on a filled database, and its reverse."""
    _need_sqlite()
    post_reply(user=bruno, topic=question, body="Pensez au précompte des diffuseurs.")
    with connection.cursor() as cursor:
        for statement in POST_INDEX.sqlite_teardown:
            cursor.execute(statement)
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'community_post_fts%'")
        assert cursor.fetchone() == (0,)
        for statement in POST_INDEX.sqlite_setup:
            cursor.execute(statement)
    assert _titles(alice, community, "précompte") == [question.title]


def test_deleted_replies_are_found_by_nobody_until_restored(
    community, alice, bruno, moderator, question
):
    reply = post_reply(user=bruno, topic=question, body="Le précompte se déclare en ligne.")
    post_delete(user=moderator, post=reply, reason="Doublon")
    assert _titles(alice, community, "précompte") == []
    # As on PostgreSQL, the moderators' search does not list it either: they see it, marked,
    # on its topic's page.
    assert _titles(moderator, community, "précompte") == []
    assert _titles(bruno, community, "précompte") == []  # nor its author
    post_restore(user=moderator, post=reply, reason="Pas un doublon")
    assert _titles(alice, community, "précompte") == [question.title]


def test_replies_hidden_by_flags_or_a_moderator_are_not_found(
    community, alice, bruno, moderator, question
):
    reply = post_reply(user=bruno, topic=question, body="Le précompte se déclare en ligne.")
    flaggers = [make_member(community, f"flag{i}", f"Signaleur {i}") for i in range(3)]
    for flagger in flaggers:
        flag_create(user=flagger, post=reply, reason=Flag.Reason.SPAM)
    reply.refresh_from_db()
    assert reply.hidden == Post.Hidden.FLAGS
    assert _titles(alice, community, "précompte") == []
    assert _titles(moderator, community, "précompte") == []
    flag_decide(user=moderator, post=reply, decision="disagree")  # shown again
    assert _titles(alice, community, "précompte") == [question.title]
    flag_create(user=alice, post=reply, reason=Flag.Reason.SPAM)
    flag_decide(user=moderator, post=reply, decision="agree")  # hidden by the moderator
    reply.refresh_from_db()
    assert reply.hidden == Post.Hidden.MODERATOR
    assert _titles(alice, community, "précompte") == []


def test_a_reply_held_for_approval_is_found_once_approved(
    community, alice, bruno, moderator, question
):
    reply = post_reply(
        user=bruno,
        topic=question,
        body="Mon précompte est prélevé sur FR76 3000 6000 0112 3456 7890 189.",
    )
    assert reply.hidden == Post.Hidden.APPROVAL  # personal data: held
    assert _titles(alice, community, "précompte") == []
    assert _titles(moderator, community, "précompte") == []
    post_screen_decide(user=moderator, post=reply, approve=True)
    assert _titles(alice, community, "précompte") == [question.title]


def test_replies_of_categories_the_user_cannot_read_are_not_found(
    client, community, alice, moderator, question, members_category, staff_category
):
    internal = topic_create(
        user=moderator,
        category=staff_category,
        title="Coulisses : réponses types",
        body="Interne.",
        kind="discussion",
    )
    post_reply(user=moderator, topic=internal, body="Le précompte : réponse type.")
    between = topic_create(
        user=alice,
        category=members_category,
        title="Entre nous",
        body="Une question entre membres.",
        kind="discussion",
    )
    post_reply(user=moderator, topic=between, body="Le précompte, entre membres.")
    assert _titles(alice, community, "précompte") == [between.title]  # a member: not the staff's
    assert set(_titles(moderator, community, "précompte")) == {internal.title, between.title}
    from django.contrib.auth.models import AnonymousUser

    assert _titles(AnonymousUser(), community, "précompte") == []
    # The search page (there is no search API): the visitor, then a member.
    page = _page(client, "précompte")
    assert "Entre nous" not in page and "Coulisses" not in page and "Dans une réponse" not in page
    client.force_login(alice)
    page = _page(client, "précompte")
    assert "Entre nous" in page and "Coulisses" not in page


def test_replies_of_a_held_or_deleted_topic_are_not_found(
    community, alice, bruno, moderator, question
):
    post_reply(user=bruno, topic=question, body="Le précompte se déclare en ligne.")
    question.is_deleted = True
    question.save(update_fields=["is_deleted"])
    assert _titles(alice, community, "précompte") == []
    assert _titles(moderator, community, "précompte") == []


def test_another_communitys_replies_are_not_found(community, alice, question):
    from tests.community.conftest import make_community

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
    post_reply(user=bruno, topic=question, body="Pensez au précompte des diffuseurs.")
    page = _page(client, "précompte")
    assert "Déclarer une cession de droits" in page and "Dans une réponse :" in page
    assert "<mark>précompte</mark>" in page


@pytest.mark.parametrize(("query", "found"), HOSTILE)
def test_hostile_queries_give_results_or_nothing_never_an_error(
    client, community, alice, bruno, question, query, found
):
    post_reply(user=bruno, topic=question, body="Pensez au précompte des diffuseurs.")
    assert _titles(alice, community, query) == ([question.title] if found else [])
    page = _page(client, query)
    if "\x00" not in query:  # the search form refuses a NUL character: the empty page
        assert ("Déclarer une cession de droits" in page) == found


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

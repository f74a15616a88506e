"""The generic full-text helper (relais.core.search); its use is tested by the CRM's customer
search (tests/crm/test_search.py) and the knowledge base (tests/core/knowledge/)."""

import pytest
from django.db import connection

from relais.core.search import (
    MAX_QUERY_CHARS,
    ProseIndex,
    TrigramIndex,
    clean_query,
    prose_document,
    prose_match_terms,
    prose_terms,
    snippet,
)


def test_prose_terms_fold_stem_and_drop_stop_words():
    assert prose_terms("Les Allocations FAMILIALES") == prose_terms("allocation familiale")
    assert prose_terms("sécurité") == prose_terms("SECURITE") == ["securit"]
    assert prose_terms("de la, les ; des") == []
    assert prose_terms('"NEAR(*)" AND') == ["near", "and"]


def test_only_a_word_left_whole_by_the_stemmer_is_a_prefix():
    # 'alloc' and 'travail' may be words being typed; 'versement' was typed whole: its stem
    # 'vers' must not meet 'version' or 'verser'.
    assert prose_match_terms("alloc Versement travail") == [
        ("alloc", True),
        ("vers", False),
        ("travail", True),
    ]
    assert prose_match_terms("de") == []
    assert prose_match_terms("aa") == [("aa", False)]  # two letters: too short for a prefix
    assert prose_match_terms("alloc allocations") == [("alloc", True)]


def test_prose_document_matches_query_terms():
    assert prose_document("L'œuvre des allocations") == "oeuvr alloc"


def test_clean_query_bounds_and_strips_control_characters():
    assert clean_query(" a\x00b\x1bc\td ") == "abc\td"
    assert len(clean_query("x" * 10_000)) == MAX_QUERY_CHARS
    assert clean_query(None) == ""


def test_snippet_without_match_is_the_escaped_start():
    assert snippet("<i>texte</i> " * 3, "absent") == "&lt;i&gt;texte&lt;/i&gt; " * 3
    assert snippet("", "x") == ""


def test_prose_index_takes_one_to_four_fields():
    with pytest.raises(ValueError):
        ProseIndex(table="t", name="t_fts", fields=())
    index = ProseIndex(table="t", name="t_fts", fields=(("a", 1.0), ("b", 3.0)))
    # The heavier field gets PostgreSQL's weight A.
    assert "coalesce(b, '')), 'A')" in index.postgres_setup[-2]  # the stored vector column


def test_trigram_index_declares_its_triggers():
    index = TrigramIndex(table="t", column="doc", name="t_fts", postgres_index="t_doc_trgm")
    assert [s.split()[5] for s in index.sqlite_setup[1:4]] == ["t_fts_ai", "t_fts_ad", "t_fts_au"]
    assert index.postgres_teardown == ["DROP INDEX IF EXISTS t_doc_trgm"]


@pytest.mark.django_db
def test_relais_french_configuration_exists_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector('relais_french', 'La Sécurité sociale') "
            "@@ plainto_tsquery('relais_french', 'securite SOCIALES')"
        )
        assert cursor.fetchone()[0] is True

"""Full-text search indexes for any model, on SQLite and on PostgreSQL.

Two kinds of index, one per kind of text:

* ``TrigramIndex`` — substring search over one folded "search document" column (names,
  phones, plates: what people type in part). SQLite: an FTS5 external-content table with the
  ``trigram`` tokenizer, kept in step by triggers. PostgreSQL: a ``pg_trgm`` GIN index. Every
  term must occur; terms shorter than three characters cannot use a trigram index and fall
  back to ``LIKE`` on the candidates the other terms left. The CRM's customer search runs on it.
* ``ProseIndex`` — French prose (questions, answers, articles), ranked. Words are folded
  (accents, case, ligatures) and stemmed, so "allocations familiales" meets "allocation
  familiale" and "securite" meets "Sécurité". SQLite: an FTS5 table (``unicode61
  remove_diacritics 2``) holding the folded, Snowball-stemmed words of each row, written by
  ``index()`` / ``delete()`` since SQLite cannot stem French; ranked by ``bm25`` with a weight
  per field. An index declared with ``triggers=True`` is kept in step by SQLite triggers
  instead, which stem through ``relais_prose_document(text)``, a SQL function that
  ``register_sqlite_functions`` adds to every Django connection (so every write path — a
  service, ``bulk_create``, ``QuerySet.update``, raw SQL — keeps it true; a connection without
  the function, the ``sqlite3`` shell for one, cannot insert or edit the table's text; and
  SQLite's ``trusted_schema`` must stay on, its default, for a trigger to call it).
  PostgreSQL: a stored, generated ``tsvector`` column of ``to_tsvector('relais_french', …)``
  with a GIN index — a text search configuration built on ``unaccent`` and the French Snowball
  stemmer — ranked by ``ts_rank_cd``; PostgreSQL keeps it up to date itself.

Queries are never passed to a search engine's syntax: they are cut to ``MAX_QUERY_CHARS``,
split into words and quoted, so quotes, ``*``, ``NEAR``, ``AND``/``OR``, parentheses and NUL
characters are plain text. An index declares its database objects; a migration creates them
with ``index.setup`` / ``index.teardown`` (``migrations.RunPython``).
"""

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from relais.core.contacts.normalize import fold, search_terms

MAX_QUERY_CHARS = 256
MAX_TERMS = 12
_WORD = re.compile(r"\w+")

# French function words that carry no meaning for a search (PostgreSQL's french configuration
# drops the same kind of words); a query made only of them finds nothing.
FRENCH_STOP_WORDS = frozenset(
    {
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "cet",
        "cette",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "eux",
        "il",
        "ils",
        "je",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "m",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "mon",
        "n",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "s",
        "sa",
        "se",
        "ses",
        "si",
        "son",
        "sur",
        "t",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "y",
        "est",
        "sont",
        "ete",
        "etre",
    }
)


def clean_query(query: str) -> str:
    """The query cut to a sane length, without NUL or control characters (white space stays)."""
    query = (query or "")[:MAX_QUERY_CHARS]
    return "".join(c for c in query if c.isprintable() or c.isspace()).strip()


@lru_cache(maxsize=1)
def _french_stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("french")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The French Snowball stem of an already folded word ('allocations' -> 'alloc')."""
    return _french_stemmer().stemWord(word)


@lru_cache(maxsize=100_000)
def _folded_words(word: str) -> tuple[str, ...]:
    return tuple(w for w in _WORD.findall(fold(word)) if w not in FRENCH_STOP_WORDS)


@lru_cache(maxsize=100_000)
def _word_stems(word: str) -> frozenset[str]:
    """The stems of one raw word as written ('Allocations' -> {'alloc'}): one cached call per
    word of an extract instead of folding and stemming it each time."""
    return frozenset(stem(w) for w in _folded_words(word))


def prose_words(text: str) -> list[str]:
    """Folded words of ``text``, without French stop words: 'Les Allocations' -> ['allocations']."""
    # Word by word through a cache: texts repeat their words, folding is per character.
    return [w for raw in _WORD.findall(text) for w in _folded_words(raw)]


def prose_document(text: str) -> str:
    """What the SQLite index stores for ``text``: its folded, stemmed words."""
    return " ".join(stem(w) for w in prose_words(text))


def prose_terms(query: str) -> list[str]:
    """The distinct stems a query asks for, at most ``MAX_TERMS``."""
    return list(dict.fromkeys(stem(w) for w in prose_words(clean_query(query))))[:MAX_TERMS]


def prose_match_terms(query: str) -> list[tuple[str, bool]]:
    """The distinct stems a query asks for, each with whether it is matched as a prefix.

    A word the stemmer left whole, from three letters ('alloc', 'travail'), may be a word
    being typed: it also meets the longer words it begins ('allocataire', 'travailleur'). A
    word the stemmer cut ('versement' -> 'vers') was typed whole: its stem meets the word's
    inflections only, not every word that begins with the stem ('version', 'verser')."""
    terms: dict[str, bool] = {}
    for word in prose_words(clean_query(query)):
        term = stem(word)
        terms[term] = terms.get(term, False) or (term == word and len(term) >= 3)
    return list(terms.items())[:MAX_TERMS]


def _fts5_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _candidates_sql(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


def _run(statements: dict[str, Sequence[str]], schema_editor) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


SQLITE_PROSE_FUNCTION = "relais_prose_document"


def register_sqlite_functions(sender=None, connection=None, **kwargs) -> None:
    """Give a new SQLite connection ``relais_prose_document(text)`` (``prose_document``), which
    the triggers of a ``ProseIndex(triggers=True)`` call (a ``connection_created`` receiver)."""
    if connection is None or connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        SQLITE_PROSE_FUNCTION, 1, lambda text: prose_document(text or ""), deterministic=True
    )


@dataclass(frozen=True)
class TrigramIndex:
    """Substring search over ``column`` of ``table`` (a folded, compact search document)."""

    table: str
    column: str
    name: str  # the FTS5 table on SQLite; its triggers are named after it
    postgres_index: str
    pk: str = "id"
    terms: Callable[[str], list[str]] = search_terms

    @property
    def sqlite_setup(self) -> list[str]:
        t, c, n, pk = self.table, self.column, self.name, self.pk
        # Identifiers come from the index's declaration in code, never from input.
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {n} USING fts5("
            f"{c}, content='{t}', content_rowid='{pk}', tokenize='trigram')",
            f"CREATE TRIGGER IF NOT EXISTS {n}_ai AFTER INSERT ON {t} BEGIN "  # noqa: S608
            f"INSERT INTO {n}(rowid, {c}) VALUES (new.{pk}, new.{c}); END",
            f"CREATE TRIGGER IF NOT EXISTS {n}_ad AFTER DELETE ON {t} BEGIN "  # noqa: S608
            f"INSERT INTO {n}({n}, rowid, {c}) "
            f"VALUES ('delete', old.{pk}, old.{c}); END",
            f"CREATE TRIGGER IF NOT EXISTS {n}_au AFTER UPDATE OF {c} ON {t} BEGIN "  # noqa: S608
            f"INSERT INTO {n}({n}, rowid, {c}) "
            f"VALUES ('delete', old.{pk}, old.{c}); "
            f"INSERT INTO {n}(rowid, {c}) VALUES (new.{pk}, new.{c}); END",
            f"INSERT INTO {n}({n}) VALUES ('rebuild')",  # noqa: S608
        ]

    @property
    def sqlite_teardown(self) -> list[str]:
        n = self.name
        return [
            f"DROP TRIGGER IF EXISTS {n}_ai",
            f"DROP TRIGGER IF EXISTS {n}_ad",
            f"DROP TRIGGER IF EXISTS {n}_au",
            f"DROP TABLE IF EXISTS {n}",
        ]

    @property
    def postgres_setup(self) -> list[str]:
        return [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            f"CREATE INDEX IF NOT EXISTS {self.postgres_index} ON {self.table} "
            f"USING gin ({self.column} gin_trgm_ops)",
        ]

    @property
    def postgres_teardown(self) -> list[str]:
        return [f"DROP INDEX IF EXISTS {self.postgres_index}"]

    def setup(self, schema_editor) -> None:
        """Create the index (``RunPython`` in a migration; run it again after SQLite re-creates
        the table, which drops its triggers)."""
        _run({"sqlite": self.sqlite_setup, "postgresql": self.postgres_setup}, schema_editor)

    def teardown(self, schema_editor) -> None:
        _run({"sqlite": self.sqlite_teardown, "postgresql": self.postgres_teardown}, schema_editor)

    def filter(self, queryset: QuerySet, query: str) -> QuerySet:
        """``queryset`` narrowed to the rows whose document holds every term of ``query``."""
        terms = self.terms(clean_query(query))[:MAX_TERMS]
        if not terms:
            # A query of punctuation only ('"', '*', '(') has nothing to find: it must not list
            # everyone.
            return queryset.none() if (query or "").strip() else queryset
        indexed = [t for t in terms if len(t) >= 3]
        short = [t for t in terms if len(t) < 3]
        if indexed and connection.vendor == "sqlite":
            match = " AND ".join(_fts5_phrase(t) for t in indexed)
            queryset = queryset.filter(
                pk__in=RawSQL(  # noqa: S611 - the match is a parameter
                    f"SELECT rowid FROM {self.name} WHERE {self.name} MATCH %s",  # noqa: S608
                    [match],
                )
            )
        else:
            short = terms
        condition = Q()
        for term in short:
            condition &= Q(**{f"{self.column}__contains": term})
        return queryset.filter(condition)


@dataclass(frozen=True)
class Hit:
    pk: int
    score: float  # higher is better, comparable only within one result list


@dataclass(frozen=True)
class ProseIndex:
    """Ranked French full-text search over weighted text ``fields`` of ``table``.

    ``fields`` maps each column to its weight (higher counts more, at most four fields:
    PostgreSQL's weights A–D). On SQLite call ``index()`` after writing rows and ``delete()``
    before deleting them (both no-ops on PostgreSQL), inside the writing transaction — unless
    ``triggers`` is set: then SQLite triggers on ``table`` keep the index in step (see the
    module's docstring), and a migration that makes SQLite re-create ``table`` (which drops its
    triggers) must run ``setup`` again.

    On PostgreSQL the weighted vector is a stored generated column (``vector_column``) that
    depends on ``fields``: a migration altering one of those columns must run ``teardown``
    before and ``setup`` after it.
    """

    table: str
    name: str  # the FTS5 table on SQLite, the GIN index on PostgreSQL
    fields: tuple[tuple[str, float], ...]
    pk: str = "id"
    config: str = "relais_french"
    triggers: bool = False

    def __post_init__(self):
        if not 1 <= len(self.fields) <= 4:
            raise ValueError("A prose index covers one to four fields.")

    @property
    def columns(self) -> list[str]:
        return [column for column, _weight in self.fields]

    # --- database objects ---------------------------------------------------------------

    @property
    def sqlite_setup(self) -> list[str]:
        create = [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.name} USING fts5("
            f"{', '.join(self.columns)}, tokenize='unicode61 remove_diacritics 2')"
        ]
        return create + (self._sqlite_triggers if self.triggers else [])

    @property
    def _sqlite_triggers(self) -> list[str]:
        # Identifiers come from the index's declaration in code, never from input.
        n, t, pk, columns = self.name, self.table, self.pk, ", ".join(self.columns)

        def documents(row: str) -> str:
            return ", ".join(f"{SQLITE_PROSE_FUNCTION}({row}.{c})" for c in self.columns)

        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in self.columns)
        return [
            f"CREATE TRIGGER IF NOT EXISTS {n}_ai AFTER INSERT ON {t} BEGIN "  # noqa: S608
            f"INSERT INTO {n}(rowid, {columns}) VALUES (new.{pk}, {documents('new')}); END",
            f"CREATE TRIGGER IF NOT EXISTS {n}_ad AFTER DELETE ON {t} BEGIN "  # noqa: S608
            f"DELETE FROM {n} WHERE rowid = old.{pk}; END",
            # Only when the text changed: saving a post's other fields (hidden, likes) with a
            # plain save() writes every column and must not stem the text again.
            f"CREATE TRIGGER IF NOT EXISTS {n}_au AFTER UPDATE OF {columns} ON {t} "  # noqa: S608
            f"WHEN {changed} BEGIN DELETE FROM {n} WHERE rowid = old.{pk}; "
            f"INSERT INTO {n}(rowid, {columns}) VALUES (new.{pk}, {documents('new')}); END",
            # The rows already there (set up on a filled table, or again after a re-creation).
            f"DELETE FROM {n}",  # noqa: S608
            f"INSERT INTO {n}(rowid, {columns}) "  # noqa: S608
            f"SELECT {pk}, {documents(t)} FROM {t}",
        ]

    @property
    def sqlite_teardown(self) -> list[str]:
        n = self.name
        triggers = [f"DROP TRIGGER IF EXISTS {n}_{kind}" for kind in ("ai", "ad", "au")]
        return (triggers if self.triggers else []) + [f"DROP TABLE IF EXISTS {n}"]

    def _vector_sql(self, alias: str = "") -> str:
        prefix = f"{alias}." if alias else ""
        ordered = sorted(self.fields, key=lambda field: -field[1])
        parts = [
            f"setweight(to_tsvector('{self.config}'::regconfig, "
            f"coalesce({prefix}{column}, '')), '{'ABCD'[rank]}')"
            for rank, (column, _weight) in enumerate(ordered)
        ]
        return " || ".join(parts)

    @property
    def postgres_setup(self) -> list[str]:
        return [
            "CREATE EXTENSION IF NOT EXISTS unaccent",
            # French stemming of unaccented words; created once per database, shared by indexes.
            "DO $$ BEGIN "  # noqa: S608
            f"IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{self.config}') THEN "
            f"CREATE TEXT SEARCH CONFIGURATION {self.config} (COPY = french); "
            f"ALTER TEXT SEARCH CONFIGURATION {self.config} "
            "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem; "
            "END IF; END $$",
            # The weighted vector is stored (a generated column, kept by PostgreSQL itself):
            # ranking reads it instead of parsing every matching text again, which is what
            # makes a common word cheap.
            f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS {self.vector_column} tsvector "
            f"GENERATED ALWAYS AS ({self._vector_sql()}) STORED",
            f"CREATE INDEX IF NOT EXISTS {self.name} ON {self.table} "
            f"USING gin ({self.vector_column})",
        ]

    @property
    def vector_column(self) -> str:
        return f"{self.name}_vector"

    @property
    def postgres_teardown(self) -> list[str]:
        # The configuration may serve other indexes: it stays.
        return [
            f"DROP INDEX IF EXISTS {self.name}",
            f"ALTER TABLE {self.table} DROP COLUMN IF EXISTS {self.vector_column}",
        ]

    def setup(self, schema_editor) -> None:
        """Create the index (``RunPython`` in a migration)."""
        _run({"sqlite": self.sqlite_setup, "postgresql": self.postgres_setup}, schema_editor)

    def teardown(self, schema_editor) -> None:
        _run({"sqlite": self.sqlite_teardown, "postgresql": self.postgres_teardown}, schema_editor)

    # --- keeping the SQLite index in step ---------------------------------------------

    def _document_rows(self, rows: Iterable[Sequence]) -> list[tuple]:
        return [(row[0], *(prose_document(text or "") for text in row[1:])) for row in rows]

    def index_rows(self, rows: Iterable[Sequence]) -> None:
        """(Re)index raw rows ``(pk, text of each field…)`` in ``fields`` order (SQLite)."""
        if connection.vendor != "sqlite":
            return
        documents = self._document_rows(rows)
        if not documents:
            return
        marks = ", ".join(["%s"] * (len(self.columns) + 1))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {self.name} WHERE rowid = %s",  # noqa: S608
                [(row[0],) for row in documents],
            )
            cursor.executemany(
                f"INSERT INTO {self.name}(rowid, {', '.join(self.columns)}) "  # noqa: S608
                f"VALUES ({marks})",
                documents,
            )

    def index(self, objects: Iterable) -> None:
        """(Re)index model instances after they were saved (SQLite; PostgreSQL indexes itself)."""
        self.index_rows(
            [(obj.pk, *(getattr(obj, column) for column in self.columns)) for obj in objects]
        )

    def delete(self, pks: Iterable[int]) -> None:
        """Remove rows from the index (SQLite)."""
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {self.name} WHERE rowid = %s",  # noqa: S608
                [(pk,) for pk in pks],
            )

    def rebuild(self, queryset: QuerySet, *, batch_size: int = 2000) -> None:
        """Index every row of ``queryset`` afresh (SQLite): after a bulk load or a restore."""
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.name}")  # noqa: S608
        rows = queryset.order_by("pk").values_list("pk", *self.columns)
        batch: list = []
        for row in rows.iterator(chunk_size=batch_size):
            batch.append(row)
            if len(batch) >= batch_size:
                self._insert(batch)
                batch = []
        self._insert(batch)

    def _insert(self, rows: list) -> None:
        documents = self._document_rows(rows)
        if not documents:
            return
        marks = ", ".join(["%s"] * (len(self.columns) + 1))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.name}(rowid, {', '.join(self.columns)}) "  # noqa: S608
                f"VALUES ({marks})",
                documents,
            )

    # --- querying ----------------------------------------------------------------------

    def _search_sqlite(self, query: str, candidates: str, params: tuple, limit: int):
        n = self.name
        weights = ", ".join(str(weight) for _column, weight in self.fields)
        # Each stem is a phrase (quoted); a word being typed is a prefix too (see
        # prose_match_terms).
        match = " AND ".join(
            _fts5_phrase(term) + (" *" if prefix else "")
            for term, prefix in prose_match_terms(query)
        )
        ranked = f"SELECT rowid, -bm25({n}, {weights}) AS score FROM {n} WHERE {n} MATCH %s"  # noqa: S608
        allowed = f"EXISTS (SELECT 1 FROM ({candidates}) c WHERE c.pk = h.rowid)"  # noqa: S608
        # First the best matches of the whole index, then which of them the queryset allows:
        # enough when most matches are allowed (one organization's base). Otherwise every
        # match is checked, by primary key ("rowid IN (candidates)" would build the whole
        # candidate list, and hand it to FTS5, which then runs the MATCH once per candidate).
        top = max(limit * 5, 100)
        statements = [
            (
                f"SELECT h.rowid, h.score FROM ({ranked} ORDER BY score DESC, rowid "  # noqa: S608
                f"LIMIT {top}) h WHERE {allowed} ORDER BY h.score DESC, h.rowid LIMIT %s",
                (match, *params, limit),
            ),
            (
                f"SELECT h.rowid, h.score FROM ({ranked}) h "  # noqa: S608
                f"WHERE {allowed} ORDER BY h.score DESC, h.rowid LIMIT %s",
                (match, *params, limit),
            ),
        ]
        rows: list = []
        with connection.cursor() as cursor:
            for sql, args in statements:
                cursor.execute(sql, args)
                rows = cursor.fetchall()
                if len(rows) == limit:
                    break
        return [Hit(pk=row[0], score=float(row[1])) for row in rows]

    def search(self, queryset: QuerySet, query: str, *, limit: int = 20) -> list[Hit]:
        """The rows of ``queryset`` matching every meaningful word of ``query``, best first.

        ``queryset`` says which rows may be found (scope, status); its own ordering is ignored.
        A query without a meaningful word ('', 'les', '"*"') finds nothing.
        """
        terms = prose_terms(query)
        if not terms or limit < 1:
            return []
        candidates, params = _candidates_sql(queryset)
        if connection.vendor != "postgresql":
            return self._search_sqlite(query, candidates, params, limit)
        vector = f"t.{self.vector_column}"
        words = " ".join(prose_words(clean_query(query))[:MAX_TERMS])
        sql = (
            f"SELECT t.{self.pk}, ts_rank_cd({vector}, q) AS score "  # noqa: S608
            f"FROM {self.table} t, plainto_tsquery('{self.config}'::regconfig, %s) q "
            f"WHERE {vector} @@ q AND t.{self.pk} IN ({candidates}) "
            f"ORDER BY score DESC, t.{self.pk} LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, (words, *params, limit))
            return [Hit(pk=row[0], score=float(row[1])) for row in cursor.fetchall()]


def snippet(text: str, query: str, *, length: int = 240) -> SafeString:
    """An escaped extract of ``text`` around the first word matching ``query``, with every
    matching word in ``<mark>`` (by stem, so 'allocations' marks 'Allocation')."""
    text = text or ""
    terms = set(prose_terms(query))
    # Words are read only until the extract is full: a long answer is not scanned to its end.
    matches = (
        m.span()
        for m in _WORD.finditer(text)
        if terms and not terms.isdisjoint(_word_stems(m.group()))
    )
    first = next(matches, None)
    start = 0
    if first and first[0] > length // 3:
        start = text.rfind(" ", 0, first[0] - length // 4) + 1
    end = min(len(text), start + length)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    spans = []
    if first:
        spans.append(first)
        for span in matches:
            if span[0] >= end:
                break
            spans.append(span)
    pieces, position = [], start
    for left, right in spans:
        if left < start or right > end:
            continue
        pieces.append(html.escape(text[position:left]))
        pieces.append(f"<mark>{html.escape(text[left:right])}</mark>")
        position = right
    pieces.append(html.escape(text[position:end]))
    extract = "".join(pieces)
    return mark_safe(("… " if start else "") + extract + (" …" if end < len(text) else ""))  # noqa: S308

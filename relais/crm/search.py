"""Customer search: accent-, case- and format-insensitive, partial, and fast at 100,000 rows.

Each customer carries ``search_document``: the compact, folded forms of its names, e-mail,
phones (national and international), plates, VINs, SIREN/SIRET and city. A query is split
into terms (see ``relais.core.contacts.normalize.search_terms``) that must all occur as
substrings. Substring search is served by a trigram index: SQLite's FTS5 ``trigram``
tokenizer (table ``crm_customer_fts``, kept in step by triggers), PostgreSQL's ``pg_trgm``
GIN index. Terms shorter than three characters cannot use a trigram index and fall back to
``LIKE`` on the candidates the other terms left.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from relais.core.contacts.normalize import compact, fold, phone_variants, search_terms

FTS_TABLE = "crm_customer_fts"


def build_search_document(customer) -> str:
    """The search tokens of one customer, from its contact, vehicles and company contacts."""
    tokens: list[str] = []
    contact = customer.contact
    if customer.person_id:
        person = customer.person
        tokens += [person.first_name, person.last_name, person.first_name + person.last_name]
    else:
        company = customer.company
        tokens += [company.legal_name, company.trade_name, company.siren, company.siret]
        tokens += [company.legal_name.replace(" ", "")]
        for link in company.contacts.all():
            tokens += [link.person.first_name, link.person.last_name, link.person.email]
            tokens += phone_variants(link.person.phone_mobile)
    tokens += [contact.email, contact.city, contact.postal_code]
    for phone in (contact.phone_landline, contact.phone_mobile):
        tokens += phone_variants(phone)
    for vehicle in customer.vehicles.all():
        tokens += [vehicle.plate, vehicle.vin]
    return document_from_tokens(tokens)


def document_from_tokens(tokens: Iterable[str]) -> str:
    """Fold, compact and de-duplicate raw values into a search document.

    Pure: bulk loaders (``relais.crm.demo``) gather the same values as
    ``build_search_document`` from plain data and call this without any query.
    """
    words: list[str] = []
    for token in tokens:
        if not token:
            continue
        words += [compact(part) for part in fold(token).split()]
        words.append(compact(token))
    return " ".join(dict.fromkeys(w for w in words if w))


def filter_by_search(queryset: QuerySet, query: str) -> QuerySet:
    terms = search_terms(query)
    if not terms:
        # A query of punctuation only ('"', '*', '(') has nothing to find: it must not list everyone.
        return queryset.none() if query.strip() else queryset
    indexed = [t for t in terms if len(t) >= 3]
    short = [t for t in terms if len(t) < 3]
    if indexed and connection.vendor == "sqlite":
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in indexed)
        queryset = queryset.filter(
            pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])  # noqa: S608
        )
    else:
        short = terms
    condition = Q()
    for term in short:
        condition &= Q(search_document__contains=term)
    return queryset.filter(condition)


# A migration that makes SQLite re-create crm_customer (most AddField do) drops these triggers:
# it must run SQLITE_SETUP again (see migration 0003).
SQLITE_SETUP = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_document, content='crm_customer', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS crm_customer_fts_ai AFTER INSERT ON crm_customer BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_document) VALUES (new.id, new.search_document); END",
    f"CREATE TRIGGER IF NOT EXISTS crm_customer_fts_ad AFTER DELETE ON crm_customer BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_document) "
    f"VALUES ('delete', old.id, old.search_document); END",
    f"CREATE TRIGGER IF NOT EXISTS crm_customer_fts_au AFTER UPDATE OF search_document ON crm_customer BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_document) "
    f"VALUES ('delete', old.id, old.search_document); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_document) VALUES (new.id, new.search_document); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS crm_customer_fts_ai",
    "DROP TRIGGER IF EXISTS crm_customer_fts_ad",
    "DROP TRIGGER IF EXISTS crm_customer_fts_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
POSTGRES_SETUP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS crm_customer_search_trgm ON crm_customer "
    "USING gin (search_document gin_trgm_ops)",
]
POSTGRES_TEARDOWN = ["DROP INDEX IF EXISTS crm_customer_search_trgm"]

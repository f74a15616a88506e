"""Customer search: accent-, case- and format-insensitive, partial, and fast at 100,000 rows.

Each customer carries ``search_document``: the compact, folded forms of its names, e-mail,
phones (national and international), plates, VINs, SIREN/SIRET and city. A query is split
into terms (see ``relais.core.contacts.normalize.search_terms``) that must all occur as
substrings. Substring search is served by core's trigram index
(``relais.core.search.TrigramIndex``): SQLite's FTS5 ``trigram`` tokenizer (table
``crm_customer_fts``, kept in step by triggers), PostgreSQL's ``pg_trgm`` GIN index. Terms
shorter than three characters cannot use a trigram index and fall back to ``LIKE`` on the
candidates the other terms left.
"""

import functools
from collections.abc import Iterable

from django.db.models import QuerySet

from relais.core.contacts.normalize import compact, fold, phone_variants
from relais.core.search import TrigramIndex

FTS_TABLE = "crm_customer_fts"
CUSTOMER_INDEX = TrigramIndex(
    table="crm_customer",
    column="search_document",
    name=FTS_TABLE,
    postgres_index="crm_customer_search_trgm",
)


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
        if token:
            words += _token_words(token)
    return " ".join(dict.fromkeys(w for w in words if w))


@functools.lru_cache(maxsize=1 << 16)
def _token_words(token: str) -> tuple[str, ...]:
    """The words one token gives (its folded parts compacted, then itself compacted); kept
    for the next customer with the same first name, city or postcode (a bulk reindex)."""
    return (*[compact(part) for part in fold(token).split()], compact(token))


def filter_by_search(queryset: QuerySet, query: str) -> QuerySet:
    return CUSTOMER_INDEX.filter(queryset, query)


# A migration that makes SQLite re-create crm_customer (most AddField do) drops these triggers:
# it must run SQLITE_SETUP again (see migration 0003).
SQLITE_SETUP = CUSTOMER_INDEX.sqlite_setup
SQLITE_TEARDOWN = CUSTOMER_INDEX.sqlite_teardown
POSTGRES_SETUP = CUSTOMER_INDEX.postgres_setup
POSTGRES_TEARDOWN = CUSTOMER_INDEX.postgres_teardown

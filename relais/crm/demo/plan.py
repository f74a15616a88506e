"""One generated customer before it is written, and the search fields computed from it."""

from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace

from relais.core.contacts.models import Company, Person
from relais.core.contacts.normalize import fold, phone_variants
from relais.crm.models import Activity, Customer, CustomerKind, Invoice, InvoiceLine, Note, Vehicle
from relais.crm.search import document_from_tokens


class LineValues(SimpleNamespace):
    """An invoice line as plain values (label, quantity, unit_price_excl_tax, vat_rate),
    totalled by the model's own properties: lighter than an ``InvoiceLine`` instance."""

    total_excl_tax = InvoiceLine.total_excl_tax
    total_incl_tax = InvoiceLine.total_incl_tax


@lru_cache(maxsize=100_000)
def _words(token: str) -> tuple[str, ...]:
    # Names, cities and postcodes recur: fold each distinct value once.
    return tuple(document_from_tokens([token]).split())


@dataclass
class Plan:
    """One customer and everything attached to it, as unsaved model instances."""

    customer: Customer
    contact: Person | Company
    staff: list[tuple[Person, str]] = field(default_factory=list)  # company contacts, roles
    vehicles: list[Vehicle] = field(default_factory=list)
    invoices: list[tuple[Invoice, list[LineValues]]] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    annual_km: int | None = None  # how far the customer drives a year, for every vehicle

    @property
    def is_company(self) -> bool:
        return self.customer.kind == CustomerKind.COMPANY

    def sort_name(self) -> str:
        """As ``relais.crm.services.customers._sort_name`` computes it."""
        contact = self.contact
        if self.is_company:
            return fold(contact.legal_name)[:220]
        return fold(f"{contact.last_name} {contact.first_name}")[:220]

    def search_document(self) -> str:
        """As ``relais.crm.search.build_search_document`` computes it, without a query:
        same values, same order (company contacts by last name, newest vehicles first)."""
        contact = self.contact
        tokens: list[str] = []
        if self.is_company:
            tokens += [contact.legal_name, contact.trade_name, contact.siren, contact.siret]
            tokens += [contact.legal_name.replace(" ", "")]
            for person, _role in sorted(self.staff, key=lambda link: link[0].last_name):
                tokens += [person.first_name, person.last_name, person.email]
                tokens += phone_variants(person.phone_mobile)
        else:
            tokens += [
                contact.first_name,
                contact.last_name,
                contact.first_name + contact.last_name,
            ]
        tokens += [contact.email, contact.city, contact.postal_code]
        for phone in (contact.phone_landline, contact.phone_mobile):
            tokens += phone_variants(phone)
        newest_first = sorted(self.vehicles, key=lambda v: v.first_registration_date, reverse=True)
        for vehicle in newest_first:
            tokens += [vehicle.plate, vehicle.vin]
        # document_from_tokens(tokens), token by token: the words of each token do not depend
        # on the others, and the first occurrence of each word keeps its place.
        return " ".join(dict.fromkeys(word for token in tokens if token for word in _words(token)))

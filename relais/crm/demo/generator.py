"""Generate a realistic, deterministic French dealer CRM, written in bulk.

``generate_customers`` adds ``count`` customers to a workspace with everything a school
database needs (see the ANFA call for tender, seed 002, part *b*): individuals and companies
with real postcodes and valid phones, SIREN/SIRET and NAF codes, contact persons, vehicles
with SIV plates and VINs, purchase (VN/VO), after-sales (APV) and parts-shop invoices, the
mileage read at each workshop visit, activities with their next follow-up, notes, and leads
emitted in the three weeks before ``today``. Every invoice and activity is also in the
interaction log, so the customer's timeline is populated.

The story of each customer is consistent: prospecting happens before the purchase, the first
workshop visit after the delivery, the mileage only grows, a customer is a *customer* when
they have an invoice and a *prospect* otherwise, and every date is relative to ``today`` so
that the database never looks stale.

Every customer carries ``identity_key``, the true person or company behind the record: a
duplicate copy shares its original's key, homonyms have different ones. Dates of visits,
invoices and activities are working days (``relais.crm.calendar``); marketing campaigns
reach only the contacts who had accepted their channel on that day.

Deliberate anomalies, for cleaning and de-duplication exercises, involve about 5 % of
customers: homonyms, duplicates, typos, swapped names, phone formats, e-mails in capitals,
a VIN on two customers, postcode/city missing or inconsistent, a phone in the wrong field,
invalid e-mails (see ``relais.crm.demo.anomalies``). Pass a list as ``anomalies`` to get
them. About 15 % of leads come from people already in the base.

Nothing is validated row by row: every value is valid by construction (see
``relais.crm.demo.identifiers``), sort names and search documents are computed in Python
(see ``relais.crm.demo.plan``), and the rows are written in bulk, chunk by chunk (see
``relais.crm.demo.bulk``), so that 100,000 customers take a couple of minutes.
"""

from collections.abc import Callable
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from relais.core.contacts.models import Company, CompanyContact, Person
from relais.core.contacts.services import companies_create_many, persons_create_many
from relais.core.interactions.models import Interaction
from relais.core.workspaces.models import Workspace
from relais.crm.demo.bulk import BulkInserter
from relais.crm.demo.history import CustomerDrawer
from relais.crm.demo.people import PeopleDrawer
from relais.crm.demo.plan import Plan
from relais.crm.interaction_events import InvoiceInteractions, activity_interaction
from relais.crm.models import (
    Activity,
    Customer,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Lead,
    MileageReading,
    Note,
    Vehicle,
)

CHUNK_SIZE = 1000


def _write(
    workspace: Workspace,
    plans: list[Plan],
    inserter: BulkInserter,
    content_types: dict[type, ContentType],
) -> None:
    """Insert one chunk of customers, parents before children."""
    persons: list[Person] = []
    companies: list[Company] = []
    for plan in plans:
        (companies if plan.is_company else persons).append(plan.contact)
        persons += [person for person, _role in plan.staff]
    # Through the core's batch services, without full_clean: the drawn data carries
    # deliberate anomalies (a city that does not match its postcode…) for learners to find.
    persons_create_many(
        actor=None, workspace=workspace, persons=persons, inserter=inserter, full_clean=False
    )
    companies_create_many(
        actor=None, workspace=workspace, companies=companies, inserter=inserter, full_clean=False
    )
    links = [
        {"company_id": plan.contact.pk, "person_id": person.pk, "role": role}
        for plan in plans
        for person, role in plan.staff
    ]
    inserter.insert_values(CompanyContact, links)
    inserter.insert(Customer, [plan.customer for plan in plans])
    inserter.insert(Vehicle, [vehicle for plan in plans for vehicle in plan.vehicles])
    invoices = [invoice for plan in plans for invoice, _lines in plan.invoices]
    inserter.insert(Invoice, invoices)
    lines = [
        vars(line) | {"invoice_id": invoice.pk}
        for plan in plans
        for invoice, lines in plan.invoices
        for line in lines
    ]
    inserter.insert_values(InvoiceLine, lines)
    readings = [
        {
            "workspace_id": invoice.workspace_id,
            "vehicle_id": invoice.vehicle_id,
            "read_on": invoice.issued_on,
            "mileage": invoice.mileage,
            "invoice_id": invoice.pk,
        }
        for invoice in invoices
        if invoice.kind == InvoiceKind.AFTER_SALES
    ]
    inserter.insert_values(MileageReading, readings)
    inserter.insert(Activity, [activity for plan in plans for activity in plan.activities])
    inserter.insert(Note, [note for plan in plans for note in plan.notes])
    inserter.insert_values(Interaction, _interactions(plans, content_types))


def _interactions(plans: list[Plan], content_types: dict[type, ContentType]) -> list[dict]:
    """The timeline entries the services would have recorded for these invoices and activities
    (the same mapping: ``relais.crm.interaction_events``)."""
    entries = []
    invoice_type, activity_type = content_types[Invoice].pk, content_types[Activity].pk
    invoices = InvoiceInteractions()
    for plan in plans:
        common = {"workspace_id": plan.customer.workspace_id}
        common["company_id" if plan.is_company else "person_id"] = plan.contact.pk
        for invoice, _lines in plan.invoices:
            entries.append(
                common
                | invoices.fields(invoice)
                | {
                    "actor_id": plan.customer.owner_id,
                    "source_type_id": invoice_type,
                    "source_id": invoice.pk,
                }
            )
        for activity in plan.activities:
            entries.append(
                common
                | activity_interaction(activity)
                | {"source_type_id": activity_type, "source_id": activity.pk}
            )
    return entries


def generate_customers(
    *,
    workspace: Workspace,
    count: int,
    seed: int,
    today: date | None = None,
    owner=None,
    progress: Callable[[int, int], None] | None = None,
    anomalies: list | None = None,
) -> int:
    """Add ``count`` generated customers (and about ``count / 10`` leads) to ``workspace``.

    The same ``seed`` and ``today`` give the same data. ``owner`` becomes the customers'
    owner and the author of their activities and notes. ``progress(done, total)`` is called
    after each chunk. The deliberate anomalies drawn are appended to ``anomalies`` when a
    list is given (dicts: ``kind``, ``records``, ``description``, ``expected_correction``).
    All or nothing: the whole generation is one transaction. Returns the number of
    customers created.
    """
    if count < 0:
        raise ValueError("count must be zero or more")
    today = today or timezone.localdate()
    drawer = CustomerDrawer(
        workspace=workspace,
        seed=seed,
        today=today,
        owner=owner,
        invoice_start=Invoice.objects.in_workspace(workspace).count(),
        plates=set(Vehicle.objects.in_workspace(workspace).values_list("plate", flat=True)),
        identity_salt=Customer.objects.in_workspace(workspace).count(),
    )
    content_types = ContentType.objects.get_for_models(Invoice, Activity)
    with transaction.atomic():
        inserter = BulkInserter()
        done = 0
        while done < count:
            plans = [drawer.customer() for _ in range(min(CHUNK_SIZE, count - done))]
            _write(workspace, plans, inserter, content_types)
            done += len(plans)
            if progress is not None:
                progress(done, count)
        if count:
            inserter.insert(Lead, drawer.leads(max(3, count // 10)))
    if anomalies is not None:
        anomalies.extend(drawer.anomalies)
    return count


class _Known:
    """A person already in the base, as a lead drawn from them needs it."""

    def __init__(self, first_name, last_name, email, phone_mobile, phone_landline):
        self.contact = self
        self.first_name, self.last_name, self.email = first_name, last_name, email
        self.phone_mobile, self.phone_landline = phone_mobile, phone_landline


def generate_leads(*, workspace: Workspace, seed: int, today: date, count: int, owner=None) -> int:
    """Add ``count`` leads emitted on working days of the 21 days before ``today``.

    Every lead type is there when ``count`` is nine or more; about 15 % come from people
    already customers of ``workspace``. Sandboxes call it on creation and reset, so that leads
    are always recent. The same arguments give the same leads. Returns the number created.
    """
    if count < 0:
        raise ValueError("count must be zero or more")
    drawer = PeopleDrawer(workspace=workspace, seed=seed, today=today, owner=owner)
    # A seeded sample of the individuals in the base, by key order: stable across databases.
    people = Person.objects.in_workspace(workspace).filter(crm_customer__isnull=False)
    pks = list(people.order_by("pk").values_list("pk", flat=True))
    chosen = sorted(drawer.rng.sample(pks, min(len(pks), 200)))
    fields = ("first_name", "last_name", "email", "phone_mobile", "phone_landline")
    drawer.recent.extend(
        _Known(*row) for row in people.filter(pk__in=chosen).order_by("pk").values_list(*fields)
    )
    with transaction.atomic():
        BulkInserter().insert(Lead, drawer.leads(count))
    return count

"""Builders shared by the campaign tests: consenting customers, segments, a bulk base."""

import datetime
import itertools
import random

from django.utils import timezone

from relais.core.contacts.models import Person
from relais.crm.models import Customer, CustomerKind, Invoice, Segment
from tests.factories import CustomerFactory

ALL = {"match": "all", "conditions": [], "sort": []}


_numbers = itertools.count(10)


def consenting_customer(workspace, **person):
    """A customer reachable and consenting on every channel, with a mobile number and street
    of their own; override with ``person__…``."""
    n = next(_numbers)
    values = {
        "person__phone_mobile": f"06 12 34 {n // 100 % 100:02d} {n % 100:02d}",
        "person__consent_email": True,
        "person__consent_sms": True,
        "person__consent_mail": True,
        "person__street": f"{n} rue de la République",
        "person__postal_code": "69002",
        "person__city": "Lyon",
    }
    values.update(person)
    # The simulator draws from the hidden identity when there is one: a fixed key makes the
    # reactions of a test the same on every run (public ids are random).
    # (Numbered within the workspace, not by the process-wide counter, which depends on the
    # order tests run in.)
    # The stable id also holds the sort name, so the first name is fixed the same way (the
    # factory's numbered one follows the process-wide sequence, and so the test order).
    rank = Customer.objects.filter(workspace=workspace).count()
    values.setdefault("identity_key", f"test-{rank:05d}")
    values.setdefault("person__first_name", f"Prénom{rank}")
    return CustomerFactory(workspace=workspace, **values)


def segment(workspace, name="Tous les clients", definition=None):
    found, _created = Segment.objects.get_or_create(
        workspace=workspace, name=name, defaults={"definition": definition or dict(ALL)}
    )
    return found


def bulk_base(workspace, count: int, *, seed: int = 7, customers_share=0.5) -> list[Customer]:
    """``count`` consenting individuals written in bulk (factories are too slow for
    thousands), half of them customers with recent after-sales visits."""
    rng = random.Random(seed)
    people = Person.objects.bulk_create(
        [
            Person(
                workspace=workspace,
                civility=rng.choice(["M", "MME"]),
                first_name=f"Prénom{i}",
                last_name=f"Nom{i:05d}",
                birth_date=datetime.date(1940 + rng.randrange(60), 1 + rng.randrange(12), 10),
                email=f"client{i}@exemple.fr",
                phone_mobile=f"06 {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d} 00",
                street=f"{i} avenue Foch",
                postal_code="69006",
                city="Lyon",
                consent_email=True,
                consent_sms=True,
                consent_mail=True,
            )
            for i in range(count)
        ]
    )
    customers = Customer.objects.bulk_create(
        [
            Customer(
                workspace=workspace,
                kind=CustomerKind.INDIVIDUAL,
                person=person,
                status="customer" if rng.random() < customers_share else "prospect",
                sort_name=f"nom{i:05d}",
                identity_key=f"id{i:06d}",
            )
            for i, person in enumerate(people)
        ]
    )
    today = timezone.localdate()
    invoices = []
    for i, customer in enumerate(customers):
        if customer.status == "customer":
            for back in (400, 30 + i % 200):
                invoices.append(
                    Invoice(
                        workspace=workspace,
                        customer=customer,
                        kind="apv",
                        number=f"A{i:06d}-{back}",
                        issued_on=today - datetime.timedelta(days=back),
                        total_excl_tax=100,
                        total_incl_tax=120,
                    )
                )
    Invoice.objects.bulk_create(invoices)
    return customers

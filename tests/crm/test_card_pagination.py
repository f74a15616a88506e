"""A customer with a thousand related rows of every kind: each tab of the card holds one page
of them, links to the next, and stays small and fast (issue 12: a 152 kB card that took
seconds)."""

import datetime
import re
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from relais.core.contacts.models import CompanyContact, Person
from relais.core.interactions.models import Interaction
from relais.crm.models import (
    Activity,
    CustomerKind,
    Invoice,
    InvoiceKind,
    MileageReading,
    Note,
    Vehicle,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
ROWS = 1_000
PAGE = settings.RELAIS_PAGE_SIZE
# A page of 25 rows and the card around it; the unpaginated card was 152 kB.
MAX_BYTES = 120_000
# Generous: two cores shared by a whole test run; the unpaginated card took seconds.
MAX_SECONDS = 5.0
MAX_QUERIES = 70
DAY = datetime.date(2020, 1, 1)


def _days(n: int) -> list[datetime.date]:
    return [DAY + datetime.timedelta(days=i) for i in range(n)]


@pytest.fixture
def crowded(workspace, agent):
    """An individual with 1,000 vehicles, after-sales invoices, activities, notes, timeline
    entries, and 1,000 mileage readings on the newest vehicle."""
    customer = CustomerFactory(workspace=workspace)
    vehicles = Vehicle.objects.bulk_create(
        Vehicle(
            workspace=workspace,
            customer=customer,
            make="Renault",
            model=f"Clio {i:04d}",
            energy="petrol",
            first_registration_date=day,
        )
        for i, day in enumerate(_days(ROWS))
    )
    newest = vehicles[-1]
    Invoice.objects.bulk_create(
        Invoice(
            workspace=workspace,
            customer=customer,
            vehicle=newest,
            kind=InvoiceKind.AFTER_SALES,
            number=f"APV-{i:05d}",
            issued_on=day,
            total_excl_tax=Decimal("100.00"),
            total_incl_tax=Decimal("120.00"),
        )
        for i, day in enumerate(_days(ROWS))
    )
    MileageReading.objects.bulk_create(
        MileageReading(workspace=workspace, vehicle=newest, read_on=day, mileage=1000 + 30 * i)
        for i, day in enumerate(_days(ROWS))
    )
    moment = timezone.make_aware(datetime.datetime(2024, 1, 1, 10))
    Activity.objects.bulk_create(
        Activity(
            workspace=workspace,
            customer=customer,
            kind="call",
            direction="out",
            subject=f"Appel {i:04d}",
            occurred_at=moment + datetime.timedelta(hours=i),
            owner=agent,
        )
        for i in range(ROWS)
    )
    Note.objects.bulk_create(
        Note(workspace=workspace, customer=customer, author=agent, body=f"Note {i:04d}")
        for i in range(ROWS)
    )
    Interaction.objects.bulk_create(
        Interaction(
            workspace=workspace,
            person=customer.person,
            event_code="crm.activity.call",
            channel="phone",
            direction="out",
            topic=f"Échange {i:04d}",
            started_at=moment + datetime.timedelta(hours=i),
        )
        for i in range(ROWS)
    )
    return customer


@pytest.fixture
def crowded_company(workspace):
    company = CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    people = Person.objects.bulk_create(
        Person(workspace=workspace, first_name="Jean", last_name=f"CONTACT{i:04d}")
        for i in range(ROWS)
    )
    CompanyContact.objects.bulk_create(
        CompanyContact(company=company.company, person=person) for person in people
    )
    return company


TABS = [
    ("crm:customer-vehicles", "Clio "),
    ("crm:customer-invoices", "APV-"),
    ("crm:customer-aftersales", "APV-"),
    ("crm:customer-activities", "Appel "),
    ("crm:customer-notes", "Note "),
    ("crm:customer-timeline", "Échange "),
]


def _get(client, url, **params):
    started = time.perf_counter()
    response = client.get(url, params)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return response.content.decode(), elapsed


def test_every_tab_holds_one_page_and_links_to_the_next(
    agent_client, crowded, django_assert_max_num_queries
):
    _get(agent_client, reverse("crm:customer-detail", args=[crowded.public_id]))  # warm-up
    for url_name, marker in TABS:
        url = reverse(url_name, args=[crowded.public_id])
        # Bounded work whatever the number of rows: a page's queries, not one per row.
        with django_assert_max_num_queries(MAX_QUERIES):
            html, elapsed = _get(agent_client, url)
        shown = {token[:5] for token in html.split(marker)[1:] if token[:4].isdigit()}
        assert 0 < len(shown) <= PAGE, url_name
        assert 'rel="next"' in html and "Page 1 sur 40" in html, url_name
        assert len(html.encode()) < MAX_BYTES, (url_name, len(html.encode()))
        assert elapsed < MAX_SECONDS, (url_name, elapsed)
        # The last page exists and is as bounded.
        last, _elapsed = _get(agent_client, url, page=40)
        assert "Page 40 sur 40" in last and 'rel="prev"' in last, url_name

    # Vehicles: the latest readings of each, and how many older ones are not listed.
    html, _elapsed = _get(agent_client, reverse("crm:customer-vehicles", args=[crowded.public_id]))
    assert html.count("Relevés kilométriques — ") <= PAGE
    assert "975 relevés plus anciens ne sont pas listés" in html
    assert "26/09/2022" in html  # the newest reading (1 January 2020 + 999 days)

    # After-sales: the figures cover every invoice; the chart's points are thinned.
    html, _elapsed = _get(
        agent_client, reverse("crm:customer-aftersales", args=[crowded.public_id])
    )
    spaced = html.replace("\u202f", " ").replace("\xa0", " ")
    assert "100 000,00 €" in spaced  # 1,000 × 100 € excl. tax
    assert html.count('"km":') <= 200
    assert "1 000 relevés" in spaced  # the chart's label counts them all

    # Invoices: the totals cover every invoice, not the page.
    html, _elapsed = _get(agent_client, reverse("crm:customer-invoices", args=[crowded.public_id]))
    total = html.split('data-testid="invoices-total-incl-tax">')[1].split("<")[0]
    assert total.replace("\u202f", " ").replace("\xa0", " ") == "120 000,00 €"


def test_a_company_with_a_thousand_contacts_pages_them(agent_client, crowded_company):
    url = reverse("crm:customer-detail", args=[crowded_company.public_id])
    html, elapsed = _get(agent_client, url)
    names = set(re.findall(r"CONTACT\d{4}", html))
    assert len(names) == PAGE and "CONTACT0000" in names
    assert "Page 1 sur 40" in html and 'rel="next"' in html
    assert len(html.encode()) < MAX_BYTES

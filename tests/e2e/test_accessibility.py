"""axe-core on every page of the CRM, enumerated from the URL configuration.

Each page is opened with real records of the user's own workspace; axe-core (WCAG 2.0/2.1 A
and AA rules) must report no serious or critical violation. New pages are covered as they are
added to any URL namespace the isolation sweep covers (tests/test_isolation.py); the JSON API
has no pages.
"""

import datetime

import pytest
from django.urls import reverse

from relais.core.contacts.models import CompanyContact
from relais.core.jobs.models import Job, JobStatus
from relais.crm.models import CustomerKind, MileageReading
from relais.crm.services.deletion import customer_delete
from tests.e2e.conftest import axe_violations
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    LeadFactory,
    NoteFactory,
    PersonFactory,
    VehicleFactory,
)
from tests.isolation_extra import own_url_values
from tests.test_isolation import kwargs_for, list_patterns, record_patterns

pytestmark = pytest.mark.e2e


@pytest.fixture
def own_records(transactional_db, workspace, supervisor):
    customer = CustomerFactory(workspace=workspace, person__last_name="Accessible")
    company = CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    link = CompanyContact.objects.create(
        company=company.company,
        person=PersonFactory(workspace=workspace, last_name="Contact"),
        role="Gérant",
    )
    vehicle = VehicleFactory(customer=customer)
    invoice = InvoiceFactory(
        customer=customer,
        vehicle=vehicle,
        kind="apv",
        mileage=12000,
        issued_on=datetime.date(2024, 5, 2),
    )
    InvoiceLineFactory(invoice=invoice)
    second = InvoiceFactory(
        customer=customer,
        vehicle=vehicle,
        kind="apv",
        mileage=24000,
        issued_on=datetime.date(2025, 5, 2),
    )
    InvoiceLineFactory(invoice=second)
    for day, km in ((datetime.date(2024, 5, 2), 12000), (datetime.date(2025, 5, 2), 24000)):
        MileageReading.objects.create(workspace=workspace, vehicle=vehicle, read_on=day, mileage=km)
    reading = MileageReading.objects.create(
        workspace=workspace, vehicle=vehicle, read_on=datetime.date(2025, 6, 1), mileage=25000
    )
    job = Job.objects.create(
        owner=supervisor,
        workspace=workspace,
        kind="export",
        label="Export",
        status=JobStatus.RUNNING,
        total=10,
        done=4,
    )
    # A deletion of its own: the trash page lists it, crm:customer-restore takes its id.
    deletion = customer_delete(
        actor=supervisor,
        customer=CustomerFactory(workspace=workspace, person__last_name="Supprimé"),
    )
    return {
        "customer_id": customer.public_id,
        "company_customer_id": company.public_id,
        "contact_id": link.pk,
        "vehicle_id": vehicle.public_id,
        "reading_id": reading.public_id,
        "invoice_id": invoice.public_id,
        "activity_id": ActivityFactory(
            customer=customer, next_follow_up_on=datetime.date(2025, 1, 5)
        ).public_id,
        "note_id": NoteFactory(customer=customer).public_id,
        "lead_id": LeadFactory(workspace=workspace).public_id,
        "public_id": job.public_id,
        "entry_id": deletion.pk,
        "workspace_id": workspace.public_id,
        **own_url_values(workspace, supervisor),
    }


def _urls(records) -> list[str]:
    urls = [reverse("home")]
    urls += [reverse(f"{ns}:{p.name}") for ns, p in list_patterns() if ns != "api"]
    urls += [
        reverse("crm:customer-create") + "?type=company",
        reverse("crm:field-grid") + "?champ=particulier.phone_mobile",
    ]
    for ns, pattern in record_patterns():
        if ns == "api":
            continue  # JSON routes: no page to check
        values = dict(records)
        if "contact" in pattern.name:
            values["customer_id"] = records["company_customer_id"]
        urls.append(reverse(f"{ns}:{pattern.name}", kwargs=kwargs_for(ns, pattern, values)))
    return urls


def test_every_page_has_no_serious_accessibility_violation(page, login, supervisor, own_records):
    login(supervisor)
    failures, checked = [], 0
    for url in _urls(own_records):
        # Probe without navigating: a 405 or 404 would leave chromium on its error page and
        # interrupt the next navigation. POST-only endpoints and downloads are not pages.
        probe = page.request.get(url, max_redirects=0)
        if probe.status != 200 or "text/html" not in probe.headers.get("content-type", ""):
            continue
        response = page.goto(url)
        assert response.status == 200, url
        checked += 1
        for violation in axe_violations(page):
            targets = "; ".join(node["target"][0] for node in violation["nodes"][:3])
            failures.append(
                f"{url}: {violation['id']} ({violation['impact']}) {violation['help']} — {targets}"
            )
    assert checked >= 25, f"only {checked} pages could be checked"
    assert not failures, "\n".join(failures)

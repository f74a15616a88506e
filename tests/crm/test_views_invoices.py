"""Invoice screens: the customer's invoice tab, creating, reading, editing and deleting."""

import datetime
import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.crm.models import CustomerStatus, Invoice, MileageReading
from relais.crm.services.records import invoice_create
from tests.factories import CustomerFactory, InvoiceFactory, InvoiceLineFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def invoice_data(
    *,
    kind="apv",
    number="A-001",
    issued_on="2025-06-10",
    vehicle=None,
    mileage="15000",
    lines=None,
    blanks=2,
):
    """The POST of the invoice form: the invoice, its lines, then ``blanks`` empty lines."""
    lines = (
        lines
        if lines is not None
        else [("Vidange", "1", "89.90", "20"), ("Filtre à huile", "2", "12.50", "20")]
    )
    data = {
        "kind": kind,
        "number": number,
        "issued_on": issued_on,
        "vehicle": str(vehicle.public_id) if vehicle else "",
        "mileage": mileage,
        "lines-TOTAL_FORMS": str(len(lines) + blanks),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, (label, quantity, price, vat) in enumerate(lines):
        data.update(
            {
                f"lines-{index}-label": label,
                f"lines-{index}-quantity": quantity,
                f"lines-{index}-unit_price_excl_tax": price,
                f"lines-{index}-vat_rate": vat,
            }
        )
    for index in range(len(lines), len(lines) + blanks):
        data.update({f"lines-{index}-quantity": "1", f"lines-{index}-vat_rate": "20"})
    return data


@pytest.fixture
def customer(workspace):
    return CustomerFactory(
        workspace=workspace, person__first_name="Hélène", person__last_name="Martin"
    )


@pytest.fixture
def vehicle(customer):
    return VehicleFactory(customer=customer, plate="GH-456-JK")


def text(response) -> str:
    """The page as a reader sees it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


def create_url(customer, kind=""):
    url = reverse("crm:invoice-create", kwargs={"customer_id": customer.public_id})
    return f"{url}?type={kind}" if kind else url


def test_new_invoice_form_preselects_the_kind_offers_own_vehicles_and_three_empty_lines(
    agent_client, customer, vehicle, workspace
):
    stranger = VehicleFactory(customer=CustomerFactory(workspace=workspace), plate="ZZ-999-ZZ")
    response = agent_client.get(create_url(customer, "apv"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["kind"].value() == "apv"
    assert list(form.fields["vehicle"].queryset) == [vehicle]
    html = response.content.decode()
    assert "GH-456-JK" in html and "ZZ-999-ZZ" not in html
    assert stranger.public_id not in [v.public_id for v in form.fields["vehicle"].queryset]
    assert len(response.context["formset"].forms) >= 3
    assert "Ajouter une ligne" in html


def test_an_after_sales_invoice_is_totalled_turns_the_prospect_into_a_customer_and_records_the_mileage(
    agent_client, customer, vehicle
):
    assert customer.status == CustomerStatus.PROSPECT
    response = agent_client.post(create_url(customer), invoice_data(vehicle=vehicle), follow=True)

    invoice = Invoice.objects.get(number="A-001")
    assert response.redirect_chain[-1][0] == reverse(
        "crm:invoice-detail", kwargs={"invoice_id": invoice.public_id}
    )
    assert invoice.total_excl_tax == Decimal("114.90")
    assert invoice.total_incl_tax == Decimal("137.88")
    assert invoice.lines.count() == 2
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.CUSTOMER
    reading = MileageReading.objects.get(invoice=invoice)
    assert (reading.vehicle, reading.mileage, reading.read_on) == (
        vehicle,
        15000,
        datetime.date(2025, 6, 10),
    )
    html = response.content.decode()
    assert "Ce prospect est désormais client." in html
    assert "114,90" in html and "22,98" in html and "137,88" in html


def test_a_second_invoice_does_not_announce_the_status_again(
    agent_client, customer, vehicle, agent
):
    invoice_create(
        actor=agent,
        customer=customer,
        data={"kind": "parts", "number": "P-1", "issued_on": datetime.date(2025, 5, 2)},
        lines=[
            {
                "label": "Balais",
                "quantity": Decimal("1"),
                "unit_price_excl_tax": Decimal("20"),
                "vat_rate": Decimal("20"),
            }
        ],
    )
    response = agent_client.post(create_url(customer), invoice_data(vehicle=vehicle), follow=True)
    assert "Ce prospect est désormais client." not in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"mileage": ""}, "mileage", "Indiquez le kilométrage relevé lors du passage à l'atelier."),
        (
            {"issued_on": "2025-07-01"},
            "issued_on",
            "Une facture ne peut pas être datée dans le futur.",
        ),
        ({"lines": [("Vidange", "1", "-5", "20")]}, None, "supérieure ou égale à 0"),
    ],
)
def test_invoice_form_errors_are_in_french_and_nothing_is_saved(
    agent_client, customer, vehicle, changes, field, message
):
    lines = changes.pop("lines", None)
    response = agent_client.post(
        create_url(customer), invoice_data(vehicle=vehicle, lines=lines, **changes)
    )
    assert response.status_code == 200
    assert message in text(response)
    if field:
        assert message in response.context["form"].errors[field]
    assert not Invoice.objects.exists()
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.PROSPECT


def test_a_duplicate_number_is_refused(agent_client, customer, vehicle):
    InvoiceFactory(customer=customer, number="A-001")
    response = agent_client.post(create_url(customer), invoice_data(vehicle=vehicle))
    assert "Le numéro de facture A-001 existe déjà." in response.context["form"].errors["number"]
    assert Invoice.objects.count() == 1


def test_a_vehicle_of_another_customer_is_refused(agent_client, customer, workspace):
    neighbour_vehicle = VehicleFactory(customer=CustomerFactory(workspace=workspace))
    response = agent_client.post(create_url(customer), invoice_data(vehicle=neighbour_vehicle))
    errors = response.context["form"].errors["vehicle"]
    assert errors and "Sélectionnez un choix valide" in errors[0]
    assert not Invoice.objects.exists()


def test_an_invoice_without_any_line_is_refused(agent_client, customer, vehicle):
    response = agent_client.post(
        create_url(customer), invoice_data(vehicle=vehicle, lines=[], blanks=3)
    )
    assert "Une facture compte au moins une ligne." in text(response)
    assert not Invoice.objects.exists()


def test_adding_a_line_keeps_what_was_typed_and_reports_no_error(agent_client, customer, vehicle):
    data = invoice_data(
        vehicle=vehicle, number="", lines=[("Vidange", "1", "89.90", "20")], blanks=2
    )
    data["add_line"] = "1"
    response = agent_client.post(create_url(customer), data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 4
    assert formset.forms[0]["label"].value() == "Vidange"
    assert not response.context["form"].is_bound
    assert "Le formulaire contient des erreurs" not in response.content.decode()
    assert not Invoice.objects.exists()


def test_editing_replaces_the_lines_and_the_totals(agent_client, customer, vehicle, agent):
    invoice = invoice_create(
        actor=agent,
        customer=customer,
        data={
            "kind": "apv",
            "number": "A-7",
            "issued_on": datetime.date(2025, 6, 1),
            "vehicle": vehicle,
            "mileage": 10000,
        },
        lines=[
            {
                "label": "Vidange",
                "quantity": Decimal("1"),
                "unit_price_excl_tax": Decimal("80"),
                "vat_rate": Decimal("20"),
            }
        ],
    )
    url = reverse("crm:invoice-edit", kwargs={"invoice_id": invoice.public_id})
    assert agent_client.get(url).status_code == 200
    data = invoice_data(
        vehicle=vehicle,
        number="A-7",
        issued_on="2025-06-01",
        mileage="10500",
        lines=[("Pneus", "4", "100", "20")],
    )
    response = agent_client.post(url, data)
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.total_excl_tax == Decimal("400.00")
    assert [line.label for line in invoice.lines.all()] == ["Pneus"]
    assert MileageReading.objects.get(invoice=invoice).mileage == 10500


def test_deleting_the_last_invoice_turns_the_customer_back_into_a_prospect(
    supervisor_client, customer, vehicle, supervisor
):
    invoice = invoice_create(
        actor=supervisor,
        customer=customer,
        data={"kind": "parts", "number": "P-9", "issued_on": datetime.date(2025, 6, 1)},
        lines=[
            {
                "label": "Ampoule",
                "quantity": Decimal("2"),
                "unit_price_excl_tax": Decimal("5"),
                "vat_rate": Decimal("20"),
            }
        ],
    )
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.CUSTOMER
    url = reverse("crm:invoice-delete", kwargs={"invoice_id": invoice.public_id})
    assert "Supprimer définitivement" in supervisor_client.get(url).content.decode()

    response = supervisor_client.post(url, follow=True)

    assert not Invoice.objects.exists()
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.PROSPECT
    assert "il redevient prospect" in response.content.decode()


def test_an_agent_may_not_delete_an_invoice(agent_client, customer):
    invoice = InvoiceFactory(customer=customer)
    url = reverse("crm:invoice-delete", kwargs={"invoice_id": invoice.public_id})
    page = agent_client.get(url)
    assert page.status_code == 200
    assert "Votre rôle ne permet pas de supprimer une facture" in page.content.decode()
    assert agent_client.post(url).status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_the_invoice_tab_lists_invoices_with_totals_per_kind_and_overall(agent_client, customer):
    InvoiceFactory(
        customer=customer,
        kind="apv",
        number="A-1",
        total_excl_tax=Decimal("100"),
        total_incl_tax=Decimal("120"),
    )
    InvoiceFactory(
        customer=customer,
        kind="apv",
        number="A-2",
        total_excl_tax=Decimal("50"),
        total_incl_tax=Decimal("60"),
    )
    InvoiceFactory(
        customer=customer,
        kind="vn",
        number="V-1",
        total_excl_tax=Decimal("20000"),
        total_incl_tax=Decimal("24000"),
    )
    response = agent_client.get(
        reverse("crm:customer-invoices", kwargs={"customer_id": customer.public_id})
    )
    assert response.status_code == 200
    per_kind = {t.kind: t for t in response.context["totals_per_kind"]}
    assert set(per_kind) == {"apv", "vn"}
    assert per_kind["apv"].count == 2 and per_kind["apv"].excl_tax == Decimal("150")
    assert response.context["total"].incl_tax == Decimal("24180")
    html = response.content.decode()
    assert "A-1" in html and "V-1" in html
    assert "24\u202f180,00" in html or "24 180,00" in html or "24\xa0180,00" in html


def test_the_invoice_tab_has_an_empty_state(agent_client, customer):
    response = agent_client.get(
        reverse("crm:customer-invoices", kwargs={"customer_id": customer.public_id})
    )
    assert "Aucune facture pour ce client" in response.content.decode()


def _tab_queries(client, customer) -> int:
    url = reverse("crm:customer-invoices", kwargs={"customer_id": customer.public_id})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_invoice_tab_makes_as_many_queries_for_50_invoices_as_for_5(agent_client, workspace):
    small, large = CustomerFactory(workspace=workspace), CustomerFactory(workspace=workspace)
    for customer, count in ((small, 5), (large, 50)):
        for _ in range(count):
            InvoiceLineFactory(
                invoice=InvoiceFactory(
                    customer=customer, kind="apv", vehicle=VehicleFactory(customer=customer)
                )
            )
    _tab_queries(agent_client, small)  # warm the session and the content types
    assert _tab_queries(agent_client, small) == _tab_queries(agent_client, large)


def test_a_script_in_a_line_label_is_escaped(agent_client, customer):
    invoice = InvoiceFactory(customer=customer)
    InvoiceLineFactory(invoice=invoice, label="<script>alert(1)</script>")
    response = agent_client.get(
        reverse("crm:invoice-detail", kwargs={"invoice_id": invoice.public_id})
    )
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_another_workspaces_invoices_are_not_found(agent_client, other_workspace):
    stranger = CustomerFactory(workspace=other_workspace)
    invoice = InvoiceFactory(customer=stranger)
    vehicle = VehicleFactory(customer=stranger)
    for name, kwargs in (
        ("crm:customer-invoices", {"customer_id": stranger.public_id}),
        ("crm:invoice-create", {"customer_id": stranger.public_id}),
        ("crm:invoice-detail", {"invoice_id": invoice.public_id}),
        ("crm:invoice-edit", {"invoice_id": invoice.public_id}),
        ("crm:invoice-delete", {"invoice_id": invoice.public_id}),
    ):
        url = reverse(name, kwargs=kwargs)
        assert agent_client.get(url).status_code == 404, name
        posted = agent_client.post(url, invoice_data(vehicle=vehicle, number="X-1"))
        assert posted.status_code in (404, 405), name
    assert Invoice.objects.filter(workspace=other_workspace).count() == 1
    assert not Invoice.objects.filter(number="X-1").exists()

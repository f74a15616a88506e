"""Lead screens: the filtered list, a lead's form, deletion and conversion into a customer."""

import datetime
import html

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from relais.core.interactions.models import Interaction
from relais.crm.models import Customer, CustomerSource, CustomerStatus, Lead, LeadStatus
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

LIST = "/crm/leads/"
# The lead factory's default phone (07 11 …) is no allocated French number: conversion
# would refuse it, so the leads converted here carry a real mobile number.
MOBILE = "06 12 34 56 78"


def lead_data(**changes):
    data = {
        "first_name": "Nora",
        "last_name": "Benali",
        "email": "nora.benali@exemple.fr",
        "phone": "0731223344",
        "lead_type": "test_drive",
        "emitted_at": "2025-06-14T09:15",
        "vehicle_of_interest": "Peugeot 3008 hybride",
        "message": "Disponible le samedi.",
        "status": "new",
    }
    data.update(changes)
    return data


def test_the_list_url(agent_client):
    assert reverse("crm:lead-list") == LIST
    assert agent_client.get(LIST).status_code == 200


def test_creating_a_lead(agent_client, workspace):
    response = agent_client.post(reverse("crm:lead-create"), lead_data(), follow=True)
    assert response.redirect_chain[-1][0] == LIST
    lead = Lead.objects.get()
    assert lead.workspace == workspace
    assert lead.phone == "07 31 22 33 44"
    assert lead.emitted_at == timezone.make_aware(datetime.datetime(2025, 6, 14, 9, 15))
    page = html.unescape(response.content.decode())
    assert "BENALI" in page and "Demande d'essai" in page and "Peugeot 3008 hybride" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "12"}, "phone", "n'est pas un numéro de téléphone valide"),
        (
            {"emitted_at": "2025-07-01T10:00"},
            "emitted_at",
            "Un lead ne peut pas être émis dans le futur.",
        ),
        ({"last_name": ""}, "last_name", "Ce champ est obligatoire."),
        ({"email": "nora@"}, "email", "Saisissez une adresse de courriel valide."),
    ],
)
def test_lead_errors_are_in_french(agent_client, changes, field, message):
    response = agent_client.post(reverse("crm:lead-create"), lead_data(**changes))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Lead.objects.exists()


def test_the_list_filters_by_type_and_status(agent_client, workspace):
    LeadFactory(workspace=workspace, last_name="Essai", lead_type="test_drive")
    LeadFactory(workspace=workspace, last_name="Devis", lead_type="quote")
    LeadFactory(workspace=workspace, last_name="Perdu", lead_type="quote", status="lost")
    names = lambda response: {lead.last_name for lead in response.context["page_obj"]}  # noqa: E731
    assert names(agent_client.get(LIST, {"type": "quote"})) == {"Devis", "Perdu"}
    assert names(agent_client.get(LIST, {"type": "quote", "statut": "new"})) == {"Devis"}
    assert names(agent_client.get(LIST, {"statut": "nimporte"})) == {"Essai", "Devis", "Perdu"}


def test_the_list_is_paginated_and_shows_the_columns(agent_client, workspace, settings):
    for _ in range(30):
        LeadFactory(workspace=workspace, vehicle_of_interest="Clio")
    response = agent_client.get(LIST)
    assert len(response.context["page_obj"]) == settings.RELAIS_PAGE_SIZE
    page = html.unescape(response.content.decode())
    for header in ("Émis le", "Nom", "Type", "E-mail", "Téléphone", "Véhicule recherché", "Statut"):
        assert f">{header}</th>" in page
    assert "01/06/2025 09:30" in page
    assert len(agent_client.get(LIST, {"page": 2}).context["page_obj"]) == 5


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_makes_as_many_queries_for_50_leads_as_for_5(
    agent_client, workspace, agent, settings
):
    settings.RELAIS_PAGE_SIZE = 100
    for _ in range(5):
        LeadFactory(workspace=workspace, phone=MOBILE)
    agent_client.post(
        reverse("crm:lead-convert", kwargs={"lead_id": Lead.objects.first().public_id})
    )
    _list_queries(agent_client)
    few = _list_queries(agent_client)
    for _ in range(45):
        LeadFactory(workspace=workspace)
    assert _list_queries(agent_client) == few


def test_converting_a_lead_creates_a_prospect_and_logs_the_lead(agent_client, workspace, agent):
    lead = LeadFactory(
        workspace=workspace,
        first_name="Nora",
        last_name="Benali",
        vehicle_of_interest="Peugeot 3008",
        phone=MOBILE,
    )
    response = agent_client.post(reverse("crm:lead-convert", kwargs={"lead_id": lead.public_id}))

    lead.refresh_from_db()
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response.url == reverse(
        "crm:customer-detail", kwargs={"customer_id": customer.public_id}
    )
    assert lead.customer == customer
    assert lead.status == LeadStatus.CONVERTED
    assert lead.get_status_display() == "Converti en fiche"
    assert (customer.workspace, customer.status, customer.source) == (
        workspace,
        CustomerStatus.PROSPECT,
        CustomerSource.LEAD,
    )
    assert customer.person.last_name == "Benali"
    assert customer.person.phone_mobile == MOBILE
    interaction = Interaction.objects.get(person=customer.person)
    assert interaction.topic == "Demande d'essai — Peugeot 3008"
    assert interaction.started_at == lead.emitted_at


def test_a_lead_is_converted_once(agent_client, workspace):
    lead = LeadFactory(workspace=workspace, phone=MOBILE)
    url = reverse("crm:lead-convert", kwargs={"lead_id": lead.public_id})
    agent_client.post(url)
    response = agent_client.post(url, follow=True)
    assert "Ce lead a déjà été converti." in html.unescape(response.content.decode())
    assert Customer.objects.count() == 1


def test_conversion_is_a_post(agent_client, workspace):
    lead = LeadFactory(workspace=workspace)
    assert (
        agent_client.get(
            reverse("crm:lead-convert", kwargs={"lead_id": lead.public_id})
        ).status_code
        == 405
    )
    assert not Customer.objects.exists()


def test_editing_a_lead(agent_client, workspace):
    lead = LeadFactory(workspace=workspace)
    url = reverse("crm:lead-edit", kwargs={"lead_id": lead.public_id})
    assert agent_client.get(url).status_code == 200
    assert agent_client.post(url, lead_data(status="contacted")).status_code == 302
    lead.refresh_from_db()
    assert (lead.last_name, lead.status) == ("Benali", "contacted")


def test_deleting_a_lead_needs_the_delete_permission(agent_client, supervisor, workspace):
    lead = LeadFactory(workspace=workspace)
    url = reverse("crm:lead-delete", kwargs={"lead_id": lead.public_id})
    assert "Votre rôle ne permet pas" in html.unescape(agent_client.get(url).content.decode())
    assert agent_client.post(url).status_code == 403
    supervisor_client = Client()
    supervisor_client.force_login(supervisor)
    assert supervisor_client.post(url).status_code == 302
    assert not Lead.objects.exists()


def test_a_script_in_a_lead_is_escaped(agent_client, workspace):
    LeadFactory(
        workspace=workspace,
        last_name="<script>alert(1)</script>",
        vehicle_of_interest="<script>x</script>",
    )
    page = agent_client.get(LIST).content.decode()
    assert "<script>alert(1)</script>" not in page.lower() and "<script>x</script>" not in page


def test_another_workspaces_leads_are_not_found(agent_client, other_workspace):
    lead = LeadFactory(workspace=other_workspace, last_name="Secret")
    for name in ("crm:lead-edit", "crm:lead-delete", "crm:lead-convert"):
        url = reverse(name, kwargs={"lead_id": lead.public_id})
        assert agent_client.get(url).status_code in (404, 405), name
        assert agent_client.post(url, lead_data(last_name="Pirate")).status_code == 404, name
    lead.refresh_from_db()
    assert (lead.last_name, lead.status, lead.customer) == ("Secret", "new", None)
    assert "Secret" not in agent_client.get(LIST).content.decode()


def test_a_service_error_is_tied_to_its_control(agent_client):
    """The phone is refused by the service, after the form's own validation: the control is
    still marked invalid and described by its error list."""
    response = agent_client.post(reverse("crm:lead-create"), lead_data(phone="12"))
    widget = response.context["form"].fields["phone"].widget
    assert widget.attrs["aria-invalid"] == "true"
    assert "is-invalid" in widget.attrs["class"]
    assert "id_phone_error" in widget.attrs["aria-describedby"]
    assert 'id="id_phone_error"' in response.content.decode()

"""Note screens: the notes tab (latest known facts, then dated notes) and note CRUD."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from relais.crm.models import Note
from tests.factories import CustomerFactory, NoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(workspace):
    return CustomerFactory(workspace=workspace)


def tab_url(customer):
    return reverse("crm:customer-notes", kwargs={"customer_id": customer.public_id})


def note_data(**changes):
    data = {
        "wished_vehicles": "Break hybride",
        "projects": "Remplacer la citadine en septembre",
        "expectations": "Coffre spacieux",
        "household_size": "4",
        "interests": "Randonnée",
        "daily_mileage_km": "60",
        "body": "",
    }
    data.update(changes)
    return data


def test_creating_a_note(agent_client, customer, agent):
    response = agent_client.post(
        reverse("crm:note-create", kwargs={"customer_id": customer.public_id}), note_data()
    )
    assert response.status_code == 302
    note = Note.objects.get()
    assert (note.customer, note.author, note.household_size, note.daily_mileage_km) == (
        customer,
        agent,
        4,
        60,
    )


def test_an_empty_note_is_refused_in_french(agent_client, customer):
    empty = dict.fromkeys(note_data(), "")
    response = agent_client.post(
        reverse("crm:note-create", kwargs={"customer_id": customer.public_id}), empty
    )
    assert response.status_code == 200
    assert "Une note vide n'est pas enregistrée" in html.unescape(response.content.decode())
    assert not Note.objects.exists()


def test_an_implausible_household_is_refused(agent_client, customer):
    response = agent_client.post(
        reverse("crm:note-create", kwargs={"customer_id": customer.public_id}),
        note_data(household_size="40"),
    )
    assert "inférieure ou égale à 20" in response.context["form"].errors["household_size"][0]


def test_the_summary_shows_the_latest_known_value_of_each_fact(agent_client, customer, fixed_clock):
    fixed_clock.move_to("2025-03-01 10:00")
    NoteFactory(
        customer=customer,
        household_size=3,
        daily_mileage_km=30,
        wished_vehicles="Citadine",
        interests="Cinéma",
    )
    fixed_clock.move_to("2025-05-01 10:00")
    NoteFactory(
        customer=customer, household_size=5, daily_mileage_km=None, wished_vehicles="", interests=""
    )
    fixed_clock.move_to("2025-06-15 10:00")

    response = agent_client.get(tab_url(customer))

    summary = {item["name"]: item["value"] for item in response.context["summary"]}
    assert summary == {
        "household_size": 5,
        "daily_mileage_km": 30,
        "wished_vehicles": "Citadine",
        "interests": "Cinéma",
    }
    page = html.unescape(response.content.decode())
    assert "noté le 01/05/2025" in page and "noté le 01/03/2025" in page


def test_editing_and_deleting_a_note(agent_client, supervisor, customer):
    supervisor_client = Client()
    supervisor_client.force_login(supervisor)
    note = NoteFactory(customer=customer)
    edit = reverse("crm:note-edit", kwargs={"note_id": note.public_id})
    assert agent_client.get(edit).status_code == 200
    assert agent_client.post(edit, note_data(wished_vehicles="Monospace")).status_code == 302
    note.refresh_from_db()
    assert note.wished_vehicles == "Monospace"

    delete = reverse("crm:note-delete", kwargs={"note_id": note.public_id})
    assert agent_client.post(delete).status_code == 403
    assert supervisor_client.post(delete).status_code == 302
    assert not Note.objects.exists()


def test_the_tab_has_an_empty_state(agent_client, customer):
    page = html.unescape(agent_client.get(tab_url(customer)).content.decode())
    assert "Aucune note sur ce client" in page and "Non renseigné" in page


def test_a_script_in_a_note_is_escaped(agent_client, customer):
    NoteFactory(
        customer=customer, body="<script>alert(1)</script>", wished_vehicles="<script>x</script>"
    )
    page = agent_client.get(tab_url(customer)).content.decode()
    assert "<script>alert(1)</script>" not in page and "<script>x</script>" not in page


def test_another_workspaces_notes_are_not_found(agent_client, other_workspace):
    stranger = CustomerFactory(workspace=other_workspace)
    note = NoteFactory(customer=stranger, body="Secret")
    for name, kwargs in (
        ("crm:customer-notes", {"customer_id": stranger.public_id}),
        ("crm:note-create", {"customer_id": stranger.public_id}),
        ("crm:note-edit", {"note_id": note.public_id}),
        ("crm:note-delete", {"note_id": note.public_id}),
    ):
        url = reverse(name, kwargs=kwargs)
        assert agent_client.get(url).status_code == 404, name
        assert agent_client.post(url, note_data(body="Pirate")).status_code in (404, 405), name
    note.refresh_from_db()
    assert note.body == "Secret"
    assert Note.objects.count() == 1

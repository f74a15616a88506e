"""Activity screens: the customer's activity tab, and logging, editing, deleting activities."""

import datetime
import html

import pytest
from django.test import Client
from django.urls import reverse

from relais.core.interactions.models import Interaction
from relais.crm.models import Activity
from tests.factories import ActivityFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(workspace):
    return CustomerFactory(workspace=workspace)


def tab_url(customer):
    return reverse("crm:customer-activities", kwargs={"customer_id": customer.public_id})


def activity_data(**changes):
    data = {
        "kind": "call",
        "direction": "out",
        "occurred_at": "2025-06-14T15:30",
        "subject": "Proposition d'essai",
        "body": "Intéressée par un essai du SUV.",
        "owner": "",
        "outcome": "interested",
        "next_follow_up_on": "2025-06-20",
    }
    data.update(changes)
    return data


def test_logging_an_activity_shows_it_in_the_tab_and_in_the_history(agent_client, customer, agent):
    response = agent_client.post(
        reverse("crm:activity-create", kwargs={"customer_id": customer.public_id}),
        activity_data(owner=str(agent.pk)),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == tab_url(customer)
    activity = Activity.objects.get()
    assert activity.subject == "Proposition d'essai"
    assert activity.owner == agent
    assert activity.next_follow_up_on == datetime.date(2025, 6, 20)
    assert Interaction.objects.filter(person=customer.person, topic="Proposition d'essai").exists()
    page = html.unescape(response.content.decode())
    assert "Proposition d'essai" in page and "Intéressé" in page and "20/06/2025" in page


def test_the_new_activity_form_defaults_to_now_and_to_the_current_user(
    agent_client, customer, agent
):
    response = agent_client.get(
        reverse("crm:activity-create", kwargs={"customer_id": customer.public_id})
    )
    form = response.context["form"]
    assert form["owner"].value() == agent.pk
    assert 'value="2025-06-15T10:00"' in response.content.decode()


def test_a_follow_up_before_the_activity_is_refused_in_french(agent_client, customer):
    response = agent_client.post(
        reverse("crm:activity-create", kwargs={"customer_id": customer.public_id}),
        activity_data(next_follow_up_on="2025-06-01"),
    )
    assert response.status_code == 200
    assert (
        "La relance ne peut pas précéder l'activité."
        in response.context["form"].errors["next_follow_up_on"]
    )
    assert not Activity.objects.exists()


def test_a_missing_subject_is_reported(agent_client, customer):
    response = agent_client.post(
        reverse("crm:activity-create", kwargs={"customer_id": customer.public_id}),
        activity_data(subject=""),
    )
    assert response.context["form"].errors["subject"] == ["Ce champ est obligatoire."]


def test_due_and_overdue_follow_ups_are_flagged_in_words(agent_client, customer):
    ActivityFactory(
        customer=customer, subject="En retard", next_follow_up_on=datetime.date(2025, 6, 10)
    )
    ActivityFactory(
        customer=customer, subject="Aujourd'hui", next_follow_up_on=datetime.date(2025, 6, 15)
    )
    ActivityFactory(
        customer=customer, subject="Plus tard", next_follow_up_on=datetime.date(2025, 7, 1)
    )
    page = html.unescape(agent_client.get(tab_url(customer)).content.decode())
    assert page.count("Relance en retard") == 1
    assert page.count("Relance aujourd'hui") == 1


def test_editing_an_activity(agent_client, customer):
    activity = ActivityFactory(customer=customer)
    url = reverse("crm:activity-edit", kwargs={"activity_id": activity.public_id})
    assert agent_client.get(url).status_code == 200
    response = agent_client.post(url, activity_data(subject="Rappel confirmé", outcome="reached"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.subject, activity.outcome) == ("Rappel confirmé", "reached")


def test_deleting_an_activity_needs_the_delete_permission(agent_client, supervisor, customer):
    supervisor_client = Client()
    supervisor_client.force_login(supervisor)
    activity = ActivityFactory(customer=customer)
    url = reverse("crm:activity-delete", kwargs={"activity_id": activity.public_id})
    assert "Votre rôle ne permet pas" in html.unescape(agent_client.get(url).content.decode())
    assert agent_client.post(url).status_code == 403
    assert "Supprimer définitivement" in supervisor_client.get(url).content.decode()
    assert supervisor_client.post(url).status_code == 302
    assert not Activity.objects.exists()


def test_the_tab_has_an_empty_state(agent_client, customer):
    assert "Aucune activité" in html.unescape(agent_client.get(tab_url(customer)).content.decode())


def test_a_script_in_a_subject_is_escaped(agent_client, customer):
    ActivityFactory(customer=customer, subject="<script>alert(1)</script>")
    page = agent_client.get(tab_url(customer)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_another_workspaces_activities_are_not_found(agent_client, other_workspace):
    stranger = CustomerFactory(workspace=other_workspace)
    activity = ActivityFactory(customer=stranger, subject="Secret")
    for name, kwargs in (
        ("crm:customer-activities", {"customer_id": stranger.public_id}),
        ("crm:activity-create", {"customer_id": stranger.public_id}),
        ("crm:activity-edit", {"activity_id": activity.public_id}),
        ("crm:activity-delete", {"activity_id": activity.public_id}),
    ):
        url = reverse(name, kwargs=kwargs)
        assert agent_client.get(url).status_code == 404, name
        assert agent_client.post(url, activity_data(subject="Pirate")).status_code in (404, 405), (
            name
        )
    activity.refresh_from_db()
    assert activity.subject == "Secret"
    assert Activity.objects.count() == 1

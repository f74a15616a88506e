"""Bulk cleaning: the rules, the preview (which changes nothing), apply as one batch, undo."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relais.core.audit.models import AuditEntry
from relais.core.contacts.models import Company, Person
from relais.core.exceptions import NotFound
from relais.crm.dedup.cleaning import (
    capitalise_name,
    city_name,
    clean_postcode,
    cleaning_apply,
    cleaning_preview,
    cleaning_undo,
    format_phone,
)
from relais.crm.models import CleaningBatch, Customer, CustomerKind
from tests.factories import CustomerFactory


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("jean-pierre DUPONT", "Jean-Pierre Dupont"),
        ("MARIE DE LA TOUR", "Marie de la Tour"),
        ("d'ARTAGNAN", "D'Artagnan"),
        ("  hélène   lefèvre ", "Hélène Lefèvre"),
        ("McDonald", "McDonald"),  # mixed case is a choice: left alone
    ],
)
def test_capitalise_name(raw, clean):
    assert capitalise_name(raw) == clean


def test_phone_postcode_and_city_rules():
    assert format_phone("0612345678", "national") == "06 12 34 56 78"
    assert format_phone("06.12.34.56.78", "e164") == "+33612345678"
    assert format_phone("12 34", "national") is None
    assert clean_postcode("75 011") == "75011"
    assert clean_postcode("1000") == "01000"
    assert clean_postcode("99999") is None
    assert city_name("69003", "Lyon 3e") == "Lyon"
    assert city_name("69003", "LYON") == "Lyon"
    assert city_name("42000", "st etienne") == "Saint-Étienne"
    assert city_name("75011", "Lyon") is None
    assert city_name("44000", "") == "Nantes"
    # A city already written as its commune's name is left alone.
    assert city_name("44000", "Nantes") == "Nantes"


@pytest.fixture
def messy(workspace):
    customer = CustomerFactory(
        workspace=workspace,
        person__first_name="jean-pierre",
        person__last_name="DUPONT",
        person__phone_mobile="0612345678",
        person__postal_code="69003",
        person__city="lyon 3e",
    )
    bad = CustomerFactory(
        workspace=workspace,
        person__first_name="Anne",
        person__last_name="Martin",
        person__phone_mobile="06 00",
        person__postal_code="75011",
        person__city="Marseille",
    )
    company = CustomerFactory(
        workspace=workspace,
        kind=CustomerKind.COMPANY,
        company__legal_name="GARAGE DU CENTRE",
        company__phone_landline="0478000000",
    )
    return customer, bad, company


OPS = ["phones", "names", "postcodes", "cities"]


def test_preview_lists_changes_and_warnings_and_changes_nothing(workspace, agent, messy):
    customer, bad, company = messy
    before = list(Person.objects.values_list("pk", "updated_at", "first_name"))
    preview = cleaning_preview(workspace=workspace, user=agent, operations=OPS)
    changes = {(c.customer_id, c.field): (c.before, c.after) for c in preview.changes}
    key = str(customer.public_id)
    assert changes[(key, "first_name")] == ("jean-pierre", "Jean-Pierre")
    assert changes[(key, "last_name")] == ("DUPONT", "Dupont")
    assert changes[(key, "phone_mobile")] == ("0612345678", "06 12 34 56 78")
    assert changes[(key, "city")] == ("lyon 3e", "Lyon")
    assert changes[(str(company.public_id), "phone_landline")] == ("0478000000", "04 78 00 00 00")
    assert (str(company.public_id), "legal_name") not in changes  # companies keep their case
    reasons = {(w["customer_id"], w["reason"]) for w in preview.warnings}
    assert (str(bad.public_id), "numéro non valide") in reasons
    assert any(r.startswith("ville sans rapport") for _, r in reasons)
    assert preview.counts["Prénom"] == 1
    assert list(Person.objects.values_list("pk", "updated_at", "first_name")) == before


def test_apply_then_undo_the_whole_batch(workspace, agent, messy):
    customer, _bad, company = messy
    preview = cleaning_preview(workspace=workspace, user=agent, operations=OPS)
    batch = cleaning_apply(
        actor=agent,
        workspace=workspace,
        changes=preview.changes,
        operations=OPS,
        fingerprint=preview.fingerprint,
    )
    person = Person.objects.get(pk=customer.person_id)
    assert (person.first_name, person.last_name, person.city) == ("Jean-Pierre", "Dupont", "Lyon")
    assert person.phone_mobile == "06 12 34 56 78"
    assert Company.objects.get(pk=company.company_id).phone_landline == "04 78 00 00 00"
    assert batch.change_count == len(preview.changes)
    assert AuditEntry.objects.filter(action="crm.cleaning").count() == 1
    assert "lyon" in Customer.objects.get(pk=customer.pk).search_document

    # A value edited after the cleaning is not overwritten by the undo.
    Person.objects.filter(pk=customer.person_id).update(last_name="Durand")
    restored = cleaning_undo(actor=agent, batch=batch)
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.city) == (
        "jean-pierre",
        "Durand",
        "lyon 3e",
    )
    assert person.phone_mobile == "0612345678"
    assert restored == batch.change_count - 1
    with pytest.raises(ValidationError, match="déjà été annulé"):
        cleaning_undo(actor=agent, batch=batch)


def test_apply_refuses_a_stale_preview(workspace, agent, messy):
    preview = cleaning_preview(workspace=workspace, user=agent, operations=["names"])
    with pytest.raises(ValidationError, match="La base a changé"):
        cleaning_apply(
            actor=agent,
            workspace=workspace,
            changes=preview.changes[:1],
            fingerprint=preview.fingerprint,
        )
    assert not CleaningBatch.objects.exists()


def test_unknown_operation_is_refused(workspace, agent):
    with pytest.raises(ValidationError, match="au moins une opération"):
        cleaning_preview(workspace=workspace, user=agent, operations=["<script>"])


def test_another_workspace_is_never_read_or_changed(workspace, other_workspace, agent, messy):
    foreign = CustomerFactory(workspace=other_workspace, person__first_name="paul")
    preview = cleaning_preview(workspace=workspace, user=agent, operations=["names"])
    assert str(foreign.public_id) not in {c.customer_id for c in preview.changes}
    with pytest.raises(NotFound):
        cleaning_preview(workspace=other_workspace, user=agent, operations=["names"])
    # A forged change naming the foreign person is ignored.
    forged = {
        "customer_id": str(foreign.public_id),
        "customer_name": "x",
        "contact": "person",
        "contact_pk": foreign.person_id,
        "field": "first_name",
        "before": "paul",
        "after": "Pirate",
    }
    cleaning_apply(actor=agent, workspace=workspace, changes=[forged])
    assert Person.objects.get(pk=foreign.person_id).first_name == "paul"


def test_cleaning_screen_preview_apply_undo(agent_client, workspace, messy):
    customer = messy[0]
    url = reverse("crm:cleaning")
    assert "Voir l'aperçu" in agent_client.get(url).content.decode()
    preview = agent_client.get(url, {"operations": ["names", "cities"]})
    html = preview.content.decode()
    assert "jean-pierre" in html and "Jean-Pierre" in html and "Appliquer" in html
    assert Person.objects.get(pk=customer.person_id).first_name == "jean-pierre"
    fingerprint = preview.context["preview"].fingerprint
    done = agent_client.post(
        url,
        {
            "operations": ["names", "cities"],
            "format_telephone": "national",
            "empreinte": fingerprint,
        },
        follow=True,
    )
    assert "valeurs corrigées" in done.content.decode()
    assert Person.objects.get(pk=customer.person_id).first_name == "Jean-Pierre"
    batch = CleaningBatch.objects.get()
    undo = agent_client.post(reverse("crm:cleaning-undo", kwargs={"batch_id": batch.public_id}))
    assert undo.status_code == 302
    assert Person.objects.get(pk=customer.person_id).first_name == "jean-pierre"


def test_cleaning_screen_requires_an_operation(agent_client):
    response = agent_client.get(reverse("crm:cleaning"), {"operations": []})
    assert response.status_code == 200
    response = agent_client.post(reverse("crm:cleaning"), {})
    assert "Choisissez au moins une opération" in response.content.decode()


def test_a_large_cleaning_runs_as_a_background_job(
    agent_client, workspace, messy, monkeypatch, django_capture_on_commit_callbacks
):
    from relais.core.jobs.models import Job, JobStatus
    from relais.crm.dedup import views

    monkeypatch.setattr(views, "BACKGROUND_CLEANING", 0)
    customer = messy[0]
    url = reverse("crm:cleaning")
    preview = agent_client.get(url, {"operations": ["names"]}).context["preview"]
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            url,
            {
                "operations": ["names"],
                "format_telephone": "national",
                "empreinte": preview.fingerprint,
            },
        )
    job = Job.objects.get(kind="crm.dedup.cleaning")
    assert response.url == reverse("jobs:job-detail", kwargs={"public_id": job.public_id})
    assert job.status == JobStatus.SUCCEEDED and "valeurs corrigées" in job.message
    assert Person.objects.get(pk=customer.person_id).first_name == "Jean-Pierre"
    assert CleaningBatch.objects.get().change_count == len(preview.changes)

"""Customer screens through the HTTP client: list, create, edit, delete, the card's tabs."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.core.contacts.models import CompanyContact, Person
from relais.core.interactions.models import Channel, Direction
from relais.core.interactions.services import record
from relais.crm.models import Customer, CustomerKind, CustomerStatus
from relais.crm.services.customers import customer_reindex
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    InvoiceFactory,
    NoteFactory,
    PersonFactory,
    UserFactory,
    VehicleFactory,
)

LIST_URL = reverse("crm:customer-list")


def text(response) -> str:
    """The page as a person reads it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


def query_count(client, url, **params) -> int:
    client.get(url, params)  # warm up: session and other first-request writes
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def individual_payload(**overrides) -> dict:
    data = {
        "civility": "MME",
        "first_name": "Hélène",
        "last_name": "Dupré",
        "birth_date": "1980-05-17",
        "profession": "Infirmière",
        "street": "12 rue Oberkampf",
        "address_complement": "",
        "postal_code": "75011",
        "city": "Paris",
        "phone_landline": "",
        "phone_mobile": "0612345678",
        "email": "helene.dupre@exemple.fr",
        "consent_email": "on",
        "source": "showroom",
        "dealership": "Paris 11",
        "owner": "",
    }
    data.update(overrides)
    return data


def company_payload(**overrides) -> dict:
    data = {
        "legal_name": "Transports Martin",
        "trade_name": "TM Logistique",
        "siren": "732829320",
        "siret": "73282932000074",
        "naf_code": "4941a",
        "company_type": "SAS",
        "parent": "",
        "fleet_size": "11-25",
        "street": "5 quai Augagneur",
        "address_complement": "",
        "postal_code": "69003",
        "city": "Lyon",
        "phone_landline": "04 78 00 00 00",
        "phone_mobile": "",
        "email": "flotte@transports-martin.fr",
        "source": "fleet",
        "dealership": "Lyon",
        "owner": "",
    }
    data.update(overrides)
    return data


# --- List ---------------------------------------------------------------------------------------


def test_list_shows_customers_with_count_and_columns(agent_client, workspace):
    customer = CustomerFactory(
        workspace=workspace, person__first_name="Hélène", person__last_name="Dupré"
    )
    CustomerFactory(
        workspace=workspace, kind=CustomerKind.COMPANY, company__legal_name="Garage Ouest"
    )
    response = agent_client.get(LIST_URL)
    page = text(response)
    assert response.status_code == 200
    assert "2 clients" in page
    assert reverse("crm:customer-detail", args=[customer.public_id]) in page
    assert "Hélène DUPRÉ" in page
    assert "Garage Ouest" in page
    assert "Prospect" in page  # the status is written, not only coloured
    assert "helene" in page.lower()
    assert 'role="search"' in page
    assert '<label class="form-label" for="id_q">' in page
    assert "Nouveau particulier" in page and "Nouvelle société" in page
    assert "Exporter (CSV)" in page


def test_search_by_name_ignores_accents_and_case(agent_client, workspace):
    CustomerFactory(workspace=workspace, person__first_name="Hélène", person__last_name="Dupré")
    CustomerFactory(workspace=workspace, person__first_name="Marc", person__last_name="Durand")
    response = agent_client.get(LIST_URL, {"q": "HELENE dupre"})
    names = [c.display_name for c in response.context["page_obj"]]
    assert names == ["Hélène DUPRÉ"]
    assert "1 client" in text(response)


def test_search_by_phone_in_another_format(agent_client, workspace):
    CustomerFactory(
        workspace=workspace, person__last_name="Mobile", person__phone_mobile="07 98 76 54 32"
    )
    CustomerFactory(workspace=workspace, person__last_name="Autre")
    response = agent_client.get(LIST_URL, {"q": "+33798765432"})
    assert [c.person.last_name for c in response.context["page_obj"]] == ["Mobile"]


def test_search_by_plate_in_another_format(agent_client, workspace):
    owner = CustomerFactory(workspace=workspace, person__last_name="Conducteur")
    VehicleFactory(customer=owner, plate="GH-456-JK")
    customer_reindex(customer=owner)
    CustomerFactory(workspace=workspace, person__last_name="Piéton")
    response = agent_client.get(LIST_URL, {"q": "gh456jk"})
    assert [c.person.last_name for c in response.context["page_obj"]] == ["Conducteur"]


def test_filters_by_status_and_kind(agent_client, workspace):
    CustomerFactory(workspace=workspace, person__last_name="Prospecte")
    client_customer = CustomerFactory(workspace=workspace, person__last_name="Acheteur")
    Customer.objects.filter(pk=client_customer.pk).update(status=CustomerStatus.CUSTOMER)
    CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY, company__legal_name="Société X")
    response = agent_client.get(LIST_URL, {"statut": "customer"})
    assert [c.person.last_name for c in response.context["page_obj"]] == ["Acheteur"]
    response = agent_client.get(LIST_URL, {"type": "company"})
    assert [c.display_name for c in response.context["page_obj"]] == ["Société X"]
    response = agent_client.get(LIST_URL, {"statut": "n'importe quoi"})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 3


def test_sort_by_name_descending_marks_the_header(agent_client, workspace):
    for name in ("Bernard", "Alain", "Claude"):
        CustomerFactory(workspace=workspace, person__first_name="", person__last_name=name)
    ascending = agent_client.get(LIST_URL)
    assert [c.person.last_name for c in ascending.context["page_obj"]] == [
        "Alain",
        "Bernard",
        "Claude",
    ]
    assert 'aria-sort="ascending"' in text(ascending)
    descending = agent_client.get(LIST_URL, {"tri": "-nom"})
    assert [c.person.last_name for c in descending.context["page_obj"]] == [
        "Claude",
        "Bernard",
        "Alain",
    ]
    page = text(descending)
    assert 'aria-sort="descending"' in page
    assert "?tri=nom" in page  # the sorted header links to the other direction


def test_sort_by_creation_date(agent_client, workspace, fixed_clock):
    CustomerFactory(workspace=workspace, person__last_name="Ancien")
    fixed_clock.shift(datetime.timedelta(days=1))
    CustomerFactory(workspace=workspace, person__last_name="Récent")
    response = agent_client.get(LIST_URL, {"tri": "-creation"})
    assert [c.person.last_name for c in response.context["page_obj"]] == ["Récent", "Ancien"]


def test_pagination_25_a_page_keeps_the_search(agent_client, workspace):
    for n in range(30):
        CustomerFactory(workspace=workspace, person__last_name=f"Martin{n:02d}")
    first = agent_client.get(LIST_URL, {"q": "martin"})
    assert len(first.context["page_obj"].object_list) == 25
    page = text(first)
    assert "30 clients" in page
    assert 'aria-label="Pagination"' in page
    assert "Page 1 sur 2" in page
    assert "q=martin&page=2" in page
    second = agent_client.get(LIST_URL, {"q": "martin", "page": 2})
    assert len(second.context["page_obj"].object_list) == 5


def test_empty_workspace_invites_to_create(agent_client, workspace):
    page = text(agent_client.get(LIST_URL))
    assert "Aucun client pour l'instant" in page
    assert reverse("crm:customer-create") + "?type=individual" in page


def test_search_without_match_offers_to_clear(agent_client, workspace):
    CustomerFactory(workspace=workspace)
    page = text(agent_client.get(LIST_URL, {"q": "zzzzzz"}))
    assert "Aucun client ne correspond à votre recherche" in page
    assert "Effacer la recherche" in page


def test_htmx_search_returns_only_the_results(agent_client, workspace):
    CustomerFactory(workspace=workspace, person__last_name="Partiel")
    response = agent_client.get(LIST_URL, {"q": "partiel"}, headers={"HX-Request": "true"})
    page = text(response)
    assert "<html" not in page
    assert "PARTIEL" in page
    assert 'hx-swap-oob="innerHTML"' in page
    assert "HX-Request" in response["Vary"]


def test_list_query_count_does_not_grow_with_rows(
    agent_client, workspace, django_assert_max_num_queries
):
    for _ in range(5):
        CustomerFactory(workspace=workspace)
    CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    small = query_count(agent_client, LIST_URL)
    for _ in range(55):
        CustomerFactory(workspace=workspace)
    CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    large = query_count(agent_client, LIST_URL)
    assert small == large
    with django_assert_max_num_queries(14):  # +2: the modules of the navigation
        agent_client.get(LIST_URL, {"q": "dupont", "tri": "-ville"})


def test_script_in_a_name_is_escaped_on_list_and_card(agent_client, workspace):
    customer = CustomerFactory(workspace=workspace, person__last_name="<script>alert(1)</script>")
    for url in (LIST_URL, reverse("crm:customer-detail", args=[customer.public_id])):
        content = agent_client.get(url).content.decode()
        assert "<script>alert(1)" not in content.lower()
        assert "&lt;script&gt;alert(1)" in content.lower()


# --- Create and edit ----------------------------------------------------------------------------


def test_create_individual(agent_client, workspace, agent):
    url = reverse("crm:customer-create") + "?type=individual"
    form = agent_client.get(url)
    assert form.status_code == 200
    page = text(form)
    assert "<legend" in page and "Consentements à la prospection" in page
    assert '<label class="form-label" for="id_owner">' in page
    response = agent_client.post(url, individual_payload(owner=agent.pk), follow=True)
    customer = Customer.objects.get(workspace=workspace)
    assert response.redirect_chain[-1][0] == reverse(
        "crm:customer-detail", args=[customer.public_id]
    )
    page = text(response)
    assert "La fiche de Hélène DUPRÉ a été créée." in page
    assert "45 ans" in page
    person = customer.person
    assert customer.kind == CustomerKind.INDIVIDUAL and customer.status == CustomerStatus.PROSPECT
    assert person.phone_mobile == "06 12 34 56 78"
    assert person.consent_email and not person.consent_sms
    assert customer.owner == agent and customer.dealership == "Paris 11"


def test_create_company(agent_client, workspace):
    url = reverse("crm:customer-create") + "?type=company"
    assert "Raison sociale" in text(agent_client.get(url))
    response = agent_client.post(url, company_payload())
    customer = Customer.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert customer.kind == CustomerKind.COMPANY
    assert customer.company.naf_code == "49.41A"
    assert customer.company.legal_name == "Transports Martin"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone_mobile": "12345"}, "n'est pas un numéro de téléphone valide"),
        ({"phone_mobile": "01 42 00 00 00"}, "n'est pas un numéro de portable"),
        ({"postal_code": "7501"}, "Le code postal doit compter 5 chiffres"),
        ({"postal_code": "00000"}, "Le code postal 00000 n'existe pas."),
        ({"city": "Lyon"}, "La ville « Lyon » ne correspond pas au code postal 75011."),
        ({"email": "pas-un-email"}, "Saisissez une adresse e-mail valide"),
        ({"birth_date": "2030-01-01"}, "La date de naissance ne peut pas être dans le futur."),
        ({"last_name": ""}, "Ce champ est obligatoire."),
    ],
)
def test_individual_form_rejects_wrong_values(agent_client, workspace, overrides, message):
    url = reverse("crm:customer-create") + "?type=individual"
    response = agent_client.post(url, individual_payload(**overrides))
    assert response.status_code == 200
    page = text(response)
    assert "Le formulaire contient des erreurs" in page
    assert page.count(message) == 2  # listed at the top and next to the field
    assert 'aria-invalid="true"' in page
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"siren": "732829321"},
            "Le SIREN 732829321 n'est pas valide (clé de contrôle incorrecte).",
        ),
        ({"siret": "73282932000075"}, "Le SIRET 73282932000075 n'est pas valide"),
        ({"siren": "", "siret": "7328293200"}, "Le SIRET compte 14 chiffres."),
        ({"naf_code": "00.00Z"}, "« 00.00Z » n'est pas un code NAF (format 45.11Z)."),
        ({"phone_landline": "04 78"}, "n'est pas un numéro de téléphone"),
        ({"postal_code": "69003", "city": "Paris"}, "ne correspond pas au code postal 69003"),
    ],
)
def test_company_form_rejects_wrong_values(agent_client, workspace, overrides, message):
    url = reverse("crm:customer-create") + "?type=company"
    response = agent_client.post(url, company_payload(**overrides))
    assert response.status_code == 200
    assert message in text(response)
    assert not Customer.objects.exists()


def test_edit_individual_updates_and_keeps_consent_date(agent_client, workspace):
    customer = CustomerFactory(workspace=workspace, person__last_name="Avant")
    url = reverse("crm:customer-edit", args=[customer.public_id])
    page = text(agent_client.get(url))
    assert 'value="Avant"' in page
    assert 'aria-current="page"' in page
    response = agent_client.post(url, individual_payload(last_name="Après", consent_sms="on"))
    assert response.status_code == 302
    customer.refresh_from_db()
    customer.person.refresh_from_db()
    assert customer.person.last_name == "Après"
    assert customer.person.consent_sms
    assert customer.person.consent_updated_at is not None


def test_edit_shows_service_errors(agent_client, workspace):
    customer = CustomerFactory(workspace=workspace)
    url = reverse("crm:customer-edit", args=[customer.public_id])
    response = agent_client.post(url, individual_payload(postal_code="75011", city="Marseille"))
    assert response.status_code == 200
    assert "ne correspond pas au code postal" in text(response)
    customer.person.refresh_from_db()
    assert customer.person.city == "Paris"


def test_crafted_parent_company_of_another_workspace_is_refused(
    agent_client, workspace, other_workspace
):
    foreign = CustomerFactory(workspace=other_workspace, kind=CustomerKind.COMPANY)
    own = CustomerFactory(
        workspace=workspace, kind=CustomerKind.COMPANY, company__legal_name="Filiale"
    )
    url = reverse("crm:customer-create") + "?type=company"
    response = agent_client.post(url, company_payload(parent=foreign.company.pk))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
    edit = reverse("crm:customer-edit", args=[own.public_id])
    response = agent_client.post(edit, company_payload(parent=foreign.company.pk))
    assert response.status_code == 200
    own.company.refresh_from_db()
    assert own.company.parent_id is None
    assert Customer.objects.filter(workspace=workspace).count() == 1


def test_parent_company_choices_are_this_workspace_only(agent_client, workspace, other_workspace):
    CustomerFactory(
        workspace=other_workspace, kind=CustomerKind.COMPANY, company__legal_name="Mère étrangère"
    )
    mother = CustomerFactory(
        workspace=workspace, kind=CustomerKind.COMPANY, company__legal_name="Mère locale"
    )
    page = text(agent_client.get(reverse("crm:customer-create") + "?type=company"))
    assert "Mère locale" in page and "Mère étrangère" not in page
    response = agent_client.post(
        reverse("crm:customer-create") + "?type=company",
        company_payload(parent=mother.company.pk, siren="", siret=""),
    )
    assert response.status_code == 302
    assert (
        Customer.objects.exclude(pk=mother.pk).get(workspace=workspace).company.parent
        == mother.company
    )


def test_crafted_owner_of_another_workspace_is_refused(agent_client, workspace, other_agent):
    url = reverse("crm:customer-create") + "?type=individual"
    response = agent_client.post(url, individual_payload(owner=other_agent.pk))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
    assert not Customer.objects.exists()


def test_owner_choices_are_members_of_the_workspace(
    agent_client, workspace, agent, supervisor, other_agent
):
    page = text(agent_client.get(reverse("crm:customer-create")))
    assert supervisor.display_name in page
    assert other_agent.display_name not in page


# --- Delete -------------------------------------------------------------------------------------


def test_agent_cannot_delete(agent_client, workspace):
    customer = CustomerFactory(workspace=workspace)
    detail = text(agent_client.get(reverse("crm:customer-detail", args=[customer.public_id])))
    assert reverse("crm:customer-delete", args=[customer.public_id]) not in detail
    response = agent_client.post(reverse("crm:customer-delete", args=[customer.public_id]))
    assert response.status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_supervisor_sees_what_goes_and_deletes(supervisor_client, workspace):
    customer = CustomerFactory(workspace=workspace, person__last_name="Partant")
    VehicleFactory(customer=customer)
    VehicleFactory(customer=customer)
    InvoiceFactory(customer=customer)
    ActivityFactory(customer=customer)
    NoteFactory(customer=customer)
    url = reverse("crm:customer-delete", args=[customer.public_id])
    assert url in text(
        supervisor_client.get(reverse("crm:customer-detail", args=[customer.public_id]))
    )
    page = text(supervisor_client.get(url))
    assert "2 véhicules" in page
    assert "1 facture" in page and "1 activité" in page and "1 note" in page
    response = supervisor_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == LIST_URL
    assert "PARTANT a été supprimée." in text(response)
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not Person.objects.filter(pk=customer.person_id).exists()


# --- Card tabs ----------------------------------------------------------------------------------


def test_identity_tab_of_an_individual(agent_client, workspace, agent):
    customer = CustomerFactory(
        workspace=workspace,
        person__first_name="Jean",
        person__last_name="Valjean",
        person__birth_date=datetime.date(1990, 6, 16),
        person__profession="Jardinier",
        dealership="Montreuil",
        owner=agent,
    )
    response = agent_client.get(reverse("crm:customer-detail", args=[customer.public_id]))
    page = text(response)
    assert response.context["active_tab"] == "identity"
    assert "<h1" in page and "Jean VALJEAN" in page
    assert "34 ans" in page  # 35 tomorrow
    assert "Jardinier" in page and "Montreuil" in page and agent.display_name in page
    assert "Visite en concession" in page
    assert reverse("crm:customer-coordinates", args=[customer.public_id]) in page
    assert reverse("crm:customer-vehicles", args=[customer.public_id]) in page
    assert reverse("crm:customer-timeline", args=[customer.public_id]) in page


def test_identity_tab_of_a_company_lists_its_contacts(agent_client, workspace):
    mother = CustomerFactory(
        workspace=workspace, kind=CustomerKind.COMPANY, company__legal_name="Holding"
    )
    customer = CustomerFactory(
        workspace=workspace, kind=CustomerKind.COMPANY, company__parent=mother.company
    )
    person = PersonFactory(workspace=workspace, first_name="Alice", last_name="Gérante")
    CompanyContact.objects.create(company=customer.company, person=person, role="Directrice")
    page = text(agent_client.get(reverse("crm:customer-detail", args=[customer.public_id])))
    assert "Holding" in page
    assert "Alice Gérante" in page and "Directrice" in page
    assert "73282932000074" in page and "49.41A" in page


def test_company_contact_add_edit_remove(agent_client, workspace):
    customer = CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    add = reverse("crm:company-contact-add", args=[customer.public_id])
    assert agent_client.get(add).status_code == 200
    bad = agent_client.post(add, {"last_name": "Durand", "phone_mobile": "123"})
    assert "n'est pas un numéro de téléphone valide" in text(bad)
    response = agent_client.post(
        add,
        {
            "civility": "M",
            "first_name": "Paul",
            "last_name": "Durand",
            "role": "Gestionnaire de flotte",
            "email": "paul@exemple.fr",
            "phone_mobile": "0611223344",
        },
    )
    assert response.status_code == 302
    link = CompanyContact.objects.get(company=customer.company)
    assert link.role == "Gestionnaire de flotte"
    edit = reverse("crm:company-contact-edit", args=[customer.public_id, link.pk])
    assert 'value="Durand"' in text(agent_client.get(edit))
    agent_client.post(edit, {"last_name": "Durand-Petit", "role": "Directeur"})
    link.refresh_from_db()
    assert link.person.last_name == "Durand-Petit" and link.role == "Directeur"
    delete = reverse("crm:company-contact-delete", args=[customer.public_id, link.pk])
    assert "Retirer le contact" in text(agent_client.get(delete))
    assert agent_client.post(delete).status_code == 302
    assert not CompanyContact.objects.filter(pk=link.pk).exists()


def test_contacts_of_an_individual_do_not_exist(agent_client, workspace):
    customer = CustomerFactory(workspace=workspace)
    assert (
        agent_client.get(reverse("crm:company-contact-add", args=[customer.public_id])).status_code
        == 404
    )


def test_coordinates_tab(agent_client, workspace, fixed_clock):
    customer = CustomerFactory(
        workspace=workspace,
        person__street="3 rue de la Paix",
        person__phone_landline="01 42 00 00 00",
        person__consent_sms=True,
        person__consent_updated_at=datetime.datetime(2025, 6, 1, 8, 0, tzinfo=datetime.UTC),
    )
    page = text(agent_client.get(reverse("crm:customer-coordinates", args=[customer.public_id])))
    assert "3 rue de la Paix" in page and "75011 Paris" in page
    assert 'href="tel:0142000000"' in page
    assert 'href="tel:0612345678"' in page
    assert f'href="mailto:{customer.person.email}"' in page
    assert page.count("Oui") == 1 and page.count("Non") == 3
    assert "01/06/2025 à 10:00" in page


def test_timeline_tab_newest_first_and_paginated(agent_client, workspace, agent):
    customer = CustomerFactory(workspace=workspace)
    base = datetime.datetime(2025, 1, 1, 9, 0, tzinfo=datetime.UTC)
    for n in range(30):
        record(
            workspace=workspace,
            event_code="crm.activity.logged",
            person=customer.person,
            channel=Channel.PHONE,
            direction=Direction.OUTBOUND,
            topic=f"Appel {n:02d}",
            started_at=base + datetime.timedelta(days=n),
            actor=agent,
            outcome="Joint",
        )
    url = reverse("crm:customer-timeline", args=[customer.public_id])
    response = agent_client.get(url)
    rows = list(response.context["page_obj"])
    assert len(rows) == 25 and rows[0].topic == "Appel 29"
    page = text(response)
    assert (
        "Téléphone" in page and "Sortant" in page and "Joint" in page and agent.display_name in page
    )
    assert "30 échanges" in page
    assert [i.topic for i in agent_client.get(url, {"page": 2}).context["page_obj"]][
        -1
    ] == "Appel 00"


def _make_contacts(customer, count):
    for _ in range(count):
        person = PersonFactory(workspace=customer.workspace)
        CompanyContact.objects.create(company=customer.company, person=person, role="Contact")


def _make_interactions(customer, count):
    for n in range(count):
        record(
            workspace=customer.workspace,
            event_code="crm.activity.logged",
            person=customer.person,
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            topic=f"Mail {n}",
            actor=UserFactory(),
        )


@pytest.mark.parametrize(
    ("tab", "kind", "grow"),
    [
        ("crm:customer-detail", CustomerKind.COMPANY, _make_contacts),
        ("crm:customer-coordinates", CustomerKind.INDIVIDUAL, _make_interactions),
        ("crm:customer-timeline", CustomerKind.INDIVIDUAL, _make_interactions),
    ],
)
def test_card_tab_query_count_does_not_grow(
    agent_client, workspace, tab, kind, grow, django_assert_max_num_queries
):
    customer = CustomerFactory(workspace=workspace, kind=kind)
    url = reverse(tab, args=[customer.public_id])
    grow(customer, 5)
    small = query_count(agent_client, url)
    grow(customer, 55)
    assert query_count(agent_client, url) == small
    with django_assert_max_num_queries(14):  # +2: the modules of the navigation
        agent_client.get(url)


# --- Isolation ----------------------------------------------------------------------------------


@pytest.fixture
def foreign(other_workspace):
    customer = CustomerFactory(workspace=other_workspace, person__last_name="Étranger")
    company = CustomerFactory(workspace=other_workspace, kind=CustomerKind.COMPANY)
    link = CompanyContact.objects.create(
        company=company.company, person=PersonFactory(workspace=other_workspace), role="Gérant"
    )
    return {"customer": customer, "company": company, "link": link}


@pytest.mark.parametrize(
    "name",
    [
        "customer-detail",
        "customer-coordinates",
        "customer-vehicles",
        "customer-timeline",
        "customer-edit",
        "customer-delete",
        "vehicle-create",
    ],
)
def test_another_workspaces_customer_is_not_found(supervisor_client, foreign, name):
    url = reverse(f"crm:{name}", args=[foreign["customer"].public_id])
    assert supervisor_client.get(url).status_code == 404
    assert supervisor_client.post(url, individual_payload(last_name="Pirate")).status_code in (
        404,
        405,
    )
    foreign["customer"].person.refresh_from_db()
    assert foreign["customer"].person.last_name == "Étranger"
    assert Customer.objects.filter(pk=foreign["customer"].pk).exists()


@pytest.mark.parametrize("name", ["company-contact-edit", "company-contact-delete"])
def test_another_workspaces_company_contact_is_not_found(supervisor_client, foreign, name):
    url = reverse(f"crm:{name}", args=[foreign["company"].public_id, foreign["link"].pk])
    assert supervisor_client.get(url).status_code == 404
    assert supervisor_client.post(url, {"last_name": "Pirate"}).status_code == 404
    add = reverse("crm:company-contact-add", args=[foreign["company"].public_id])
    assert supervisor_client.post(add, {"last_name": "Pirate"}).status_code == 404
    assert CompanyContact.objects.filter(company=foreign["company"].company).count() == 1


def test_a_contact_of_another_company_is_not_found_under_mine(agent_client, workspace, foreign):
    mine = CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)
    url = reverse("crm:company-contact-edit", args=[mine.public_id, foreign["link"].pk])
    assert agent_client.get(url).status_code == 404


def test_customer_card_leads_to_an_appointment_and_a_one_customer_campaign(agent_client, workspace):
    customer = CustomerFactory(workspace=workspace, person__last_name="Carte")
    page = agent_client.get(reverse("crm:customer-detail", args=[customer.public_id]))
    content = html.unescape(page.content.decode())
    appointment = f"{reverse('crm:appointment-create')}?customer={customer.public_id}"
    campaign = f"{reverse('crm:campaign-create')}?client={customer.public_id}"
    assert appointment in content and campaign in content
    # The campaign form opens on this customer alone.
    form = html.unescape(agent_client.get(campaign).content.decode())
    assert customer.display_name in form
    assert str(customer.public_id) in form

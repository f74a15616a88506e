"""The transverse field view: a field across every record, edited in place."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.crm.models import CustomerKind
from tests.factories import ActivityFactory, CustomerFactory, InvoiceFactory, VehicleFactory

pytestmark = pytest.mark.django_db

GRID = "/crm/champs/"


def grid_url(key: str, **params) -> str:
    query = "&".join(f"{name}={value}" for name, value in {"champ": key, **params}.items())
    return f"{GRID}?{query}"


def value_key(record) -> str:
    return f"r-{record.public_id}-value"


def test_the_catalogue_lists_every_entity_and_links_each_field(agent_client):
    assert reverse("crm:field-grid") == GRID
    response = agent_client.get(GRID)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    for entity in (
        "Client particulier",
        "Société",
        "Véhicule",
        "Facture",
        "Activité",
        "Note",
        "Lead",
    ):
        assert f">{entity}</h3>" in page
        assert f'<optgroup label="{entity}">' in page
    assert 'href="?champ=particulier.phone_mobile">Téléphone portable</a>' in page
    assert 'href="?champ=vehicule.plate">Immatriculation</a>' in page


def test_a_field_is_listed_across_the_workspaces_records(agent_client, workspace, other_workspace):
    martin = CustomerFactory(
        workspace=workspace,
        person__first_name="Paul",
        person__last_name="Martin",
        person__city="Paris",
    )
    durand = CustomerFactory(
        workspace=workspace,
        person__first_name="Léa",
        person__last_name="Durand",
        person__city="Paris",
    )
    CustomerFactory(workspace=other_workspace, person__last_name="Étranger")
    CustomerFactory(workspace=workspace, kind=CustomerKind.COMPANY)

    response = agent_client.get(grid_url("particulier.city"))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.record for row in rows] == [durand, martin]
    page = html.unescape(response.content.decode())
    assert reverse("crm:customer-detail", kwargs={"customer_id": martin.public_id}) in page
    assert "Paul MARTIN" in page and "ÉTRANGER" not in page
    assert f'name="{value_key(martin)}"' in page and 'value="Paris"' in page
    assert f'aria-labelledby="col-value row-{martin.public_id}"' in page


def test_the_grid_filters_and_paginates_by_fifty(agent_client, workspace):
    for index in range(55):
        VehicleFactory(
            customer=CustomerFactory(workspace=workspace),
            make="Renault" if index % 5 else "Peugeot",
        )
    response = agent_client.get(grid_url("vehicule.make"))
    assert len(response.context["rows"]) == 50
    assert response.context["page_obj"].paginator.num_pages == 2
    filtered = agent_client.get(grid_url("vehicule.make", q="peug"))
    assert {row.record.make for row in filtered.context["rows"]} == {"Peugeot"}
    assert filtered.context["page_obj"].paginator.count == 11


def test_a_value_is_edited_in_place(agent_client, workspace):
    customer = CustomerFactory(workspace=workspace, person__phone_mobile="06 12 34 56 78")
    url = grid_url("particulier.phone_mobile")
    response = agent_client.post(url, {value_key(customer): "0731223344"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    customer.person.refresh_from_db()
    assert customer.person.phone_mobile == "07 31 22 33 44"
    assert "1 valeur enregistrée." in html.unescape(response.content.decode())


def test_a_bad_value_shows_the_french_error_on_its_row_and_keeps_the_other_rows_input(
    agent_client, workspace
):
    good = CustomerFactory(
        workspace=workspace, person__last_name="Aubert", person__phone_mobile="06 12 34 56 78"
    )
    bad = CustomerFactory(
        workspace=workspace, person__last_name="Bernard", person__phone_mobile="06 12 34 56 78"
    )
    untouched = CustomerFactory(
        workspace=workspace, person__last_name="Colin", person__phone_mobile="06 12 34 56 78"
    )

    response = agent_client.post(
        grid_url("particulier.phone_mobile"),
        {
            value_key(good): "07 31 22 33 44",
            value_key(bad): "12 34",
            value_key(untouched): "06 12 34 56 78",
        },
    )

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    bad.person.refresh_from_db()
    good.person.refresh_from_db()
    assert bad.person.phone_mobile == "06 12 34 56 78"
    assert good.person.phone_mobile == "07 31 22 33 44"
    row = re.search(rf'<tr id="grid-row-{bad.public_id}">.*?</tr>', page, re.S).group(0)
    assert "« 12 34 » n'est pas un numéro de téléphone valide" in row
    assert 'value="12 34"' in row and 'aria-invalid="true"' in row
    assert f'aria-describedby="id_r-{bad.public_id}-value_error"' in row
    assert "1 valeur n'a pas été enregistrée" in page
    assert "1 valeur enregistrée." in page


def test_an_invalid_value_changes_nothing(agent_client, workspace):
    vehicle = VehicleFactory(customer=CustomerFactory(workspace=workspace), plate="AB-123-CD")
    response = agent_client.post(grid_url("vehicule.plate"), {value_key(vehicle): "123"})
    assert "n'est pas une immatriculation valide" in html.unescape(response.content.decode())
    vehicle.refresh_from_db()
    assert vehicle.plate == "AB-123-CD"


def test_htmx_saves_one_row_and_answers_that_row(agent_client, workspace):
    vehicle = VehicleFactory(customer=CustomerFactory(workspace=workspace), plate="AB-123-CD")
    response = agent_client.post(
        grid_url("vehicule.plate"), {value_key(vehicle): "gh 456 jk"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    fragment = html.unescape(response.content.decode())
    assert fragment.lstrip().startswith(f'<tr id="grid-row-{vehicle.public_id}">')
    assert 'value="GH-456-JK"' in fragment and "Enregistré" in fragment
    assert 'hx-swap-oob="innerHTML"' in fragment
    vehicle.refresh_from_db()
    assert vehicle.plate == "GH-456-JK"

    refused = agent_client.post(
        grid_url("vehicule.plate"), {value_key(vehicle): "??"}, HTTP_HX_REQUEST="true"
    )
    assert "n'est pas une immatriculation valide" in html.unescape(refused.content.decode())


def test_each_row_button_posts_only_its_row_with_htmx(agent_client, workspace):
    vehicle = VehicleFactory(customer=CustomerFactory(workspace=workspace))
    page = agent_client.get(grid_url("vehicule.plate")).content.decode()
    assert f'hx-params="r-{vehicle.public_id}-value"' in page
    assert 'hx-target="closest tr"' in page and 'hx-swap="outerHTML"' in page


def test_a_computed_field_is_shown_but_not_editable(agent_client, workspace):
    invoice = InvoiceFactory(customer=CustomerFactory(workspace=workspace))
    response = agent_client.get(grid_url("facture.total_incl_tax"))
    page = html.unescape(response.content.decode())
    assert "120,00" in page and "ne se modifie pas" in page
    assert "<input" not in page.split('id="grid-heading"')[1]
    assert (
        agent_client.post(grid_url("facture.total_incl_tax"), {value_key(invoice): "1"}).status_code
        == 405
    )


def test_an_unknown_field_is_not_found(agent_client):
    assert (
        agent_client.get(grid_url("vehicule.nope")).status_code == 200
    )  # a bad choice shows the catalogue
    assert agent_client.post(grid_url("vehicule.nope"), {}).status_code == 404


def test_another_workspaces_record_in_the_post_is_not_found(
    agent_client, workspace, other_workspace
):
    mine = CustomerFactory(workspace=workspace, person__last_name="Avant")
    stranger = CustomerFactory(workspace=other_workspace, person__last_name="Secret")
    response = agent_client.post(
        grid_url("particulier.last_name"), {value_key(mine): "Après", value_key(stranger): "Pirate"}
    )
    assert response.status_code == 404
    mine.person.refresh_from_db()
    stranger.person.refresh_from_db()
    assert (mine.person.last_name, stranger.person.last_name) == ("Avant", "Secret")


def test_a_script_in_a_subject_is_escaped(agent_client, workspace):
    ActivityFactory(
        customer=CustomerFactory(workspace=workspace), subject="<script>alert(1)</script>"
    )
    page = agent_client.get(grid_url("activite.subject")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _grid_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "key", ["particulier.last_name", "vehicule.plate", "activite.owner", "lead.status"]
)
def test_the_grid_makes_as_many_queries_for_50_rows_as_for_5(agent_client, workspace, agent, key):
    from tests.factories import LeadFactory

    def add(count):
        for _ in range(count):
            customer = CustomerFactory(workspace=workspace)
            VehicleFactory(customer=customer)
            ActivityFactory(customer=customer, owner=agent)
            LeadFactory(workspace=workspace, customer=customer)

    url = grid_url(key)
    add(5)
    _grid_queries(agent_client, url)
    few = _grid_queries(agent_client, url)
    add(45)
    assert _grid_queries(agent_client, url) == few


@pytest.mark.parametrize("htmx", [False, True])
def test_a_row_key_spelt_another_way_is_read_as_its_record(agent_client, workspace, htmx):
    """``r-<UUID in capitals or without dashes>-value`` names the same record (never a crash)."""
    vehicle = VehicleFactory(customer=CustomerFactory(workspace=workspace))
    other_spelling = str(vehicle.public_id).replace("-", "").upper() + "----"
    headers = {"HX-Request": "true"} if htmx else {}
    response = agent_client.post(
        grid_url("vehicule.financing_months"),
        {f"r-{other_spelling}-value": "beaucoup"},
        headers=headers,
    )
    assert response.status_code == 200
    assert "Saisissez un nombre entier." in html.unescape(response.content.decode())

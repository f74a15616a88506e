"""Stored text is safe to write out, and text fields refuse what no one types: control
characters anywhere, more than the limit in long texts (said in the form)."""

import html
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relais.core.contacts.models import Person
from relais.core.downloads import xlsx_content
from relais.core.text import TEXT_MAX_LENGTH
from relais.crm.models import Customer, Note
from relais.crm.segments import services as segment_services
from relais.crm.services.records import note_create
from tests.crm.test_api import Api
from tests.crm.test_views_customers import individual_payload
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIMIT = "10\xa0000 caractères au plus."


def test_an_xlsx_export_writes_control_characters_safely():
    content = xlsx_content(
        [["Nom", "Note"], ["Du\x07pont\x0b", "ligne 1\nligne 2\tfin"], [3, None]],
        sheet_title="Clients",
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("Du\ufffdpont\ufffd", "ligne 1\nligne 2\tfin")
    assert rows[2] == (3, None)


def test_exporting_a_segment_of_a_customer_with_a_control_character(agent, workspace):
    customer = CustomerFactory(workspace=workspace)
    Person.objects.filter(pk=customer.person_id).update(last_name="Mar\x1btin")
    segment = segment_services.segment_create(
        actor=agent, workspace=workspace, name="Tous", definition={"conditions": []}
    )
    export = segment_services.segment_export(actor=agent, segment=segment, fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    values = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert any("MAR\ufffdTIN" in v.upper() for v in values)


def test_the_customer_form_refuses_a_control_character(agent_client, workspace, agent):
    url = reverse("crm:customer-create") + "?type=individual"
    response = agent_client.post(url, individual_payload(owner=agent.pk, last_name="Du\x07pré"))
    assert response.status_code == 200
    assert "caractère de contrôle invisible" in html.unescape(response.content.decode())
    assert not Customer.objects.filter(workspace=workspace).exists()


def test_the_api_refuses_a_control_character(client, agent, workspace):
    api = Api(client, agent, workspace)
    customer = CustomerFactory(workspace=workspace)
    response = api.post(f"customers/{customer.public_id}/notes", {"body": "Rappeler\x00 demain"})
    assert response.status_code in (400, 422)
    assert "caractère de contrôle" in response.json()["detail"]
    assert not Note.objects.exists()


def test_a_note_of_100000_characters_is_refused_everywhere(agent_client, client, agent, workspace):
    customer = CustomerFactory(workspace=workspace)
    with pytest.raises(ValidationError) as error:
        note_create(actor=agent, customer=customer, data={"body": "x" * 100_000})
    assert LIMIT in " ".join(error.value.message_dict["body"])
    url = reverse("crm:note-create", kwargs={"customer_id": customer.public_id})
    form = agent_client.get(url).content.decode()
    assert f'maxlength="{TEXT_MAX_LENGTH}"' in form
    assert LIMIT in html.unescape(form)  # said under the field
    response = agent_client.post(url, {"body": "x" * 100_000})
    assert response.status_code == 200 and LIMIT in html.unescape(response.content.decode())
    response = Api(client, agent, workspace).post(
        f"customers/{customer.public_id}/notes", {"body": "x" * 100_000}
    )
    assert response.status_code in (400, 422)
    assert not Note.objects.exists()
    note_create(actor=agent, customer=customer, data={"body": "x" * TEXT_MAX_LENGTH})
    assert Note.objects.count() == 1


def test_a_long_derived_search_text_never_blocks_an_update(agent, workspace):
    """A fleet's search text outgrows the limit of typed texts: it is derived, not checked."""
    from relais.core.contacts.services import person_update

    customer = CustomerFactory(workspace=workspace)
    Customer.objects.filter(pk=customer.pk).update(search_document="x" * (TEXT_MAX_LENGTH + 10))
    customer.refresh_from_db()
    customer.full_clean()
    person_update(actor=agent, person=customer.person, first_name="Paul")

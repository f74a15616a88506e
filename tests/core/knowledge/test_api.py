import uuid

import pytest

from relais.core.accounts.services import api_token_create


def headers(user):
    _token, key = api_token_create(user=user, name="kb")
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def entry(make_entry):
    return make_entry(
        "Qui verse l'allocation familiale ?", "La CAF verse les <b>allocations</b> familiales."
    )


def test_search_and_get(client, agent, entry, make_entry):
    make_entry("Brouillon d'allocation ?", "Texte.", publish=False)
    response = client.get(
        "/api/knowledge/search", {"q": "allocations familiale"}, headers=headers(agent)
    )
    assert response.status_code == 200
    [hit] = response.json()
    assert hit["entry"]["id"] == str(entry.public_id)
    assert hit["entry"]["status"] == "validated"
    assert "<mark>allocations</mark>" in hit["snippet"] and "&lt;b&gt;" in hit["snippet"]
    response = client.get(
        "/api/knowledge/search", {"q": "allocation", "status": "draft"}, headers=headers(agent)
    )
    assert [h["entry"]["status"] for h in response.json()] == ["draft"]
    response = client.get(f"/api/knowledge/entries/{entry.public_id}", headers=headers(agent))
    assert response.status_code == 200 and response.json()["question"] == entry.question


def test_hostile_query_and_bad_status(client, agent, entry):
    response = client.get("/api/knowledge/search", {"q": '"*NEAR(' * 500}, headers=headers(agent))
    assert response.status_code == 200
    response = client.get(
        "/api/knowledge/search", {"q": "x", "status": "nimporte"}, headers=headers(agent)
    )
    assert response.status_code == 422


def test_another_organization_gets_nothing(client, other_agent, entry):
    response = client.get(
        "/api/knowledge/search", {"q": "allocation"}, headers=headers(other_agent)
    )
    assert response.status_code == 200 and response.json() == []
    for entry_id in (entry.public_id, uuid.uuid4()):
        response = client.get(f"/api/knowledge/entries/{entry_id}", headers=headers(other_agent))
        assert response.status_code == 404


def test_anonymous_is_refused(client, entry):
    assert client.get("/api/knowledge/search", {"q": "allocation"}).status_code == 401

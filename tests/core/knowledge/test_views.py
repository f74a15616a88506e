import pytest
from django.urls import reverse

from relais.core.knowledge.models import Entry

LIST = reverse("knowledge:entry-list")


def url(name, entry):
    return reverse(f"knowledge:{name}", kwargs={"knowledge_entry_id": entry.public_id})


@pytest.fixture
def entry(make_entry):
    return make_entry(
        "Qui verse l'allocation familiale ?",
        "La **CAF** verse les allocations familiales. <script>alert(1)</script>",
    )


def test_list_and_search(agent_client, entry, make_entry, django_assert_max_num_queries):
    for i in range(5):
        make_entry(f"Question {i} ?", "Réponse.")
    with django_assert_max_num_queries(14):  # +2: the modules of the navigation
        response = agent_client.get(LIST)
    assert response.status_code == 200
    assert "Base de connaissances" in response.content.decode()
    response = agent_client.get(LIST, {"q": "allocations familiale"})
    page = response.content.decode()
    assert entry.question.replace("'", "&#x27;") in page
    assert "<mark>allocations</mark>" in page and "<script>alert" not in page
    assert agent_client.get(LIST, {"q": '"NEAR(*'}).status_code == 200
    assert agent_client.get(LIST, {"statut": "nimporte"}).status_code == 200


def test_detail_escapes_the_answer(agent_client, entry):
    page = agent_client.get(url("entry-detail", entry)).content.decode()
    assert "<strong>CAF</strong>" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_agent_creates_then_edits_a_draft(agent_client):
    response = agent_client.post(reverse("knowledge:entry-create"), {"question": "", "answer": ""})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    response = agent_client.post(
        reverse("knowledge:entry-create"),
        {
            "question": "Délai de paiement ?",
            "answer": "Trente jours.",
            "answer_format": "markdown",
            "origin": "article",
        },
    )
    entry = Entry.objects.get()
    assert response.status_code == 302 and response["Location"] == url("entry-detail", entry)
    assert entry.status == Entry.Status.DRAFT
    response = agent_client.post(
        url("entry-update", entry),
        {
            "question": "Délai de paiement ?",
            "answer": "Quarante jours.",
            "answer_format": "markdown",
            "origin": "article",
            "source_url": "pas une adresse",
        },
    )
    assert response.status_code == 200
    assert "Saisissez une URL valide." in response.content.decode()
    entry.refresh_from_db()
    assert entry.answer == "Trente jours."


def test_edit_of_validated_entry_suspends_it(agent_client, entry):
    response = agent_client.post(
        url("entry-update", entry),
        {
            "question": entry.question,
            "answer": "Autre texte.",
            "answer_format": "markdown",
            "origin": "article",
        },
        follow=True,
    )
    assert "suspendue jusqu" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUSPENDED


def test_publish_and_retract_are_post_only_and_need_validate(
    agent_client, supervisor, client, make_entry
):
    draft = make_entry("Q ?", "R.", publish=False)
    assert agent_client.get(url("entry-publish", draft)).status_code == 405
    assert agent_client.post(url("entry-publish", draft)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Entry.Status.DRAFT
    client.force_login(supervisor)
    assert client.post(url("entry-publish", draft)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Entry.Status.VALIDATED
    response = client.post(url("entry-retract", draft), {"reason": ""})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    response = client.post(url("entry-retract", draft), {"reason": "Obsolète", "archive": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Entry.Status.ARCHIVED
    response = client.post(url("entry-publish", draft), follow=True)
    assert "ne peut plus être publiée" in response.content.decode()


def test_another_organization_sees_nothing(client, other_agent, entry):
    client.force_login(other_agent)
    for name in ("entry-detail", "entry-update"):
        assert client.get(url(name, entry)).status_code == 404
    assert client.post(url("entry-publish", entry)).status_code == 404
    response = client.get(LIST, {"q": "allocation"})
    assert response.status_code == 200 and entry.question not in response.content.decode()


def test_anonymous_is_sent_to_login(client, entry):
    response = client.get(LIST)
    assert response.status_code == 302 and "/comptes/" in response["Location"]

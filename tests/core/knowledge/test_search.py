"""French full-text search of the knowledge base, on the core helper (relais.core.search)."""

import datetime

import pytest
from django.db import connection

from relais.core.exceptions import AccessDenied, NotFound
from relais.core.knowledge.models import Entry
from relais.core.knowledge.search import ENTRY_INDEX
from relais.core.knowledge.selectors import (
    entries_due_for_review,
    entries_list,
    entries_search,
    entry_get,
    public_entries_search,
    public_entry_get,
)
from relais.core.knowledge.services import entry_create, entry_retract, entry_update
from relais.core.search import prose_terms, snippet
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory


@pytest.fixture
def base(make_entry):
    return {
        "caf": make_entry(
            "Qui verse l'allocation familiale ?",
            "La caisse d'allocations familiales (CAF) verse l'allocation familiale "
            "à partir du deuxième enfant.",
            tags="famille, prestations",
        ),
        "secu": make_entry(
            "Comment joindre la Sécurité sociale ?",
            "Par téléphone au 3646 ou depuis votre compte en ligne.",
        ),
        "retraite": make_entry(
            "Quand demander sa retraite ?",
            "Quatre à six mois avant la date de départ souhaitée, auprès de la Carsat.",
            tags="retraite",
        ),
        "draft": make_entry(
            "Allocation de rentrée scolaire : montant ?",
            "Le montant dépend de l'âge de l'enfant.",
            publish=False,
        ),
    }


def found(hits):
    return [hit.entry for hit in hits]


def search(user, organization, query, **kwargs):
    return found(entries_search(user=user, organization=organization, query=query, **kwargs))


def test_inflection_and_accents(agent, organization, base):
    assert search(agent, organization, "allocations familiales") == [base["caf"]]
    assert search(agent, organization, "securite") == [base["secu"]]
    assert search(agent, organization, "SÉCURITÉ SOCIALES") == [base["secu"]]
    assert search(agent, organization, "retraites carsat") == [base["retraite"]]


def test_a_word_being_typed_meets_longer_words_a_whole_word_its_inflections(
    agent, organization, make_entry
):
    beneficiary = make_entry(
        "Qui est allocataire ?", "La personne qui perçoit une prestation de la CAF."
    )
    payment = make_entry("Quand a lieu le versement ?", "Le versement a lieu le 5 du mois.")
    version = make_entry("Quelle version du formulaire ?", "La version 2024 du formulaire Cerfa.")
    if connection.vendor == "sqlite":  # PostgreSQL matches whole stems only
        assert search(agent, organization, "allocat") == [beneficiary]
    assert search(agent, organization, "versements") == [payment]
    assert version not in search(agent, organization, "versement")


def test_every_meaningful_word_must_match_and_stop_words_are_ignored(agent, organization, base):
    assert search(agent, organization, "les allocations de la vieillesse") == []
    assert search(agent, organization, "la caisse des allocations") == [base["caf"]]
    assert search(agent, organization, "le la les") == []


def test_ranking_prefers_the_question(agent, organization, base, make_entry):
    aside = make_entry(
        "Que faire en cas de déménagement ?",
        "Prévenez votre caisse de retraite et les autres organismes.",
    )
    assert search(agent, organization, "retraite") == [base["retraite"], aside]


def test_status_filter_and_drafts(agent, organization, base):
    assert search(agent, organization, "allocation") == [base["caf"]]
    assert set(search(agent, organization, "allocation", status=None)) == {
        base["caf"],
        base["draft"],
    }
    assert search(agent, organization, "rentree", status=Entry.Status.DRAFT) == [base["draft"]]


def test_index_follows_edits_and_retraction(agent, supervisor, organization, base):
    entry_update(user=agent, entry=base["secu"], question="Comment joindre l'Urssaf ?")
    assert search(agent, organization, "urssaf", status=None) == [base["secu"]]
    assert search(agent, organization, "securite", status=None) == []
    assert search(agent, organization, "urssaf") == []  # suspended by the edit
    entry_retract(user=supervisor, entry=base["retraite"], reason="Réforme")
    assert search(agent, organization, "retraite") == []


def test_snippet_marks_matches_and_escapes(agent, organization, make_entry):
    make_entry("Piège ?", "<b>Attention</b> : les allocations <script>x</script> familiales.")
    [hit] = entries_search(user=agent, organization=organization, query="allocation")
    assert "<mark>allocations</mark>" in hit.snippet
    assert "&lt;script&gt;" in hit.snippet and "<script>" not in hit.snippet
    assert hit.score > 0
    long = "mot " * 200 + "retraite anticipée " + "fin " * 200
    extract = snippet(long, "retraites")
    assert extract.startswith("… ") and extract.endswith(" …")
    assert "<mark>retraite</mark>" in extract and len(extract) < 320


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "allocation*",
        '"allocation',
        "NEAR(allocation familiale)",
        "allocation NEAR familiale",
        "allocation AND OR NOT",
        "question:allocation",
        "^allocation",
        "(allocation",
        "{question}: x",
        "a" * 100_000,
        "allocation " * 5_000,
        "x\x00y",
        "'; DROP TABLE knowledge_entry; --",
        "-allocation +familiale",
        "🙂 allocation",
    ],
)
def test_hostile_queries_do_not_raise(agent, organization, base, query):
    hits = entries_search(user=agent, organization=organization, query=query)
    assert len(hits) <= 20
    public_entries_search(organization=organization, query=query)


def test_operator_words_are_plain_words(agent, organization, make_entry):
    entry = make_entry("Le formulaire NEAR", "Il existe un formulaire appelé near.")
    assert search(agent, organization, "near") == [entry]
    assert search(agent, organization, "allocation* OR near") == []


def test_query_terms_are_bounded():
    assert len(prose_terms(" ".join(f"mot{i}" for i in range(1000)))) <= 12
    assert prose_terms("") == [] and prose_terms("   ") == []


def test_search_is_scoped_to_organization_and_workspace(
    agent, organization, workspace, base, make_entry, supervisor, other_agent
):
    closed = WorkspaceFactory(organization=organization)
    member = UserFactory(role="supervisor", organization=organization, workspaces=[closed])
    private = entry_create(
        user=member,
        organization=organization,
        workspace=closed,
        question="Allocation interne ?",
        answer="Réservée à l'équipe.",
    )
    assert private not in search(agent, organization, "allocation", status=None)
    assert private in search(member, organization, "allocation", status=None)
    with pytest.raises(NotFound):
        entry_get(user=agent, public_id=private.public_id)
    with pytest.raises(NotFound):
        entries_search(user=other_agent, organization=organization, query="allocation")
    with pytest.raises(NotFound):
        entries_list(user=other_agent, organization=organization)
    with pytest.raises(NotFound):
        entry_get(user=other_agent, public_id=base["caf"].public_id)
    other = OrganizationFactory()
    make_foreign = entry_create  # same words in another body's base
    foreign_boss = UserFactory(role="supervisor", organization=other)
    make_foreign(user=foreign_boss, organization=other, question="Allocation ?", answer="Autre.")
    assert set(search(agent, organization, "allocation", status=None)) == {
        base["caf"],
        base["draft"],
    }


def test_entry_get(agent, base):
    assert entry_get(user=agent, public_id=str(base["caf"].public_id)) == base["caf"]
    with pytest.raises(NotFound):
        entry_get(user=agent, public_id="pas-un-uuid")


def test_view_permission_is_needed(organization, base):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AccessDenied):
        entries_search(user=AnonymousUser(), organization=organization, query="allocation")


def test_public_search_shows_validated_organization_wide_entries_only(
    organization, workspace, supervisor, base
):
    private = entry_create(
        user=supervisor,
        organization=organization,
        workspace=workspace,
        question="Allocation d'équipe ?",
        answer="Interne.",
    )
    hits = public_entries_search(organization=organization, query="allocation")
    assert found(hits) == [base["caf"]]
    assert public_entries_search(organization=OrganizationFactory(), query="allocation") == []
    assert public_entry_get(organization=organization, public_id=base["caf"].public_id)
    for entry in (base["draft"], private):
        with pytest.raises(NotFound):
            public_entry_get(organization=organization, public_id=entry.public_id)
    with pytest.raises(NotFound):
        public_entry_get(organization=OrganizationFactory(), public_id=base["caf"].public_id)


def test_entries_due_for_review(agent, organization, make_entry):
    due = make_entry("Ancienne ?", "Oui.", review_date=datetime.date(2025, 6, 1))
    make_entry("Future ?", "Oui.", review_date=datetime.date(2025, 12, 1))
    make_entry("Brouillon ?", "Oui.", review_date=datetime.date(2025, 1, 1), publish=False)
    assert list(entries_due_for_review(user=agent, organization=organization)) == [due]


def test_best_matches_of_other_organizations_do_not_hide_ours(agent, organization, make_entry):
    """The SQLite search first ranks the whole index, then filters: when another body's
    entries fill the top, it checks every match instead."""
    other = OrganizationFactory()
    crowd = Entry.objects.bulk_create(
        Entry(
            organization=other,
            question=f"Allocation familiale {i} ?",
            answer="Allocation familiale.",
            tags="allocation",
            status=Entry.Status.VALIDATED,
        )
        for i in range(120)
    )
    ENTRY_INDEX.index(crowd)
    ours = make_entry("Délai de paiement ?", "Versée avec l'allocation familiale.")
    assert search(agent, organization, "allocation familiale", limit=1) == [ours]
    assert search(agent, organization, "allocation familiale") == [ours]

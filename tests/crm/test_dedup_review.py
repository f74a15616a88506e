"""The review screens: the search job, the queue, a pair, dismissal, the merge wizard, undo."""

import pytest
from django.urls import reverse

from relais.core.accounts.roles import Role
from relais.core.jobs.models import Job, JobStatus
from relais.crm.dedup.engine import Pair
from relais.crm.dedup.review import duplicate_candidates_store
from relais.crm.models import CandidateStatus, Customer, CustomerMerge, DuplicateCandidate, Note
from tests.factories import CustomerFactory, NoteFactory, UserFactory, VehicleFactory


def _twins(workspace, **extra):
    """Two records of one person, written differently."""
    a = CustomerFactory(
        workspace=workspace,
        person__first_name="Hélène",
        person__last_name="Lefèvre",
        person__email="helene.lefevre@exemple.fr",
        person__phone_mobile="06 12 34 56 78",
        person__street="12 boulevard Voltaire",
        person__postal_code="75011",
        person__city="Paris",
        **extra,
    )
    b = CustomerFactory(
        workspace=workspace,
        person__first_name="Helene",
        person__last_name="LEFEVRE",
        person__email="Helene.Lefevre@exemple.fr",
        person__phone_mobile="+33 6 12 34 56 78",
        person__street="12 bd Voltaire",
        person__postal_code="75011",
        person__city="Paris",
    )
    return a, b


@pytest.fixture
def search(django_capture_on_commit_callbacks):
    """Start the duplicate search as the client's user and run its job to the end."""

    def run(client):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("crm:dedup-search"))

    return run


def _namesake(workspace):
    return CustomerFactory(
        workspace=workspace,
        person__first_name="Hélène",
        person__last_name="Lefèvre",
        person__birth_date="1954-02-03",
        person__email="autre@exemple.fr",
        person__phone_mobile="07 11 22 33 44",
        person__street="4 rue Nationale",
        person__postal_code="59000",
        person__city="Lille",
    )


def test_search_job_stores_the_pairs_with_progress(agent_client, agent, workspace, search):
    a, b = _twins(workspace)
    namesake = _namesake(workspace)
    response = search(agent_client)
    assert response.status_code == 302
    job = Job.objects.get(kind="crm.dedup.search")
    assert job.status == JobStatus.SUCCEEDED and job.workspace == workspace
    assert job.done == job.total > 0
    assert "1 paire" in job.message
    pair = DuplicateCandidate.objects.get()
    assert {pair.customer_a_id, pair.customer_b_id} == {a.pk, b.pk}
    assert pair.sure and pair.explanation
    sure_pairs = DuplicateCandidate.objects.filter(sure=True)
    assert not sure_pairs.filter(customer_a=namesake).exists()
    assert not sure_pairs.filter(customer_b=namesake).exists()

    page = agent_client.get(reverse("crm:dedup-list"))
    html = page.content.decode()
    assert "Hélène LEFÈVRE" in html and "1 paire à examiner" in html
    progress = agent_client.get(
        reverse("crm:dedup-list"), {"avancement": "1"}, headers={"HX-Request": "true"}
    )
    assert "Terminé" in progress.content.decode()
    assert "hx-trigger" not in progress.content.decode()  # finished: polling stops


def test_real_twins_reach_the_queue_to_check_not_as_probable(agent_client, workspace, search):
    # Twins: one surname, home and birth date, each their own first name, mobile and
    # mailbox. Under the decision threshold (not a predicted duplicate), yet listed for a
    # person to look at, labelled « À vérifier », never « Sûr ».
    home = {
        "person__last_name": "Roux",
        "person__birth_date": "1991-04-12",
        "person__street": "3 rue des Lilas",
        "person__postal_code": "31000",
        "person__city": "Toulouse",
    }
    a = CustomerFactory(
        workspace=workspace,
        person__first_name="Hugo",
        person__phone_mobile="06 11 22 33 44",
        person__email="hugo.roux@exemple.fr",
        **home,
    )
    b = CustomerFactory(
        workspace=workspace,
        person__first_name="Léa",
        person__phone_mobile="07 55 66 77 88",
        person__email="lea.roux@exemple.fr",
        **home,
    )
    search(agent_client)
    pair = DuplicateCandidate.objects.get()
    assert {pair.customer_a_id, pair.customer_b_id} == {a.pk, b.pk}
    assert pair.score < 0.5 and not pair.sure
    html = agent_client.get(reverse("crm:dedup-list")).content.decode()
    assert "À vérifier" in html and "Sûr</span>" not in html
    detail = agent_client.get(reverse("crm:dedup-pair", kwargs={"pair_id": pair.public_id}))
    assert "à vérifier" in detail.content.decode()


def test_the_list_is_empty_then_filters(agent_client, workspace):
    response = agent_client.get(reverse("crm:dedup-list"))
    assert "Aucun doublon à examiner" in response.content.decode()
    a, b = _twins(workspace)
    DuplicateCandidate.objects.create(
        workspace=workspace, customer_a=a, customer_b=b, score=0.8, sure=False
    )
    assert (
        agent_client.get(reverse("crm:dedup-list"), {"niveau": "surs"})
        .context["page_obj"]
        .paginator.count
        == 0
    )
    assert (
        agent_client.get(reverse("crm:dedup-list"), {"niveau": "probables"})
        .context["page_obj"]
        .paginator.count
        == 1
    )


def test_the_list_is_paginated_with_bounded_queries(
    agent_client, workspace, django_assert_max_num_queries
):
    customers = [CustomerFactory(workspace=workspace) for _ in range(54)]
    for left, right in zip(customers[::2], customers[1::2], strict=True):
        DuplicateCandidate.objects.create(
            workspace=workspace, customer_a=left, customer_b=right, score=0.9
        )
    with django_assert_max_num_queries(15):
        response = agent_client.get(reverse("crm:dedup-list"))
    page = response.context["page_obj"]
    assert page.paginator.num_pages == 2 and len(page.object_list) == 25
    assert "Page suivante" in response.content.decode()


def test_pair_page_shows_the_explanation(agent_client, workspace):
    a, b = _twins(workspace)
    duplicate_candidates_store(
        workspace=workspace,
        pairs=[
            Pair(
                id_a=str(b.public_id),
                id_b=str(a.public_id),
                score=0.99,
                sure=True,
                fields=[],
            )
        ],
    )
    candidate = DuplicateCandidate.objects.get()
    assert candidate.customer_a_id == min(a.pk, b.pk)
    response = agent_client.get(reverse("crm:dedup-pair", kwargs={"pair_id": candidate.public_id}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ce ne sont pas des doublons" in html and "Fusionner" in html


def test_dismissed_pairs_are_not_proposed_again(agent_client, agent, workspace, search):
    a, b = _twins(workspace)
    search(agent_client)
    candidate = DuplicateCandidate.objects.get()
    response = agent_client.post(
        reverse("crm:dedup-dismiss", kwargs={"pair_id": candidate.public_id})
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.DISMISSED and candidate.decided_by == agent
    search(agent_client)
    assert DuplicateCandidate.objects.get().status == CandidateStatus.DISMISSED
    assert agent_client.get(reverse("crm:dedup-list")).context["counts"]["total"] == 0
    listed = agent_client.get(reverse("crm:dedup-list"), {"etat": "ecartes"})
    assert listed.context["page_obj"].paginator.count == 1
    agent_client.post(reverse("crm:dedup-reopen", kwargs={"pair_id": candidate.public_id}))
    assert DuplicateCandidate.objects.get().status == CandidateStatus.PENDING


def test_merge_wizard_choose_check_confirm_then_undo(agent_client, agent, workspace):
    a, b = _twins(workspace)
    VehicleFactory(customer=b)
    note = NoteFactory(customer=b)
    low, high = sorted((a, b), key=lambda c: c.pk)
    candidate = DuplicateCandidate.objects.create(
        workspace=workspace, customer_a=low, customer_b=high, score=0.99, sure=True
    )
    url = reverse("crm:dedup-merge", kwargs={"pair_id": candidate.public_id})
    page = agent_client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: field.initial or "a" for name, field in form.fields.items()}
    data.update({"keep": "a", "choice_email": "b", "etape": "verifier"})
    check = agent_client.post(url, data)
    assert check.context["step"] == "verifier"
    html = check.content.decode()
    assert "Confirmer la fusion" in html and "véhicules" in html
    assert Customer.objects.filter(pk=b.pk).exists()  # nothing happened yet

    data["etape"] = "confirmer"
    done = agent_client.post(url, data)
    merge = CustomerMerge.objects.get()
    assert done.status_code == 302
    assert done.url == reverse("crm:dedup-merge-detail", kwargs={"merge_id": merge.public_id})
    survivor = Customer.objects.get(pk=low.pk)
    assert merge.survivor == survivor
    assert not Customer.objects.filter(pk=high.pk).exists()
    assert Note.objects.get(pk=note.pk).customer_id == low.pk
    assert survivor.person.email == high.person.email
    detail = agent_client.get(done.url)
    assert "Annuler la fusion" in detail.content.decode()
    history = agent_client.get(reverse("crm:dedup-merge-list"))
    assert high.display_name in history.content.decode()

    undo = agent_client.post(reverse("crm:dedup-merge-undo", kwargs={"merge_id": merge.public_id}))
    assert undo.status_code == 302
    assert Customer.objects.filter(public_id=high.public_id).exists()
    again = agent_client.post(
        reverse("crm:dedup-merge-undo", kwargs={"merge_id": merge.public_id}), follow=True
    )
    assert "déjà été annulée" in again.content.decode()


def test_merge_wizard_back_step_keeps_choices(agent_client, workspace):
    a, b = _twins(workspace)
    low, high = sorted((a, b), key=lambda c: c.pk)
    candidate = DuplicateCandidate.objects.create(
        workspace=workspace, customer_a=low, customer_b=high, score=0.99
    )
    url = reverse("crm:dedup-merge", kwargs={"pair_id": candidate.public_id})
    form = agent_client.get(url).context["form"]
    data = {name: "b" for name in form.fields}
    data["etape"] = "choisir"
    back = agent_client.post(url, data)
    assert back.context["step"] == "choisir"
    assert 'value="b" id="id_choice_email_1" checked' in back.content.decode()


def test_hostile_merge_input_is_refused(agent_client, workspace):
    a, b = _twins(workspace)
    low, high = sorted((a, b), key=lambda c: c.pk)
    candidate = DuplicateCandidate.objects.create(
        workspace=workspace, customer_a=low, customer_b=high, score=0.99
    )
    url = reverse("crm:dedup-merge", kwargs={"pair_id": candidate.public_id})
    response = agent_client.post(url, {"keep": "<script>alert(1)</script>", "etape": "confirmer"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert Customer.objects.filter(pk__in=[a.pk, b.pk]).count() == 2
    assert not CustomerMerge.objects.exists()


def test_a_role_without_edit_right_sees_but_cannot_merge(client, workspace):
    a, b = _twins(workspace)
    low, high = sorted((a, b), key=lambda c: c.pk)
    candidate = DuplicateCandidate.objects.create(
        workspace=workspace, customer_a=low, customer_b=high, score=0.99
    )
    viewer = UserFactory(role="member", organization=workspace.organization, workspaces=[workspace])
    client.force_login(viewer)
    assert client.post(reverse("crm:dedup-search")).status_code == 403
    url = reverse("crm:dedup-dismiss", kwargs={"pair_id": candidate.public_id})
    assert client.post(url).status_code == 403
    assert DuplicateCandidate.objects.get().status == CandidateStatus.PENDING


def test_a_learner_reviews_and_merges_in_the_sandbox(client, workspace, search):
    learner = UserFactory(
        role=Role.LEARNER, organization=workspace.organization, workspaces=[workspace]
    )
    client.force_login(learner)
    _twins(workspace)
    search(client)
    candidate = DuplicateCandidate.objects.get()
    url = reverse("crm:dedup-merge", kwargs={"pair_id": candidate.public_id})
    form = client.get(url).context["form"]
    data = {name: "a" for name in form.fields}
    data["etape"] = "confirmer"
    assert client.post(url, data).status_code == 302
    assert CustomerMerge.objects.get().actor == learner


@pytest.mark.parametrize("name", ["dedup-pair", "dedup-merge"])
def test_another_workspaces_pair_is_not_found(agent_client, other_workspace, name):
    a, b = _twins(other_workspace)
    low, high = sorted((a, b), key=lambda c: c.pk)
    candidate = DuplicateCandidate.objects.create(
        workspace=other_workspace, customer_a=low, customer_b=high, score=0.99
    )
    url = reverse(f"crm:{name}", kwargs={"pair_id": candidate.public_id})
    assert agent_client.get(url).status_code == 404
    assert agent_client.post(url, {"keep": "a", "etape": "confirmer"}).status_code in (404, 405)
    assert Customer.objects.filter(workspace=other_workspace).count() == 2


def test_search_never_reads_another_workspace(agent_client, workspace, other_workspace, search):
    _twins(other_workspace)
    a = CustomerFactory(workspace=workspace, person__last_name="Seul")
    search(agent_client)
    assert not DuplicateCandidate.objects.exists()
    assert Customer.objects.filter(workspace=other_workspace).count() == 2
    assert a.workspace == workspace


DEDUP_RECORD_URLS = {
    "dedup-pair": "pair_id",
    "dedup-dismiss": "pair_id",
    "dedup-reopen": "pair_id",
    "dedup-merge": "pair_id",
    "dedup-merge-detail": "merge_id",
    "dedup-merge-undo": "merge_id",
    "cleaning-undo": "batch_id",
}


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_every_dedup_url_of_another_workspace_is_not_found(
    client, role, agent, supervisor, other_workspace, other_agent
):
    from relais.core.audit.models import AuditEntry
    from relais.core.contacts.models import Person
    from relais.crm.models import CleaningBatch
    from tests.isolation_extra.dedup import foreign_records

    values = foreign_records(other_workspace, other_agent)
    client.force_login(agent if role == "agent" else supervisor)

    def state():
        return (
            sorted(Customer.objects.values_list("pk", "updated_at")),
            sorted(Person.objects.values_list("pk", "updated_at", "first_name")),
            sorted(DuplicateCandidate.objects.values_list("pk", "status", "updated_at")),
            sorted(CustomerMerge.objects.values_list("pk", "undone_at")),
            sorted(CleaningBatch.objects.values_list("pk", "undone_at")),
            AuditEntry.objects.count(),
        )

    before = state()
    for name, keyword in DEDUP_RECORD_URLS.items():
        pattern = reverse(f"crm:{name}", kwargs={keyword: values[keyword]})
        assert client.get(pattern).status_code in (404, 405), pattern
        payload = {"keep": "a", "etape": "confirmer", "choice_email": "b"}
        assert client.post(pattern, payload).status_code in (404, 405), pattern
    assert state() == before
    listing = client.get(reverse("crm:dedup-list")).content.decode()
    merges = client.get(reverse("crm:dedup-merge-list")).content.decode()
    assert "trangerb" not in listing.lower() and "trangerb" not in merges.lower()


def test_a_person_and_a_company_pair_can_be_viewed_but_not_merged(agent_client, workspace):
    from relais.crm.models import CustomerKind

    person = CustomerFactory(workspace=workspace, person__last_name="Martin")
    company = CustomerFactory(
        workspace=workspace, kind=CustomerKind.COMPANY, company__legal_name="Martin"
    )
    low, high = sorted((person, company), key=lambda c: c.pk)
    candidate = DuplicateCandidate.objects.create(
        workspace=workspace, customer_a=low, customer_b=high, score=0.6
    )
    pair = agent_client.get(reverse("crm:dedup-pair", kwargs={"pair_id": candidate.public_id}))
    assert pair.status_code == 200
    assert "ne peuvent pas être fusionnés" in pair.content.decode()
    url = reverse("crm:dedup-merge", kwargs={"pair_id": candidate.public_id})
    assert "ne peuvent pas être fusionnés" in agent_client.get(url).content.decode()
    response = agent_client.post(url, {"keep": "a", "etape": "confirmer"})
    assert "ne peut pas être fusionné avec une société" in response.content.decode()
    assert Customer.objects.filter(pk__in=[person.pk, company.pk]).count() == 2

"""The school base's household anomaly: two people of one home whom the de-duplication tool
must not propose and whose merge the exercise counts as an error."""

import datetime

import pytest

from relais.core.accounts.roles import Role
from relais.core.workspaces.models import WorkspaceKind
from relais.crm.dedup import DECISION, find_duplicates
from relais.crm.dedup.customers import customer_records
from relais.crm.demo import generate_customers
from relais.crm.models import Customer
from relais.training.models import Exercise, SchoolBase, TrainingClass
from relais.training.services.exercises import exercise_catalogue_install, exercise_check
from relais.training.services.sandboxes import sandbox_create
from tests.factories import UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 15)  # the fixed clock of tests/conftest.py
# One anomaly every 28 customers, eleven kinds taken in turn: every kind is there at 340.
CUSTOMERS = 340


@pytest.fixture
def school(organization, trainer):
    template = WorkspaceFactory(
        organization=organization, name="Base école foyers", kind=WorkspaceKind.TEMPLATE
    )
    anomalies = []
    generate_customers(
        workspace=template, count=CUSTOMERS, seed=5, today=TODAY, owner=trainer,
        anomalies=anomalies,
    )  # fmt: skip
    SchoolBase.objects.create(
        workspace=template, seed=5, reference_date=TODAY, customer_count=CUSTOMERS
    )
    return template, anomalies


def _household(workspace, anomalies) -> list[Customer]:
    anomaly = next(a for a in anomalies if a["kind"] == "household")
    return [
        Customer.objects.in_workspace(workspace)
        .select_related("person")
        .get(identity_key=r["identity_key"])
        for r in anomaly["records"]
    ]


def test_the_household_anomaly_is_two_people_of_one_home(school):
    template, anomalies = school
    first, second = (c.person for c in _household(template, anomalies))
    assert first.last_name == second.last_name
    assert (first.street, first.postal_code, first.city) == (
        second.street,
        second.postal_code,
        second.city,
    )
    assert first.first_name[:1].lower() != second.first_name[:1].lower()
    assert first.birth_date != second.birth_date
    anomaly = next(a for a in anomalies if a["kind"] == "household")
    assert anomaly["expected_correction"].startswith("Ne pas fusionner")


def test_the_duplicate_search_does_not_propose_the_household(school):
    template, anomalies = school
    ids = {str(c.public_id) for c in _household(template, anomalies)}
    pairs = find_duplicates(customer_records(template))
    assert not [p for p in pairs if {p.id_a, p.id_b} == ids and p.score >= DECISION]
    # The base's real duplicates are still proposed.
    duplicate = next(a for a in anomalies if a["kind"] == "duplicate")
    keys = [r["identity_key"] for r in duplicate["records"]]
    wanted = {
        str(c.public_id)
        for c in Customer.objects.in_workspace(template).filter(identity_key__in=keys)
    }
    assert [p for p in pairs if {p.id_a, p.id_b} == wanted]


def test_merging_the_household_counts_as_a_wrong_merge(organization, trainer, school):
    from relais.crm.dedup.merge import customers_merge

    template, anomalies = school
    training_class = TrainingClass.objects.create(
        organization=organization, name="Session foyers", template=template, trainer=trainer
    )
    user = UserFactory(username="eleve-foyer", role=Role.LEARNER, organization=organization)
    enrollment = sandbox_create(
        actor=trainer, training_class=training_class, learner=user, today=TODAY
    )
    exercise_catalogue_install()
    exercise = Exercise.objects.get(organization__isnull=True, code="fusionner-doublons")
    survivor, absorbed = _household(enrollment.sandbox, anomalies)
    customers_merge(actor=user, survivor=survivor, absorbed=absorbed, choices={})
    result = exercise_check(actor=user, enrollment=enrollment, exercise=exercise)
    merged, no_wrong = result.feedback
    assert not no_wrong["ok"] and no_wrong["earned"] == 0
    assert "1 fusion(s)" in no_wrong["message"]
    assert merged["earned"] == 0 and "1 fusion(s) erronée(s)" in merged["message"]

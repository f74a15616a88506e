"""Fixtures for the training simulator: a school template, a trainer, a class, two learners.

These fixtures build their rows directly (factories and the demo generator), not through the
training services, so that every test module can use them whatever it tests.
"""

import datetime

import pytest

from relais.core.accounts.roles import Role
from relais.core.workspaces.models import WorkspaceKind
from relais.crm.demo import generate_customers
from relais.training.models import Enrollment, SchoolBase, TrainingClass
from tests.factories import UserFactory, WorkspaceFactory

TODAY = datetime.date(2025, 6, 15)  # the fixed clock of tests/conftest.py


@pytest.fixture
def trainer(organization):
    return UserFactory(username="formateur", role=Role.TRAINER, organization=organization)


@pytest.fixture
def school_template(organization, trainer):
    """A small school database (20 customers) dated for the fixed clock's day."""
    template = WorkspaceFactory(
        organization=organization, name="Base école test", kind=WorkspaceKind.TEMPLATE
    )
    generate_customers(workspace=template, count=20, seed=3, today=TODAY, owner=trainer)
    SchoolBase.objects.create(workspace=template, seed=3, reference_date=TODAY, customer_count=20)
    return template


@pytest.fixture
def training_class(organization, trainer, school_template):
    return TrainingClass.objects.create(
        organization=organization, name="Session de juin", template=school_template, trainer=trainer
    )


def _enroll(training_class, username: str, seed: int) -> Enrollment:
    sandbox = WorkspaceFactory(
        organization=training_class.organization,
        name=f"Bac à sable de {username}",
        kind=WorkspaceKind.SANDBOX,
        template=training_class.template,
    )
    learner = UserFactory(
        username=username,
        role=Role.LEARNER,
        organization=training_class.organization,
        workspaces=[sandbox],
    )
    generate_customers(workspace=sandbox, count=10, seed=seed, today=TODAY, owner=learner)
    return Enrollment.objects.create(
        training_class=training_class, learner=learner, sandbox=sandbox, materialised_for=TODAY
    )


@pytest.fixture
def enrollment(training_class):
    """The learner ``apprenant`` with a sandbox of 10 generated customers."""
    return _enroll(training_class, "apprenant", seed=11)


@pytest.fixture
def other_enrollment(training_class):
    """Another learner of the same class, ``voisin``, with a sandbox of their own."""
    return _enroll(training_class, "voisin", seed=12)


@pytest.fixture
def learner(enrollment):
    return enrollment.learner


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client

"""Training records of another organization for the isolation and accessibility sweeps.

Training URLs name records that belong to an organization rather than to one workspace: a
class, a school database, an exercise written by the body's trainer, a learner's sandbox.
The foreign ones are built in the organization of workspace B, so a trainer or an
administrator of A (who may manage training in their own body) must not reach them.
"""

import datetime

from relais.core.accounts.roles import Role
from relais.core.accounts.selectors import user_has_role
from relais.core.workspaces.models import WorkspaceKind
from relais.crm.demo import generate_customers
from relais.training.models import Enrollment, Exercise, SchoolBase, TrainingClass
from relais.training.services.exercises import exercise_open
from tests.factories import UserFactory, WorkspaceFactory

TODAY = datetime.date(2025, 6, 15)  # the fixed clock of tests/conftest.py


def _records(organization, label: str, trainer=None, learner=None, sandbox=None) -> dict:
    trainer = trainer or UserFactory(role=Role.TRAINER, organization=organization)
    template = WorkspaceFactory(
        organization=organization, name=f"Base école {label}", kind=WorkspaceKind.TEMPLATE
    )
    generate_customers(workspace=template, count=4, seed=5, today=TODAY, owner=trainer)
    school = SchoolBase.objects.create(
        workspace=template, seed=5, reference_date=TODAY, customer_count=4
    )
    training_class = TrainingClass.objects.create(
        organization=organization, name=f"Session {label}", template=template, trainer=trainer
    )
    if sandbox is None:
        sandbox = WorkspaceFactory(organization=organization, name=f"Bac à sable {label}")
    sandbox.kind, sandbox.template = WorkspaceKind.SANDBOX, template
    sandbox.save(update_fields=["kind", "template"])
    learner = learner or UserFactory(role=Role.LEARNER, organization=organization)
    learner.memberships.get_or_create(workspace=sandbox)
    generate_customers(workspace=sandbox, count=4, seed=6, today=TODAY, owner=learner)
    enrollment = Enrollment.objects.create(
        training_class=training_class, learner=learner, sandbox=sandbox, materialised_for=TODAY
    )
    exercise = Exercise.objects.create(
        organization=organization,
        code=f"exercice-{label}",
        title=f"Exercice {label}",
        instructions="Indiquez l'immatriculation du véhicule de {cible}.",
        # A target drawn from the learner's sandbox and a free answer: the exercise page
        # shows the answer field, which the form sweep fills with another body's ids.
        target_kind="customer_with_vehicle",
        checks=[{"type": "answer", "compute": "vehicle_plate", "points": 2, "label": "Plaque"}],
        author=trainer,
    )
    # The exercise is under way: its page shows the check form (with the answer field).
    exercise_open(actor=learner, enrollment=enrollment, exercise=exercise)
    return {
        "class_id": training_class.public_id,
        "school_id": school.pk,
        "sandbox_id": sandbox.public_id,
        # ``workspace_id`` names a CRM workspace in the API and a sandbox in the training
        # snapshots: the namespaced key wins for that namespace (see tests/test_isolation.py).
        "training:workspace_id": sandbox.public_id,
        "exercise_id": exercise.public_id,
    }


def foreign_records(workspace, agent) -> dict:
    return _records(workspace.organization, "étrangèreb")


def own_records(workspace, user) -> dict:
    """Records of the user's organization; the user is the trainer, or the learner enrolled
    with ``workspace`` as their sandbox, when their role fits."""
    learner = user if user_has_role(user, Role.LEARNER) else None
    return _records(
        workspace.organization,
        f"propre {user.username}",
        trainer=user if user_has_role(user, Role.TRAINER) else None,
        learner=learner,
        sandbox=workspace if learner and workspace.kind == WorkspaceKind.SANDBOX else None,
    )

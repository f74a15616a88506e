"""Training checks read the role held in the class's organization, not a global role."""

import pytest
from django.core.exceptions import ValidationError

from relais.core.accounts.models import OrganizationMembership
from relais.core.accounts.roles import Role
from relais.core.accounts.services import organization_role_grant
from relais.core.exceptions import AccessDenied, NotFound
from relais.training.selectors.classes import classes_for_trainer, templates_for_class
from relais.training.selectors.school import school_bases_for_user
from relais.training.services.exercises import exercise_create
from relais.training.services.sandboxes import class_create, learner_enroll
from tests.factories import OrganizationFactory, UserFactory

CHECKS = [{"type": "customer_exists", "params": {"last_name": "Martin"}}]


def test_a_trainer_elsewhere_is_a_stranger_here(organization, training_class, school_template):
    elsewhere = OrganizationFactory()
    # Home organization here, but trainer only in another organization.
    visitor = UserFactory(username="visiteur", role=None, organization=organization)
    OrganizationMembership.objects.create(user=visitor, organization=elsewhere, role=Role.TRAINER)
    with pytest.raises(NotFound):
        class_create(actor=visitor, organization=organization, name="X", template=school_template)
    assert not templates_for_class(user=visitor).exists()
    assert not school_bases_for_user(user=visitor).exists()
    assert not classes_for_trainer(user=visitor).exists()
    with pytest.raises(NotFound):
        learner_enroll(actor=visitor, training_class=training_class, username="x")
    with pytest.raises(AccessDenied):
        exercise_create(actor=visitor, data={"title": "T", "instructions": "I"}, checks=CHECKS)


def test_an_administrator_of_the_organization_sees_its_classes(organization, training_class):
    admin = UserFactory(username="direction", role=Role.ADMINISTRATOR, organization=organization)
    assert list(classes_for_trainer(user=admin)) == [training_class]
    foreign_admin = UserFactory(username="autre-direction", role=Role.ADMINISTRATOR)
    OrganizationMembership.objects.create(
        user=foreign_admin, organization=organization, role=Role.TRAINER
    )
    # A trainer here (not an administrator) sees only the classes they run.
    assert not classes_for_trainer(user=foreign_admin).exists()


def test_only_a_learner_of_the_organization_is_enrolled(organization, trainer, training_class):
    agent = UserFactory(username="vendeur", role=Role.AGENT, organization=organization)
    with pytest.raises(ValidationError):
        learner_enroll(actor=trainer, training_class=training_class, learner=agent)
    # A learner of another organization is refused as well.
    outsider = UserFactory(
        username="externe", role=Role.LEARNER, organization=OrganizationFactory()
    )
    with pytest.raises(ValidationError):
        learner_enroll(actor=trainer, training_class=training_class, learner=outsider)
    # Made a learner here too, the same account is enrolled.
    organization_role_grant(user=outsider, organization=organization, role=Role.LEARNER)
    enrollment, password = learner_enroll(
        actor=trainer, training_class=training_class, learner=outsider
    )
    assert password is None
    assert outsider.has_role_permission("crm.delete", workspace=enrollment.sandbox)

import pytest

from relais.crm.models import Customer

pytestmark = pytest.mark.django_db


def test_learners_have_separate_sandboxes(enrollment, other_enrollment):
    assert enrollment.sandbox != other_enrollment.sandbox
    assert Customer.objects.in_workspace(enrollment.sandbox).count() == 10
    assert enrollment.sandbox.template == enrollment.training_class.template

"""Human decisions become training data; an administrator retrains the routing model from a
page (a background job with progress) or the command line; the new model routes the
network's requests, deterministically."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from relais.core.accounts.models import OrganizationMembership
from relais.core.accounts.roles import Role
from relais.core.exceptions import AccessDenied
from relais.core.jobs.models import Job, JobStatus
from relais.frontdoor.models import RoutingModel
from relais.frontdoor.routing import default_model
from relais.frontdoor.services import (
    answer_send,
    assignment_accept,
    assignment_refuse,
    request_assign,
)
from relais.frontdoor.services.retraining import (
    routing_retrain,
    routing_retrain_start,
    training_examples,
)
from tests.factories import UserFactory
from tests.frontdoor.builders import submit


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def admin(net):
    user = UserFactory(username="admin-reseau", role=None, organization=net.network.organization)
    OrganizationMembership.objects.create(
        user=user, organization=net.network.organization, role=Role.ADMINISTRATOR
    )
    return user


def _decisions(net):
    """An override (the dispatcher sends an apprenticeship question to CAF, which accepts),
    a refusal then the competent body, an answer by CPAM."""
    override = submit(net.network, subject="Apprenti", text="Aide pour mon apprenti maçon")
    (caf,) = request_assign(actor=net.dispatcher, request=override, bodies=[net.bodies["CAF"]])
    assignment_accept(actor=net.referents["CAF"], assignment=caf)
    refused = submit(net.network, subject="Chômage partiel", text="Intempéries sur le chantier")
    (urssaf,) = request_assign(actor=net.dispatcher, request=refused, bodies=[net.bodies["URSSAF"]])
    assignment_refuse(actor=net.referents["URSSAF"], assignment=urssaf, reason="Pas nous.")
    request_assign(actor=net.dispatcher, request=refused, bodies=[net.bodies["FRANCE_TRAVAIL"]])
    answered = submit(net.network, subject="Arrêt maladie", text="Indemnités journalières")
    request_assign(actor=net.dispatcher, request=answered, bodies=[net.bodies["CPAM"]])
    answer_send(actor=net.referents["CPAM"], request=answered, text="Voici.")
    untouched = submit(net.network, subject="Sans suite", text="Pas encore orientée")
    return override, refused, answered, untouched


def test_overrides_refusals_and_answers_become_training_examples(net):
    _decisions(net)
    examples = training_examples(net.network)
    assert examples == [
        ("Apprenti\nAide pour mon apprenti maçon", ["CAF"]),
        ("Chômage partiel\nIntempéries sur le chantier", ["-URSSAF"]),
        ("Arrêt maladie\nIndemnités journalières", ["CPAM"]),
    ]


def test_only_an_administrator_of_the_network_retrains(client, net):
    for user in (net.moderator, net.dispatcher, net.referents["CAF"]):
        with pytest.raises(AccessDenied):
            routing_retrain_start(actor=user, network=net.network)
        client.force_login(user)
        assert client.get(reverse("frontdoor:routing-model")).status_code == 404
        assert (
            client.post(reverse("frontdoor:routing-model"), {"network": "btp-31"}).status_code
            == 404
        )
    assert not Job.objects.exists()


def test_the_retraining_job_runs_from_the_page_and_the_new_model_routes(
    client, net, admin, django_capture_on_commit_callbacks
):
    _decisions(net)
    for subject in ("Cotisations", "Attestation de vigilance"):
        extra = submit(net.network, subject=subject, text=f"{subject} URSSAF du trimestre")
        request_assign(actor=net.dispatcher, request=extra, bodies=[net.bodies["URSSAF"]])
        answer_send(actor=net.referents["URSSAF"], request=extra, text="Voici.")
    client.force_login(admin)
    page = client.get(reverse("frontdoor:routing-model"))
    assert "5 orientations confirmées disponibles" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("frontdoor:routing-model"), {"network": net.network.slug})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("jobs:job-detail", args=[job.public_id])
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.done, job.total) == (5, 5)
    row = RoutingModel.objects.get(network=net.network, active=True)
    assert row.version in job.message
    assert row.examples == 5
    # The fifth confirmed routing was held out: both models measured on it.
    assert row.evaluated_on == 1
    assert row.accuracy in (0.0, 1.0) and row.baseline_accuracy in (0.0, 1.0)
    assert row.version != default_model().version
    assert row.trained_by == admin
    listing = client.get(reverse("frontdoor:routing-model")).content.decode()
    assert row.version in listing and "Actif" in listing

    new = submit(net.network, subject="Apprenti", text="Aide pour mon apprenti charpentier")
    assert new.routing["suggestion"]["model_version"] == row.version


def test_the_command_retrains_deterministically_and_replaces_the_active_model(net, admin, capsys):
    _decisions(net)
    call_command("retrain_routing", net.network.slug)
    first = RoutingModel.objects.get(active=True)
    assert first.version in capsys.readouterr().out
    assert first.trained_by is None
    second = routing_retrain(actor=admin, network=net.network)
    assert first.version == second.version
    first.refresh_from_db()
    assert not first.active and second.active
    assert RoutingModel.objects.filter(network=net.network, active=True).count() == 1


def test_the_command_refuses_an_unknown_network(net):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Réseau inconnu"):
        call_command("retrain_routing", "inconnu")

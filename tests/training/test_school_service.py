"""Generating a school database: the service, its permission checks and the command."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from relais.core.audit.models import AuditEntry
from relais.core.exceptions import AccessDenied
from relais.core.workspaces.models import Membership, Workspace, WorkspaceKind
from relais.crm.models import Customer, Lead
from relais.training.models import Anomaly, SchoolBase
from relais.training.services import school as school_service
from relais.training.services.school import school_base_generate
from tests.factories import OrganizationFactory

TODAY = datetime.date(2025, 6, 15)


def test_a_trainer_generates_a_template_with_its_anomalies(trainer, organization):
    school_base = school_base_generate(
        actor=trainer, organization=organization, name="Base 2025", customers=60, seed=4
    )
    workspace = school_base.workspace
    assert workspace.kind == WorkspaceKind.TEMPLATE and workspace.name == "Base 2025"
    assert (school_base.seed, school_base.customer_count) == (4, 60)
    assert school_base.reference_date == TODAY  # the fixed clock's day
    assert Customer.objects.in_workspace(workspace).count() == 60
    assert Lead.objects.in_workspace(workspace).exists()
    assert Anomaly.objects.filter(school_base=school_base).count() >= 2
    assert Membership.objects.filter(workspace=workspace, user=trainer).exists()
    entry = AuditEntry.objects.get(action="training.school_base_generate")
    assert entry.actor == trainer and entry.after["customers"] == 60


@pytest.mark.parametrize("role_fixture", ["agent", "supervisor"])
def test_other_roles_may_not_generate(request, role_fixture, organization):
    user = request.getfixturevalue(role_fixture)
    with pytest.raises(AccessDenied):
        school_base_generate(actor=user, organization=organization, name="X", customers=5)
    assert not SchoolBase.objects.exists()


def test_a_learner_may_not_generate(learner, organization):
    with pytest.raises(AccessDenied):
        school_base_generate(actor=learner, organization=organization, name="X", customers=5)


def test_a_trainer_may_not_generate_in_another_organization(trainer):
    other = OrganizationFactory()
    with pytest.raises(ValidationError) as error:
        school_base_generate(actor=trainer, organization=other, name="X", customers=5)
    assert "votre organisation" in error.value.messages[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  "}, "Donnez un nom à la base école."),
        ({"customers": -1}, "Le nombre de clients doit être compris entre 0 et 100 000."),
        ({"customers": 100_001}, "Le nombre de clients doit être compris entre 0 et 100 000."),
        ({"seed": -3}, "La graine doit être un entier positif."),
    ],
)
def test_bad_input_is_refused_in_french(trainer, organization, kwargs, message):
    arguments = {"name": "Base", "customers": 5, "seed": 1} | kwargs
    with pytest.raises(ValidationError) as error:
        school_base_generate(actor=trainer, organization=organization, **arguments)
    assert message in error.value.messages
    assert not Workspace.objects.filter(kind=WorkspaceKind.TEMPLATE).exists()


def test_a_name_already_taken_is_refused(trainer, organization, workspace):
    with pytest.raises(ValidationError) as error:
        school_base_generate(actor=trainer, organization=organization, name=workspace.name)
    assert "Un espace de travail porte déjà ce nom." in error.value.messages


def test_generation_is_all_or_nothing(trainer, organization, monkeypatch):
    def failing(**kwargs):
        kwargs["anomalies"].append({"kind": "duplicate"})
        raise RuntimeError("disque plein")

    monkeypatch.setattr(school_service, "generate_customers", failing)
    with pytest.raises(RuntimeError):
        school_base_generate(actor=trainer, organization=organization, name="Base", customers=5)
    assert not Workspace.objects.filter(name="Base").exists()
    assert not AuditEntry.objects.filter(action="training.school_base_generate").exists()


# --- the command ---------------------------------------------------------------------------


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_school_db", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_the_workspace_and_counts(organization):
    out, err = _run("--customers", "30", "--seed", "2", "--today", "2025-03-10", "--name", "B")
    school_base = SchoolBase.objects.get(workspace__name="B")
    assert str(school_base.workspace.public_id) in out
    assert "30 clients" in out and "anomalies" in out
    assert "30/30" in err  # the progress bar
    assert school_base.reference_date == datetime.date(2025, 3, 10)
    assert school_base.workspace.organization == organization


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--customers", "beaucoup"],
            "Nombre de clients invalide : « beaucoup » (entier attendu).",
        ),
        (["--customers", "100001"], "Le nombre de clients doit être compris entre 0 et 100 000."),
        (["--customers", "-5"], "Le nombre de clients doit être compris entre 0 et 100 000."),
        (["--seed", "x"], "Graine invalide : « x » (entier positif attendu)."),
        (["--today", "15/06/2025"], "Date invalide : « 15/06/2025 » (format AAAA-MM-JJ attendu)."),
        (["--organization", "inconnue"], "Organisation introuvable : « inconnue »."),
        (["--name", " "], "Donnez un nom à la base école."),
    ],
)
def test_the_command_refuses_bad_input_with_one_french_line(organization, args, message):
    arguments = ["--name", "Base", *args] if "--name" not in args else args
    with pytest.raises(CommandError) as error:
        _run(*arguments)
    assert str(error.value) == message
    assert "\n" not in str(error.value)
    assert not SchoolBase.objects.exists()


def test_the_command_asks_which_organization_when_there_are_several(organization):
    OrganizationFactory()
    with pytest.raises(CommandError, match="précisez --organization"):
        _run("--name", "Base", "--customers", "3")
    _run("--name", "Base", "--customers", "3", "--organization", organization.slug)
    assert SchoolBase.objects.get().workspace.organization == organization


def test_the_command_exits_non_zero(organization):
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["manage.py", "generate_school_db", "--name", "B", "--seed", "z"])
    with pytest.raises(SystemExit) as exit_info:
        utility.execute()
    assert exit_info.value.code != 0


def test_the_command_has_a_french_help(capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit):
        ManagementUtility(["manage.py", "generate_school_db", "--help"]).execute()
    out = capsys.readouterr().out
    assert "Crée une base école" in out and "--customers" in out

"""The demo platform: a training organization, its live dealership, accounts and customers.

The school base, the class and the learner's sandbox are added on top by
``relais.training.demo`` (``manage.py load_demo``): the CRM knows nothing of training.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from relais.core.accounts.models import OrganizationMembership, User
from relais.core.accounts.roles import Role
from relais.core.contacts.models import Company, Person
from relais.core.demo import DEMO_PASSWORD
from relais.core.organizations.models import Organization, OrganizationDomain
from relais.core.workspaces.models import Membership, Workspace, WorkspaceKind
from relais.crm.demo.generator import generate_customers
from relais.crm.demo.sales_tools import sales_tools_demo_load
from relais.crm.models import Customer

DEMO_SLUG = "relais-auto-formation"
LIVE = "Concession de démonstration"
TEMPLATE = "Base école de démonstration"
SANDBOX = "Bac à sable de Léa Apprenante"  # named by the training app after the learner


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    first_name: str
    last_name: str
    workspaces: tuple[str, ...]
    superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount(
        "admin", Role.ADMINISTRATOR, "Alice", "Administratrice", (LIVE, TEMPLATE, SANDBOX), True
    ),
    DemoAccount("superviseur", Role.SUPERVISOR, "Sébastien", "Superviseur", (LIVE,)),
    DemoAccount("agent", Role.AGENT, "Camille", "Conseillère", (LIVE,)),
    DemoAccount("formateur", Role.TRAINER, "François", "Formateur", (TEMPLATE, SANDBOX)),
    DemoAccount("apprenant", Role.LEARNER, "Léa", "Apprenante", (SANDBOX,)),
)
# The demo's workspaces made here; the others are made by the training app.
PLATFORM_WORKSPACES = (LIVE,)


def demo_organization() -> Organization | None:
    return Organization.objects.filter(slug=DEMO_SLUG).first()


@transaction.atomic
def demo_delete() -> bool:
    """Remove the demo organization with its workspaces, records and accounts.

    Rows of other apps that protect a workspace or an account (training classes…) must be
    deleted by those apps first (``relais.training.demo.demo_delete`` does).
    """
    organization = demo_organization()
    if organization is None:
        return False
    # Sandboxes before the template they protect; in each, customers before the person or
    # company they protect; the workspace then takes everything else with it.
    for workspace in sorted(organization.workspaces.all(), key=lambda ws: ws.template_id is None):
        Customer.objects.in_workspace(workspace).delete()
        Person.objects.in_workspace(workspace).delete()
        Company.objects.in_workspace(workspace).delete()
        workspace.delete()
    User.objects.filter(organization=organization).delete()
    organization.delete()
    return True


@transaction.atomic
def demo_load(
    *,
    customers: int = 300,
    seed: int = 2025,
    today: date | None = None,
    replace: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[Organization, list[DemoAccount], dict[str, User]]:
    """Create the demo organization "Relais Auto Formation", its live dealership filled with
    generated customers, and one account per role (password ``DEMO_PASSWORD``).

    Returns the organization, the accounts and the users by username. With ``replace``, an
    existing demo organization is deleted first, in the same transaction (callers with rows
    protecting it delete those before). Raises ``ValidationError`` (French message) on a
    negative count, an existing demo organization (without ``replace``) or a demo username
    already taken by someone else.
    """
    if customers < 0:
        raise ValidationError("Le nombre de clients à générer doit être positif ou nul.")
    if demo_organization() is not None:
        if not replace:
            raise ValidationError("L'organisation de démonstration existe déjà.")
        demo_delete()
    taken = User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).values_list(
        "username", flat=True
    )
    if taken:
        raise ValidationError(
            "Nom d'utilisateur déjà pris par un autre compte : %(names)s.",
            params={"names": ", ".join(taken)},
        )
    today = today or timezone.localdate()
    organization = Organization(
        name="Relais Auto Formation",
        slug=DEMO_SLUG,
        primary_colour="#000091",
        header_text="Relais Auto Formation — simulateur CRM de la concession école",
        footer_text=(
            "Simulateur de CRM pour la formation aux métiers de l'après-vente et de la vente "
            "automobile. Toutes les données sont fictives et générées automatiquement."
        ),
    )
    organization.full_clean()
    organization.save()
    # The demo runs on the machine itself: its public pages (login) wear the demo's branding.
    for domain in ("localhost", "127.0.0.1"):
        if not OrganizationDomain.objects.filter(domain=domain).exists():
            OrganizationDomain.objects.create(
                organization=organization, domain=domain, is_primary=domain == "localhost"
            )
    workspaces = {
        LIVE: Workspace.objects.create(
            organization=organization, name=LIVE, kind=WorkspaceKind.LIVE
        ),
    }
    users = {}
    for account in DEMO_ACCOUNTS:
        user = User(
            username=account.username,
            first_name=account.first_name,
            last_name=account.last_name,
            email=f"{account.username}@relais-auto-formation.example",
            organization=organization,
            is_staff=account.superuser,
            is_superuser=account.superuser,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        OrganizationMembership.objects.create(
            user=user, organization=organization, role=account.role
        )
        Membership.objects.bulk_create(
            [
                Membership(workspace=workspaces[name], user=user)
                for name in account.workspaces
                if name in workspaces
            ]
        )
        users[account.username] = user
    generate_customers(
        workspace=workspaces[LIVE],
        count=customers,
        seed=seed,
        today=today,
        owner=users["agent"],
        progress=(lambda done, total: progress(LIVE, done, total)) if progress else None,
    )
    sales_tools_demo_load(workspace=workspaces[LIVE], users=users, today=today, seed=seed)
    return organization, list(DEMO_ACCOUNTS), users

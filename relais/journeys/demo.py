"""Demo data: the body's designed journeys, one per template (idempotent).

``load_journeys_demo(organization)`` creates, for each template of ``templates_catalogue``,
the journey built from it unless the organization already has a journey (alive or in the bin)
from that template; run it again and nothing changes. Returns the journeys created.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from relais.core.accounts.models import OrganizationMembership, User
from relais.core.accounts.roles import Role
from relais.core.demo import DEMO_PASSWORD, DemoLogin
from relais.core.organizations.models import Organization
from relais.core.workspaces.models import Membership, Workspace, WorkspaceKind
from relais.journeys.models import Journey
from relais.journeys.services import journey_from_template
from relais.journeys.templates_catalogue import TEMPLATES


@transaction.atomic
def load_journeys_demo(organization) -> list[Journey]:
    existing = set(
        Journey.objects.filter(organization=organization).values_list("template_key", flat=True)
    )
    return [journey_from_template(key, organization) for key in TEMPLATES if key not in existing]


# The same body as the community demo (seed 000 and 001: the artists-authors' social security).
ORGANIZATION_SLUG = "secu-artistes-auteurs"
ANALYST = "analyste"


def load_demo_for_platform(*, reset: bool = False) -> list[DemoLogin]:
    """``load_demo``'s step (``relais.core.demo``): the body's designed journeys and an
    analyst account (a supervisor of the body). Idempotent; ``reset`` changes nothing more."""
    organization, _created = Organization.objects.get_or_create(
        slug=ORGANIZATION_SLUG, defaults={"name": "Sécurité sociale des artistes-auteurs"}
    )
    load_journeys_demo(organization)
    analyst = User.objects.filter(username=ANALYST).first()
    if analyst is None:
        analyst = User(
            username=ANALYST,
            first_name="Anaïs",
            last_name="Analyste",
            organization=organization,
            email="analyste@exemple.fr",
        )
        analyst.set_password(DEMO_PASSWORD)
        analyst.save()
        OrganizationMembership.objects.get_or_create(
            user=analyst, organization=organization, role=Role.SUPERVISOR
        )
    # Journeys are the current workspace's organization's: the analyst works in the body's
    # workspace (the community demo's, when it ran first).
    workspace = Workspace.objects.filter(organization=organization).order_by("id").first()
    if workspace is None:
        workspace = Workspace.objects.create(
            organization=organization, name="Espace de l'organisme", kind=WorkspaceKind.LIVE
        )
    Membership.objects.get_or_create(user=analyst, workspace=workspace)
    where = _("parcours de « %(name)s »") % {"name": organization.name}
    return [DemoLogin(ANALYST, str(_("analyste (superviseur)")), where)]

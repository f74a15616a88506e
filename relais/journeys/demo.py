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
    load_observed_demo(organization, workspace)
    load_recommendations_demo(analyst, organization)
    where = _("parcours de « %(name)s »") % {"name": organization.name}
    return [DemoLogin(ANALYST, str(_("analyste (superviseur)")), where)]


# Observed journeys --------------------------------------------------------------------------

SIMULATED_LOG_NAME = "Année simulée 2025 — toutes démarches"
INTERACTIONS_LOG_NAME = "Interactions enregistrées dans Relais"
# The body's yearly figures (seed 000): calls, e-mails, web visits, appointments.
DEMO_VOLUMES = {"phone": 51_436, "email": 76_892, "web": 850_000, "appointment": 2_524}
DEMO_SAMPLE_SIZE = 120


def load_observed_demo(organization, workspace) -> None:
    """The observed side of the demo (idempotent): the simulated year as a stored log, the
    workspace's interaction log when it has any, the body's yearly volumes and a recorded
    sample of contacts taken from the simulated year."""
    from relais.journeys.eventlogs import EventLogError, to_canonical
    from relais.journeys.models import ChannelVolume, EventLog, EventLogSource, SampleContact
    from relais.journeys.models_observed import Demand, FailureKind
    from relais.journeys.services_logs import interactions_frame, log_store_frame
    from relais.journeys.simulation import SIMULATION_MAPPING, simulate_year

    logs = EventLog.objects.filter(organization=organization)
    raw = None
    if not logs.filter(source=EventLogSource.SIMULATED).exists():
        raw = simulate_year(seed=2025)
        log_store_frame(
            actor=None,
            organization=organization,
            name=SIMULATED_LOG_NAME,
            source=EventLogSource.SIMULATED,
            frame=to_canonical(raw, SIMULATION_MAPPING),
            description=_(
                "Année simulée des démarches des artistes-auteurs (graine 2025) : segments, "
                "attentes, pièces manquantes, relances."
            ),
        )
    if not logs.filter(source=EventLogSource.INTERACTIONS).exists():
        try:
            frame = interactions_frame(workspace)
        except EventLogError:
            frame = None  # no touchpoint recorded in the body's workspace yet
        if frame is not None:
            log_store_frame(
                actor=None,
                organization=organization,
                name=INTERACTIONS_LOG_NAME,
                source=EventLogSource.INTERACTIONS,
                frame=frame,
            )
    for channel, contacts in DEMO_VOLUMES.items():
        ChannelVolume.objects.get_or_create(
            organization=organization, year=2025, channel=channel, defaults={"contacts": contacts}
        )
    if not SampleContact.objects.filter(organization=organization).exists():
        raw = raw if raw is not None else simulate_year(seed=2025)
        contacts = raw.filter(raw["demand"] != "").head(DEMO_SAMPLE_SIZE)
        kinds = {
            "Relance de l'usager": FailureKind.CHASING,
            "Nouveau contact pour la même demande": FailureKind.REPEAT,
            "Contestation du montant": FailureKind.ERROR,
        }
        SampleContact.objects.bulk_create(
            SampleContact(
                organization=organization,
                contacted_at=row["timestamp"],
                channel=row["channel"],
                reason=row["reason"],
                demand=Demand.VALUE if row["demand"] == "valeur" else Demand.FAILURE,
                failure_kind=""
                if row["demand"] == "valeur"
                else kinds.get(row["activity"], FailureKind.UNCLEAR_LETTER),
                procedure=row["procedure"],
                case_reference=row["case_id"],
            )
            for row in contacts.iter_rows(named=True)
        )


def load_recommendations_demo(analyst, organization) -> None:
    """The recommendations of the simulated year, ranked with the default assumptions, so the
    analyst opens a ranking and the third deliverable at once (idempotent)."""
    from relais.journeys.models import EventLog, EventLogSource, RecommendationSet
    from relais.journeys.services_recommendations import recommendation_set_compute

    simulated = EventLog.objects.ready().filter(
        organization=organization, source=EventLogSource.SIMULATED
    )
    log = simulated.first()
    if log is None or RecommendationSet.objects.filter(event_log=log).exists():
        return
    recommendation_set_compute(actor=analyst, organization=organization, event_log=log)

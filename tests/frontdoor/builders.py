"""Front-door test data: a network of bodies, referents, a dispatcher, a moderator."""

from __future__ import annotations

from dataclasses import dataclass, field

from relais.core.accounts.models import OrganizationMembership
from relais.core.accounts.roles import Role
from relais.frontdoor.models import Body, Network, Referent, RequestChannel
from relais.frontdoor.services import request_submit
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory

CODES = ("URSSAF", "CAF", "CPAM", "CARSAT", "FRANCE_TRAVAIL")


@dataclass
class NetworkSet:
    network: Network
    bodies: dict = field(default_factory=dict)
    referents: dict = field(default_factory=dict)
    dispatcher: object = None
    moderator: object = None


def build_network(
    *, workspace=None, slug="btp-31", codes=CODES, prefix="", body_organization=None
) -> NetworkSet:
    """A network hosted by ``workspace``'s organization (a new one by default), one
    organization per body (``body_organization`` for all of them if given), one referent
    per body (``<prefix><code>`` in lower case), a dispatcher (a URSSAF referent on duty) and
    a moderator (supervisor of the host organization)."""
    workspace = workspace or WorkspaceFactory(name=f"Guichet {slug}")
    host = workspace.organization
    network = Network.objects.create(
        name=f"Réseau {slug}", slug=slug, organization=host, workspace=workspace
    )
    result = NetworkSet(network=network)
    for code in codes:
        organization = body_organization or OrganizationFactory(
            name=f"{code} {slug}", slug=f"{code.lower()}-{slug}".replace("_", "-")
        )
        body = Body.objects.create(
            network=network,
            organization=organization,
            code=code,
            name=f"{code.title()} Haute-Garonne",
            email=f"{code.lower()}@exemple.fr",
        )
        result.bodies[code] = body
        user = UserFactory(
            username=f"{prefix}{code.lower()}", role=Role.REFERENT, organization=organization
        )
        Referent.objects.create(user=user, body=body, competences=[code.lower()])
        result.referents[code] = user
    dispatcher_body = result.bodies[codes[0]]
    dispatcher = UserFactory(
        username=f"{prefix}repartiteur",
        role=Role.REFERENT,
        organization=dispatcher_body.organization,
    )
    Referent.objects.create(user=dispatcher, body=dispatcher_body, is_dispatcher=True)
    result.dispatcher = dispatcher
    moderator = UserFactory(username=f"{prefix}moderateur", role=None, organization=host)
    OrganizationMembership.objects.create(user=moderator, organization=host, role=Role.SUPERVISOR)
    result.moderator = moderator
    return result


def submit(network, **overrides):
    """A web request from an employer of the building trade."""
    values = {
        "network": network,
        "channel": RequestChannel.WEB,
        "subject": "Embauche d'un apprenti maçon",
        "text": "Quelles aides et quelles cotisations pour l'embauche d'un apprenti ?",
        "company": {"legal_name": "Maçonnerie Garonne", "siret": "73282932000074"},
        "person": {"last_name": "Durand", "first_name": "Léa", "email": "lea@maconnerie.fr"},
    }
    values.update(overrides)
    return request_submit(**values)

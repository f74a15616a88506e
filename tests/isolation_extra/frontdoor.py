"""Front-door records for the isolation sweeps: a network hosted by the workspace's
organization, one body (the organization itself), a request assigned to it with a thread,
an answered and closed request (its satisfaction survey), an offer of the body's library.

The survey's page is reached by its secret token, which only the requester holds: the
foreign value for ``frontdoor:token`` is what a user of A could know of B's request, its
public id, never the token itself."""

from relais.frontdoor.models import Visibility
from relais.frontdoor.services import (
    answer_send,
    message_post,
    offer_create,
    request_assign,
    request_close,
)
from tests.frontdoor.builders import build_network, submit


def _request(workspace, prefix: str, subject: str):
    built = build_network(
        workspace=workspace,
        slug=f"guichet-{prefix}-{workspace.pk}",
        codes=("URSSAF",),
        prefix=f"fd-{prefix}-{workspace.pk}-",
        body_organization=workspace.organization,
    )
    request = submit(
        built.network,
        subject=subject,
        person={"last_name": "Demandeur", "email": f"demandeur-{prefix}@exemple.fr"},
    )
    request_assign(actor=built.dispatcher, request=request, bodies=[built.bodies["URSSAF"]])
    referent = built.referents["URSSAF"]
    message_post(
        actor=referent, request=request, text=f"{subject} note", visibility=Visibility.PRIVATE
    )
    # A second request, answered (its page shows the answers and the close form).
    answered = submit(built.network, subject=f"{subject} répondue")
    request_assign(actor=built.dispatcher, request=answered, bodies=[built.bodies["URSSAF"]])
    answer_send(actor=referent, request=answered, text="Réponse")
    closed = submit(built.network, subject=f"{subject} clôturée")
    request_assign(actor=built.dispatcher, request=closed, bodies=[built.bodies["URSSAF"]])
    answer_send(actor=referent, request=closed, text="Réponse avant clôture")
    request_close(actor=referent, request=closed)
    offer = offer_create(
        actor=referent,
        body=built.bodies["URSSAF"],
        title=f"{subject} offre",
        summary="Une offre de service de l'organisme.",
    )
    return request, closed, offer


def foreign_records(workspace, agent) -> dict:
    request, closed, offer = _request(workspace, "b", "Demande étrangerb")
    return {
        "request_id": request.public_id,
        "offer_id": offer.public_id,
        "frontdoor:token": str(closed.public_id),
    }


def own_records(workspace, user) -> dict:
    request, closed, offer = _request(workspace, "a", "Demande d'essai")
    return {
        "request_id": request.public_id,
        "offer_id": offer.public_id,
        "frontdoor:token": closed.survey.token,
    }

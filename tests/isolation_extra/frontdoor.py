"""Front-door records for the isolation sweeps: a network hosted by the workspace's
organization, one body (the organization itself), a request assigned to it with a thread."""

from relais.frontdoor.models import Visibility
from relais.frontdoor.services import answer_send, message_post, request_assign
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
    return request


def foreign_records(workspace, agent) -> dict:
    return {"request_id": _request(workspace, "b", "Demande étrangerb").public_id}


def own_records(workspace, user) -> dict:
    return {"request_id": _request(workspace, "a", "Demande d'essai").public_id}

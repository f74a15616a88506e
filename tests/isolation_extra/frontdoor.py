"""Front-door records for the isolation sweeps: a network hosted by the workspace's
organization, its body (the organization itself) and a partner body, a request assigned to
both with a thread, a file and a joint answer waiting for the partner's co-signature, an
answered and closed request (its satisfaction survey), a scanned letter waiting to be
entered, an answer template and an offer of the body's library.

The survey's page is reached by its secret token, which only the requester holds: the
foreign value for ``frontdoor:token`` is what a user of A could know of B's request, its
public id, never the token itself."""

from relais.core.exceptions import AccessDenied
from relais.frontdoor.models import AnswerTemplate, Body, Visibility
from relais.frontdoor.services import (
    answer_send,
    joint_answer_propose,
    message_post,
    offer_create,
    request_assign,
    request_close,
)
from relais.frontdoor.services.attachments import message_post_with_files
from relais.frontdoor.services.letters import letter_upload
from tests.factories import OrganizationFactory
from tests.frontdoor.builders import build_network, submit
from tests.frontdoor.mailkit import pdf_with_text


def _request(workspace, prefix: str, subject: str, user=None) -> dict:
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
    # A partner body of its own organization (one body per organization in a network).
    partner = Body.objects.create(
        network=built.network,
        organization=OrganizationFactory(
            name=f"CAF {prefix} {workspace.pk}", slug=f"caf-{prefix}-{workspace.pk}"
        ),
        code="CAF",
        name="Caf partenaire",
    )
    request_assign(
        actor=built.dispatcher, request=request, bodies=[built.bodies["URSSAF"], partner]
    )
    referent = built.referents["URSSAF"]
    # A joint answer waiting for the CAF's co-signature.
    joint = joint_answer_propose(
        actor=referent,
        request=request,
        text=f"{subject} réponse commune",
        body=built.bodies["URSSAF"],
        co_bodies=[partner],
    )
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
    # A file in the thread, a scanned letter waiting to be entered, an answer template.
    message = message_post_with_files(
        actor=referent,
        request=request,
        text=f"{subject} pièce",
        visibility=Visibility.INTERNAL,
        files=[("note.txt", f"{subject} texte".encode())],
    )
    letter_pdf = pdf_with_text(f"{subject} : courrier reçu")
    try:
        letter = letter_upload(actor=user, filename="courrier.pdf", data=letter_pdf)
    except AccessDenied:
        letter = letter_upload(actor=referent, filename="courrier.pdf", data=letter_pdf)
    template = AnswerTemplate.objects.create(
        body=built.bodies["URSSAF"], name=f"{subject} modèle", text="Bonjour {{ contact }}"
    )
    return {
        "request_id": request.public_id,
        "joint_id": joint.public_id,
        "attachment_id": message.attachments.get().public_id,
        "letter_id": letter.attachment.public_id,
        "template_id": template.public_id,
        "offer_id": offer.public_id,
        "closed": closed,
    }


def foreign_records(workspace, agent) -> dict:
    records = _request(workspace, "b", "Demande étrangerb", user=agent)
    records["frontdoor:token"] = str(records.pop("closed").public_id)
    return records


def own_records(workspace, user) -> dict:
    records = _request(workspace, "a", "Demande d'essai", user=user)
    records["frontdoor:token"] = records.pop("closed").survey.token
    return records

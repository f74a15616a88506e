"""The requester's files on the tracking page: those they sent and those sent to them with
the answer, never internal ones; downloaded only with the tracking code and e-mail of the
request they belong to; each download audited."""

import pytest
from django.urls import reverse

from relais.core.audit.models import AuditEntry
from relais.frontdoor.models import AttachmentKind, RequestChannel
from relais.frontdoor.services import answer_send, request_assign
from relais.frontdoor.services.attachments import (
    CheckedFile,
    attachment_store,
    message_post_with_files,
)
from tests.frontdoor.builders import submit
from tests.frontdoor.mailkit import pdf_with_text

PDF = pdf_with_text("Attestation de salaire")


def _file(request, kind, name, **links):
    return attachment_store(
        checked=CheckedFile(filename=name, content_type="application/pdf", data=PDF),
        kind=kind,
        request=request,
        **links,
    )


@pytest.fixture
def scene(net):
    """R1, Léa's request, with her e-mail's file, an answer letter, a file shared with her,
    an internal file and a private note's file; R2, another requester's, with a file."""
    r1 = submit(net.network)
    request_assign(actor=net.dispatcher, request=r1, bodies=[net.bodies["CAF"]])
    sent = _file(r1, AttachmentKind.EMAIL, "arret-de-travail.pdf")
    shared = message_post_with_files(
        actor=net.referents["CAF"],
        request=r1,
        text="Le formulaire à remplir.",
        visibility="shared",
        files=[("formulaire.pdf", PDF)],
    ).attachments.get()
    internal = message_post_with_files(
        actor=net.referents["CAF"],
        request=r1,
        text="Barème interne.",
        visibility="internal",
        files=[("bareme-interne.pdf", PDF)],
    ).attachments.get()
    private = message_post_with_files(
        actor=net.referents["CAF"],
        request=r1,
        text="Note privée.",
        visibility="private",
        files=[("note-privee.pdf", PDF)],
    ).attachments.get()
    answer = answer_send(
        actor=net.referents["CAF"], request=r1, text="Voici notre courrier.", channel="letter"
    )
    letter = _file(r1, AttachmentKind.ANSWER_LETTER, "reponse.pdf", answer=answer)
    r2 = submit(
        net.network,
        person={"last_name": "Roux", "email": "marc@charpente.fr"},
        company={"legal_name": "Charpente Roux"},
        channel=RequestChannel.WEB,
    )
    other = _file(r2, AttachmentKind.EMAIL, "autre-demandeur.pdf")
    return {
        "r1": r1,
        "r2": r2,
        "sent": sent,
        "shared": shared,
        "letter": letter,
        "internal": internal,
        "private": private,
        "other": other,
    }


def _track(client, request, email="lea@maconnerie.fr"):
    return client.post(
        reverse("frontdoor:tracking"), {"tracking_code": request.tracking_code, "email": email}
    )


def _download(client, attachment, request, email="lea@maconnerie.fr"):
    return client.post(
        reverse("frontdoor:tracking-attachment", args=[attachment.public_id]),
        {"tracking_code": request.tracking_code, "email": email},
    )


def test_the_tracking_page_lists_the_files_sent_and_received_not_internal_ones(client, scene):
    page = _track(client, scene["r1"]).content.decode()
    assert "Envoyées par vous" in page and "Envoyées par le réseau" in page
    for name in ("arret-de-travail.pdf", "formulaire.pdf", "reponse.pdf"):
        assert name in page
    for name in ("bareme-interne.pdf", "note-privee.pdf", "autre-demandeur.pdf"):
        assert name not in page


def test_a_file_is_downloaded_with_the_tracking_access_and_audited(client, scene):
    response = _download(client, scene["letter"], scene["r1"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "reponse.pdf" in response["Content-Disposition"]
    entry = AuditEntry.objects.get(action="frontdoor.personal_data.requester_download")
    assert entry.after["attachment"] == str(scene["letter"].public_id)
    # A GET neither lists nor serves anything.
    url = reverse("frontdoor:tracking-attachment", args=[scene["letter"].public_id])
    assert client.get(url).status_code == 405


def test_another_requests_file_and_internal_files_are_refused(client, scene):
    # Léa's own valid access does not open R2's file, nor the network's internal files.
    for name in ("other", "internal", "private"):
        assert _download(client, scene[name], scene["r1"]).status_code == 404, name
    # Her file with a wrong e-mail, or with R2's code and her e-mail: refused.
    assert _download(client, scene["sent"], scene["r1"], email="x@exemple.fr").status_code == 404
    assert _download(client, scene["sent"], scene["r2"]).status_code == 404
    # R2's requester reaches R2's file only.
    assert _download(client, scene["other"], scene["r2"], "marc@charpente.fr").status_code == 200
    assert _download(client, scene["sent"], scene["r2"], "marc@charpente.fr").status_code == 404
    assert not AuditEntry.objects.filter(
        action="frontdoor.personal_data.requester_download",
        after__attachment__in=[str(scene[n].public_id) for n in ("internal", "private")],
    ).exists()

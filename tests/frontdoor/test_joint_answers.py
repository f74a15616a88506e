"""Joint answers co-signed by every body they speak for: a draft, approvals or change
requests with a comment, sent once all approved; edits reset approvals; withdrawal;
history and interaction log; who may read and decide (service, selector and pages)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from relais.core.exceptions import AccessDenied, NotFound
from relais.core.interactions.models import Interaction
from relais.core.notifications.models import Notification
from relais.frontdoor.models import (
    CoSignatureDecision,
    JointAnswer,
    JointAnswerState,
    RequestState,
)
from relais.frontdoor.selectors import joint_answer_rows, joint_answers_for
from relais.frontdoor.services import (
    joint_answer_decide,
    joint_answer_edit,
    joint_answer_propose,
    joint_answer_withdraw,
    request_assign,
    request_close,
)
from tests.frontdoor.builders import build_network, submit


def _held_by(net, *codes):
    request = submit(net.network)
    request_assign(
        actor=net.dispatcher, request=request, bodies=[net.bodies[code] for code in codes]
    )
    return request


def _propose(net, request, *co, text="Réponse commune de la CAF et de ses partenaires."):
    return joint_answer_propose(
        actor=net.referents["CAF"],
        request=request,
        text=text,
        body=net.bodies["CAF"],
        co_bodies=[net.bodies[code] for code in co],
    )


def test_nothing_is_sent_until_every_co_signing_body_approved(
    net, django_capture_on_commit_callbacks
):
    request = _held_by(net, "CAF", "CPAM", "URSSAF")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        draft = _propose(net, request, "CPAM", "URSSAF")
        joint_answer_decide(actor=net.referents["CPAM"], joint_answer=draft, approve=True)
    draft.refresh_from_db()
    request.refresh_from_db()
    assert draft.state == JointAnswerState.DRAFT
    assert not request.answers.exists()
    assert request.state != RequestState.ANSWERED
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        joint_answer_decide(actor=net.referents["URSSAF"], joint_answer=draft, approve=True)
    draft.refresh_from_db()
    request.refresh_from_db()
    assert draft.state == JointAnswerState.SENT
    answer = draft.answer
    assert answer.body == net.bodies["CAF"]
    assert answer.author == net.referents["CAF"]
    assert set(answer.joint_bodies.all()) == {net.bodies["CPAM"], net.bodies["URSSAF"]}
    assert request.state == RequestState.ANSWERED
    (sent,) = mail.outbox
    assert sent.to == ["lea@maconnerie.fr"]
    assert "Réponse commune de la CAF" in sent.body
    # Every step in the history and in the interaction log (never the answer's text).
    codes = list(request.events.values_list("code", flat=True))
    assert codes.count("joint.proposed") == 1
    assert codes.count("joint.approved") == 2
    assert "answered" in codes
    log = Interaction.objects.filter(case_key=request.tracking_code)
    events = set(log.values_list("event_code", flat=True))
    assert {
        "frontdoor.answer.joint_proposed",
        "frontdoor.answer.joint_approved",
        "frontdoor.answer.sent",
    } <= events
    assert not any("partenaires" in i.topic for i in log)
    # The co-signers were asked, the drafter told it left.
    assert Notification.objects.filter(
        recipient=net.referents["URSSAF"], title__startswith="Réponse commune à co-signer"
    ).exists()
    assert Notification.objects.filter(
        recipient=net.referents["CAF"], title__startswith="Réponse commune co-signée"
    ).exists()
    request_close(actor=net.referents["CAF"], request=request)


def test_a_change_request_needs_a_comment_and_reaches_the_drafting_body(net):
    request = _held_by(net, "CAF", "CPAM")
    draft = _propose(net, request, "CPAM")
    with pytest.raises(ValidationError) as error:
        joint_answer_decide(actor=net.referents["CPAM"], joint_answer=draft, approve=False)
    assert "modification" in str(error.value)
    joint_answer_decide(
        actor=net.referents["CPAM"],
        joint_answer=draft,
        approve=False,
        comment="Précisez le délai de la déclaration d'arrêt.",
    )
    signature = draft.cosignatures.get()
    assert signature.decision == CoSignatureDecision.CHANGES
    assert signature.comment.startswith("Précisez")
    assert Notification.objects.filter(
        recipient=net.referents["CAF"], title__startswith="Modification demandée par CPAM"
    ).exists()
    assert request.events.filter(code="joint.changes").exists()
    # The comment stays in the shared space of the bodies concerned, not in the history.
    assert not request.events.filter(label__contains="Précisez").exists()


def test_an_edit_makes_a_new_version_and_resets_the_approvals(net):
    request = _held_by(net, "CAF", "CPAM", "URSSAF")
    draft = _propose(net, request, "CPAM", "URSSAF")
    joint_answer_decide(actor=net.referents["CPAM"], joint_answer=draft, approve=True)
    joint_answer_edit(
        actor=net.referents["CAF"], joint_answer=draft, text="Nouvelle version de la réponse."
    )
    draft.refresh_from_db()
    assert draft.version == 2
    assert set(draft.cosignatures.values_list("decision", flat=True)) == {
        CoSignatureDecision.PENDING
    }
    # URSSAF's approval alone is not enough: CPAM must approve the new version again.
    joint_answer_decide(actor=net.referents["URSSAF"], joint_answer=draft, approve=True)
    draft.refresh_from_db()
    assert draft.state == JointAnswerState.DRAFT
    joint_answer_decide(actor=net.referents["CPAM"], joint_answer=draft, approve=True)
    draft.refresh_from_db()
    assert draft.state == JointAnswerState.SENT
    assert draft.answer.text == "Nouvelle version de la réponse."
    assert request.events.filter(code="joint.edited").exists()


def test_only_the_drafting_body_edits_or_withdraws_and_a_withdrawn_draft_is_final(net):
    request = _held_by(net, "CAF", "CPAM")
    draft = _propose(net, request, "CPAM")
    with pytest.raises(AccessDenied):
        joint_answer_edit(actor=net.referents["CPAM"], joint_answer=draft, text="Autre.")
    with pytest.raises(AccessDenied):
        joint_answer_withdraw(actor=net.referents["CPAM"], joint_answer=draft)
    joint_answer_withdraw(actor=net.referents["CAF"], joint_answer=draft)
    draft.refresh_from_db()
    assert draft.state == JointAnswerState.WITHDRAWN
    with pytest.raises(ValidationError):
        joint_answer_decide(actor=net.referents["CPAM"], joint_answer=draft, approve=True)
    assert not request.answers.exists()
    assert request.events.filter(code="joint.withdrawn").exists()
    # A new draft may be proposed once the first is withdrawn, not while one waits.
    again = _propose(net, request, "CPAM")
    with pytest.raises(ValidationError):
        _propose(net, request, "CPAM")
    assert again.state == JointAnswerState.DRAFT


def test_a_body_not_party_to_the_joint_answer_neither_reads_nor_approves_it(net):
    request = _held_by(net, "CAF", "CPAM", "URSSAF")
    draft = _propose(net, request, "CPAM")
    # URSSAF is seized of the request but not a co-signer.
    assert list(joint_answers_for(user=net.referents["URSSAF"], request=request)) == []
    with pytest.raises(NotFound):
        joint_answer_decide(actor=net.referents["URSSAF"], joint_answer=draft, approve=True)
    # The drafter does not approve its own draft.
    with pytest.raises(AccessDenied):
        joint_answer_decide(actor=net.referents["CAF"], joint_answer=draft, approve=True)
    # CARSAT is not seized at all; nor is a body of another network.
    with pytest.raises(NotFound):
        joint_answer_decide(actor=net.referents["CARSAT"], joint_answer=draft, approve=True)
    other = build_network(slug="btp-09", prefix="x")
    with pytest.raises(NotFound):
        joint_answer_decide(actor=other.referents["CPAM"], joint_answer=draft, approve=True)
    # The moderator reads it (to see why an answer waits) but decides for no body.
    assert list(joint_answers_for(user=net.moderator, request=request)) == [draft]
    with pytest.raises(AccessDenied):
        joint_answer_decide(actor=net.moderator, joint_answer=draft, approve=True)
    rows = joint_answer_rows(user=net.referents["CPAM"], request=request)
    assert [(r.can_decide, r.can_edit) for r in rows] == [(True, False)]
    rows = joint_answer_rows(user=net.referents["CAF"], request=request)
    assert [(r.can_decide, r.can_edit) for r in rows] == [(False, True)]


def test_co_signing_bodies_must_hold_the_request(net):
    request = _held_by(net, "CAF")
    with pytest.raises(ValidationError):
        _propose(net, request, "CPAM")
    with pytest.raises(ValidationError):
        _propose(net, request)  # no co-signing body at all
    assert not JointAnswer.objects.exists()


# --- pages ----------------------------------------------------------------------------------


def _page(client, user, request):
    client.force_login(user)
    return client.get(reverse("frontdoor:request-detail", args=[request.public_id]))


def test_pages_propose_co_sign_and_hide_the_draft_from_a_body_not_party(client, net):
    request = _held_by(net, "CAF", "CPAM", "URSSAF")
    client.force_login(net.referents["CAF"])
    response = client.post(
        reverse("frontdoor:request-answer", args=[request.public_id]),
        {
            "answer-body": "CAF",
            "answer-text": "Texte du projet commun.",
            "answer-joint": ["CPAM"],
            "answer-channel": "web",
        },
    )
    assert response.status_code == 302
    draft = JointAnswer.objects.get()
    assert not request.answers.exists()

    page = _page(client, net.referents["CPAM"], request).content.decode()
    assert "Texte du projet commun." in page
    assert "J&#x27;approuve cette réponse" in page or "J'approuve cette réponse" in page
    decide = reverse("frontdoor:joint-answer-decide", args=[request.public_id, draft.public_id])
    response = client.post(decide, {"decision": "changes", "comment": ""})
    assert response.status_code == 302
    draft.cosignatures.get(decision=CoSignatureDecision.PENDING)  # refused: no comment

    page = _page(client, net.referents["URSSAF"], request).content.decode()
    assert "Texte du projet commun." not in page
    response = client.post(decide, {"decision": "approve"})
    assert response.status_code == 404

    client.force_login(net.referents["CPAM"])
    response = client.post(decide, {"decision": "approve"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == JointAnswerState.SENT


def test_another_network_cannot_reach_a_joint_answer_through_the_pages(client, net):
    request = _held_by(net, "CAF", "CPAM")
    draft = _propose(net, request, "CPAM")
    other = build_network(slug="btp-09", prefix="x")
    client.force_login(other.referents["CPAM"])
    for name in ("joint-answer-decide", "joint-answer-edit", "joint-answer-withdraw"):
        url = reverse(f"frontdoor:{name}", args=[request.public_id, draft.public_id])
        assert (
            client.post(url, {"decision": "approve", "text": "x", "channel": "web"}).status_code
            == 404
        )
    draft.refresh_from_db()
    assert draft.state == JointAnswerState.DRAFT and draft.version == 1

"""The business actions: intake and acknowledgement, the dispatcher, taking in charge,
« pas pour moi », transfers, the state computed from the bodies, answers and closing."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from relais.core.audit.models import AuditEntry
from relais.core.exceptions import AccessDenied
from relais.core.interactions.models import Interaction
from relais.frontdoor.models import (
    AssignmentState,
    Request,
    RequestChannel,
    RequestState,
    Visibility,
)
from relais.frontdoor.services import (
    answer_send,
    assignment_accept,
    assignment_refuse,
    assignment_transfer,
    joint_answer_decide,
    joint_answer_propose,
    message_post,
    request_assign,
    request_close,
    request_set_waiting,
)
from tests.frontdoor.builders import submit


def test_a_web_request_is_acknowledged_by_email_with_the_legal_mentions(
    net, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(net.network)
    assert request.state == RequestState.TO_DISPATCH
    assert request.acknowledged_at is not None
    (message,) = mail.outbox
    assert message.to == ["lea@maconnerie.fr"]
    assert request.tracking_code in message.subject
    assert request.tracking_code in message.body
    assert "L114-3" in message.body
    assert "deux mois" in message.body or "2 mois" in message.body
    assert "rejet implicite" in message.body
    codes = list(
        Interaction.objects.filter(case_key=request.tracking_code)
        .order_by("pk")
        .values_list("event_code", flat=True)
    )
    assert codes[:3] == [
        "frontdoor.request.received",
        "frontdoor.request.acknowledged",
        "frontdoor.request.queued",
    ]
    assert request.company.siret == "73282932000074"
    assert request.person.email == "lea@maconnerie.fr"


def test_the_same_company_is_not_created_twice(net):
    first = submit(net.network)
    second = submit(net.network, subject="Deuxième question")
    assert first.company_id == second.company_id
    assert first.person_id == second.person_id


def test_an_invalid_siret_is_refused_in_french_and_nothing_is_written(net):
    with pytest.raises(ValidationError) as error:
        submit(net.network, company={"legal_name": "X", "siret": "73282932000075"})
    assert "clé de contrôle" in str(error.value)
    assert not Request.objects.exists()


def test_a_web_request_needs_an_email(net):
    with pytest.raises(ValidationError) as error:
        submit(net.network, person={"last_name": "Durand"})
    assert "e-mail" in str(error.value.message_dict["email"])


def test_a_phone_request_is_entered_by_an_agent_of_the_body(net):
    with pytest.raises(AccessDenied):
        submit(net.network, channel=RequestChannel.PHONE, person={"last_name": "Durand"})
    with pytest.raises(AccessDenied):
        submit(
            net.network,
            channel=RequestChannel.PHONE,
            person={"last_name": "Durand"},
            first_body=net.bodies["CAF"],
            actor=net.referents["URSSAF"],
        )
    request = submit(
        net.network,
        channel=RequestChannel.PHONE,
        person={"last_name": "Durand"},
        first_body=net.bodies["CAF"],
        actor=net.referents["CAF"],
    )
    assert request.entered_by == net.referents["CAF"]
    assert request.acknowledged_at is None  # given by phone, no address to e-mail


def test_only_the_dispatcher_or_a_moderator_assigns(net):
    request = submit(net.network)
    with pytest.raises(AccessDenied):
        request_assign(actor=net.referents["CAF"], request=request, bodies=[net.bodies["CAF"]])
    request_assign(actor=net.moderator, request=request, bodies=[net.bodies["CAF"]])
    request.refresh_from_db()
    assert request.state == RequestState.PENDING
    assert AuditEntry.objects.filter(action="frontdoor.request.assign").count() == 1


def test_state_follows_the_bodies(net):
    request = submit(net.network)
    caf, urssaf = net.bodies["CAF"], net.bodies["URSSAF"]
    a_caf, a_urssaf = request_assign(actor=net.dispatcher, request=request, bodies=[caf, urssaf])
    request.refresh_from_db()
    assert request.state == RequestState.PENDING
    assignment_accept(actor=net.referents["CAF"], assignment=a_caf)
    request.refresh_from_db()
    assert request.state == RequestState.IN_PROGRESS
    request_set_waiting(actor=net.referents["CAF"], request=request, waiting=True)
    request.refresh_from_db()
    assert request.state == RequestState.WAITING
    answer_send(actor=net.referents["CAF"], request=request, text="Voici la réponse CAF.")
    request.refresh_from_db()
    # URSSAF still holds it, pending: in progress, no longer waiting.
    assert request.state == RequestState.IN_PROGRESS
    answer_send(actor=net.referents["URSSAF"], request=request, text="Réponse Urssaf.")
    request.refresh_from_db()
    assert request.state == RequestState.ANSWERED
    request_close(actor=net.referents["URSSAF"], request=request)
    request.refresh_from_db()
    assert request.state == RequestState.CLOSED


def test_pas_pour_moi_needs_a_reason_and_sends_back_to_the_dispatcher(net):
    request = submit(net.network)
    (assignment,) = request_assign(
        actor=net.dispatcher, request=request, bodies=[net.bodies["CAF"]]
    )
    with pytest.raises(ValidationError):
        assignment_refuse(actor=net.referents["CAF"], assignment=assignment, reason="  ")
    with pytest.raises(AccessDenied):
        assignment_refuse(actor=net.referents["CPAM"], assignment=assignment, reason="Non")
    assignment_refuse(
        actor=net.referents["CAF"], assignment=assignment, reason="Cotisations : Urssaf"
    )
    assignment.refresh_from_db()
    request.refresh_from_db()
    assert assignment.state == AssignmentState.REFUSED
    assert assignment.acknowledged_by == net.referents["CAF"]
    assert request.state == RequestState.TO_DISPATCH
    assert request.routing["reason"] == "refused"
    # The dispatcher may now send it to another body; CAF may be sent it again later.
    request_assign(actor=net.dispatcher, request=request, bodies=[net.bodies["URSSAF"]])
    request.refresh_from_db()
    assert request.state == RequestState.PENDING


def test_a_refusal_by_one_of_two_bodies_keeps_the_request_with_the_other(net):
    request = submit(net.network)
    a_caf, _a = request_assign(
        actor=net.dispatcher, request=request, bodies=[net.bodies["CAF"], net.bodies["CPAM"]]
    )
    assignment_refuse(actor=net.referents["CAF"], assignment=a_caf, reason="Pas la CAF")
    request.refresh_from_db()
    assert request.state == RequestState.PENDING


def test_transfer_moves_the_request_and_tells_the_requester(
    net, django_capture_on_commit_callbacks
):
    request = submit(net.network)
    (a_urssaf,) = request_assign(
        actor=net.dispatcher, request=request, bodies=[net.bodies["URSSAF"]]
    )
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        assignment_transfer(
            actor=net.referents["URSSAF"],
            assignment=a_urssaf,
            to_body=net.bodies["URSSAF"],
            reason="moi-même",
        )
    with django_capture_on_commit_callbacks(execute=True):
        new = assignment_transfer(
            actor=net.referents["URSSAF"],
            assignment=a_urssaf,
            to_body=net.bodies["CARSAT"],
            reason="Retraite progressive",
        )
    a_urssaf.refresh_from_db()
    assert a_urssaf.state == AssignmentState.TRANSFERRED
    assert new.body == net.bodies["CARSAT"]
    assert new.transferred_from == a_urssaf
    assert new.state == AssignmentState.PENDING
    assert "L114-2" in mail.outbox[-1].body
    assert "Carsat" in mail.outbox[-1].body
    # Once transferred, URSSAF can no longer act on it.
    with pytest.raises(ValidationError):
        assignment_accept(actor=net.referents["URSSAF"], assignment=a_urssaf)


def test_no_closing_without_a_recorded_answer(net):
    request = submit(net.network)
    request_assign(actor=net.dispatcher, request=request, bodies=[net.bodies["CAF"]])
    with pytest.raises(ValidationError) as error:
        request_close(actor=net.referents["CAF"], request=request)
    assert "sans réponse" in str(error.value)
    request.refresh_from_db()
    assert request.closed_at is None
    answer_send(actor=net.referents["CAF"], request=request, text="Réponse.")
    request_close(actor=net.referents["CAF"], request=request)
    request.refresh_from_db()
    assert request.closed_at is not None


def test_a_joint_answer_answers_for_both_bodies_once_co_signed(
    net, django_capture_on_commit_callbacks
):
    request = submit(net.network)
    request_assign(
        actor=net.dispatcher, request=request, bodies=[net.bodies["CAF"], net.bodies["CPAM"]]
    )
    draft = joint_answer_propose(
        actor=net.referents["CAF"],
        request=request,
        text="Réponse commune CAF et CPAM.",
        body=net.bodies["CAF"],
        co_bodies=[net.bodies["CPAM"]],
    )
    with django_capture_on_commit_callbacks(execute=True):
        joint_answer_decide(actor=net.referents["CPAM"], joint_answer=draft, approve=True)
    draft.refresh_from_db()
    answer = draft.answer
    assert list(answer.joint_bodies.all()) == [net.bodies["CPAM"]]
    request.refresh_from_db()
    assert request.state == RequestState.ANSWERED
    assert request.first_answered_at is not None
    assert "Réponse commune CAF et CPAM." in mail.outbox[-1].body


def test_a_joint_answer_only_with_bodies_holding_the_request(net):
    request = submit(net.network)
    request_assign(actor=net.dispatcher, request=request, bodies=[net.bodies["CAF"]])
    with pytest.raises(ValidationError):
        joint_answer_propose(
            actor=net.referents["CAF"],
            request=request,
            text="x",
            co_bodies=[net.bodies["CARSAT"]],
        )


def test_answer_send_never_speaks_for_another_body_without_its_co_signature(net):
    request = submit(net.network)
    request_assign(
        actor=net.dispatcher, request=request, bodies=[net.bodies["CAF"], net.bodies["CPAM"]]
    )
    with pytest.raises(ValidationError):
        answer_send(
            actor=net.referents["CAF"],
            request=request,
            text="x",
            joint_bodies=[net.bodies["CPAM"]],
        )
    assert not request.answers.exists()


def test_private_notes_stay_out_of_the_interaction_log(net):
    request = submit(net.network)
    request_assign(actor=net.dispatcher, request=request, bodies=[net.bodies["CAF"]])
    message_post(
        actor=net.referents["CAF"],
        request=request,
        text="Secret CAF : dossier sensible",
        visibility=Visibility.PRIVATE,
    )
    log = Interaction.objects.filter(case_key=request.tracking_code)
    assert not any("Secret" in (i.topic + i.summary) for i in log)


def test_a_critical_event_alerts_the_dispatcher_and_the_moderator_at_once(net):
    from relais.core.notifications.models import Notification

    request = submit(net.network, critical=True, subject="Accident mortel sur le chantier")
    assert request.priority == "critical"
    for user in (net.dispatcher, net.moderator):
        titles = list(Notification.objects.filter(recipient=user).values_list("title", flat=True))
        assert any("critique" in t and request.tracking_code in t for t in titles), user
    assert not Notification.objects.filter(recipient=net.referents["CAF"]).exists()


def test_the_list_page_runs_a_bounded_number_of_queries(client, net, django_assert_max_num_queries):
    for n in range(12):
        request = submit(net.network, subject=f"Question {n}")
        request_assign(
            actor=net.dispatcher, request=request, bodies=[net.bodies["CAF"], net.bodies["CPAM"]]
        )
    client.force_login(net.moderator)
    from django.urls import reverse

    with django_assert_max_num_queries(20):
        page = client.get(reverse("frontdoor:request-list"))
    assert page.context["page_obj"].paginator.count == 12
    with django_assert_max_num_queries(25):
        client.get(reverse("frontdoor:board"))


def test_an_automatic_assignment_needs_no_dispatcher(net):
    """The path the routing engine will take from request_route."""
    request = submit(net.network)
    (assignment,) = request_assign(
        actor=None, request=request, bodies=[net.bodies["CARSAT"]], automatic=True
    )
    request.refresh_from_db()
    assert request.state == RequestState.PENDING
    assert assignment.assigned_by is None
    assert assignment.decision_due is not None

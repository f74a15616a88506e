"""Permissions across bodies, enumerated: a referent sees the requests involving their body
and nothing else; a body's private notes never leave it (pages, history, services); the
moderator sees every request but no private note; reading personal data is audited."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from relais.core.audit.models import AuditEntry
from relais.core.exceptions import AccessDenied, NotFound
from relais.frontdoor.models import Visibility
from relais.frontdoor.selectors import messages_for, request_get, request_list
from relais.frontdoor.services import message_post, request_assign
from tests.frontdoor.builders import submit
from tests.test_isolation import url_patterns


@pytest.fixture
def scene(net):
    """R1 held by URSSAF alone; R2 by URSSAF and CAF, each with its private note."""
    r1 = submit(net.network, subject="Sujet R1 Urssaf seule")
    request_assign(actor=net.dispatcher, request=r1, bodies=[net.bodies["URSSAF"]])
    message_post(
        actor=net.referents["URSSAF"],
        request=r1,
        text="Note privée URSSAF R1",
        visibility=Visibility.PRIVATE,
    )
    r2 = submit(net.network, subject="Sujet R2 partagé")
    request_assign(
        actor=net.dispatcher, request=r2, bodies=[net.bodies["URSSAF"], net.bodies["CAF"]]
    )
    message_post(
        actor=net.referents["URSSAF"],
        request=r2,
        text="Secret URSSAF R2",
        visibility=Visibility.PRIVATE,
    )
    message_post(
        actor=net.referents["CAF"],
        request=r2,
        text="Secret CAF R2",
        visibility=Visibility.PRIVATE,
    )
    message_post(
        actor=net.referents["CAF"],
        request=r2,
        text="Échange interne R2",
        visibility=Visibility.INTERNAL,
    )
    return {"net": net, "r1": r1, "r2": r2}


# user -> (requests seen, private notes seen)
EXPECTED = {
    "URSSAF": ({"r1", "r2"}, {"Note privée URSSAF R1", "Secret URSSAF R2"}),
    "CAF": ({"r2"}, {"Secret CAF R2"}),
    "CPAM": (set(), set()),
    "dispatcher": ({"r1", "r2"}, {"Note privée URSSAF R1", "Secret URSSAF R2"}),
    "moderator": ({"r1", "r2"}, set()),
}
# Each private note and the request it was written on.
SECRETS = {"Note privée URSSAF R1": "r1", "Secret URSSAF R2": "r2", "Secret CAF R2": "r2"}


def _user(net, who):
    return {"dispatcher": net.dispatcher, "moderator": net.moderator}.get(who) or net.referents[who]


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_what_each_user_reads_through_the_pages(scene, who):
    net = scene["net"]
    client = Client()
    client.force_login(_user(net, who))
    seen, secrets = EXPECTED[who]
    listing = client.get(reverse("frontdoor:request-list")).content.decode()
    for name in ("r1", "r2"):
        request = scene[name]
        page = client.get(reverse("frontdoor:request-detail", args=[request.public_id]))
        if name in seen:
            assert page.status_code == 200
            assert request.tracking_code in listing
            body = page.content.decode()
            for secret, where in SECRETS.items():
                expected = secret in secrets and where == name
                assert (secret in body) == expected, (who, name, secret)
            if name == "r2":
                assert "Échange interne R2" in body
        else:
            assert page.status_code == 404
            assert request.tracking_code not in listing


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_what_each_user_reads_through_the_selectors(scene, who):
    net = scene["net"]
    user = _user(net, who)
    seen, secrets = EXPECTED[who]
    assert {
        n for n in ("r1", "r2") if request_list(user=user).filter(pk=scene[n].pk).exists()
    } == seen
    for name in seen:
        texts = {m.text for m in messages_for(user=user, request=scene[name])}
        private = {secret for secret, where in SECRETS.items() if where == name}
        assert texts & private == private & secrets
    for name in {"r1", "r2"} - seen:
        with pytest.raises(NotFound):
            request_get(user=user, public_id=scene[name].public_id)


def _frontdoor_record_urls():
    return [
        p.name
        for ns, p in url_patterns()
        if ns == "frontdoor" and "request_id" in p.pattern.regex.groupindex
    ]


def _url_parameters(name: str) -> set[str]:
    return {
        key
        for ns, p in url_patterns()
        if ns == "frontdoor" and p.name == name
        for key in p.pattern.regex.groupindex
    }


def test_every_request_url_of_another_body_is_not_found(scene):
    """CAF's referent, through every URL naming R1 (held by URSSAF alone), GET and POST."""
    net = scene["net"]
    client = Client()
    client.force_login(net.referents["CAF"])
    names = _frontdoor_record_urls()
    assert {"request-detail", "request-accept", "request-message", "request-answer"} <= set(names)
    payload = {
        "accept-body": "URSSAF",
        "refuse-body": "URSSAF",
        "refuse-reason": "x",
        "message-text": "Intrusion",
        "message-visibility": "shared",
        "answer-body": "URSSAF",
        "answer-text": "Intrusion",
        "answer-channel": "web",
        "close-note": "x",
        "assign-bodies": ["CAF"],
    }
    for name in names:
        kwargs = {"request_id": scene["r1"].public_id}
        if "joint_id" in _url_parameters(name):
            kwargs["joint_id"] = uuid.uuid4()  # no joint answer of R1 is known to CAF
        url = reverse(f"frontdoor:{name}", kwargs=kwargs)
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url, payload).status_code in (404, 405), name
    assert not scene["r1"].messages.filter(text="Intrusion").exists()
    assert not scene["r1"].answers.exists()


def test_a_referent_cannot_act_for_another_body_on_a_shared_request(scene):
    net, r2 = scene["net"], scene["r2"]
    client = Client()
    client.force_login(net.referents["CAF"])
    response = client.post(
        reverse("frontdoor:request-accept", args=[r2.public_id]), {"accept-body": "URSSAF"}
    )
    assert response.status_code == 422  # URSSAF is not among the choices offered to CAF
    assert r2.assignments.get(body__code="URSSAF").state == "pending"
    with pytest.raises(AccessDenied):
        message_post(
            actor=net.referents["CAF"],
            request=r2,
            text="Au nom de l'Urssaf",
            visibility=Visibility.PRIVATE,
            body=net.bodies["URSSAF"],
        )


def test_the_history_hides_another_bodys_private_events(scene):
    net, r2 = scene["net"], scene["r2"]
    client = Client()
    client.force_login(net.referents["CAF"])
    body = client.get(reverse("frontdoor:request-detail", args=[r2.public_id])).content.decode()
    assert body.count("Note privée (") == 1  # CAF's own, not URSSAF's


def test_personal_data_is_shown_on_demand_and_audited(scene):
    net, r2 = scene["net"], scene["r2"]
    client = Client()
    client.force_login(net.referents["CAF"])
    page = client.get(reverse("frontdoor:request-detail", args=[r2.public_id]))
    assert "lea@maconnerie.fr" not in page.content.decode()
    assert not AuditEntry.objects.filter(action="frontdoor.personal_data.view").exists()
    shown = client.post(reverse("frontdoor:request-personal-data", args=[r2.public_id]))
    assert "lea@maconnerie.fr" in shown.content.decode()
    entry = AuditEntry.objects.get(action="frontdoor.personal_data.view")
    assert entry.actor == net.referents["CAF"]
    assert entry.target_id == str(r2.public_id)
    other = Client()
    other.force_login(net.referents["CPAM"])
    assert (
        other.post(reverse("frontdoor:request-personal-data", args=[r2.public_id])).status_code
        == 404
    )
    assert AuditEntry.objects.filter(action="frontdoor.personal_data.view").count() == 1


def test_the_board_is_the_moderators(scene):
    net = scene["net"]
    referent = Client()
    referent.force_login(net.referents["CAF"])
    assert referent.get(reverse("frontdoor:board")).status_code == 404
    moderator = Client()
    moderator.force_login(net.moderator)
    page = moderator.get(reverse("frontdoor:board"))
    assert page.status_code == 200
    assert scene["r1"].tracking_code in page.content.decode()

"""A body's private notes never leave it — enumerated for each role of each body against
each other body, like the CRM's isolation tests: one request held by the five bodies, each
writing a private note that mentions everyone; then, as every role of every body, every
other body's note is nowhere — the request page, the thread and history selectors, the
notifications received, the list, the tracking page, the interaction log; the network's
moderator and the requester read none of them."""

import pytest
from django.test import Client
from django.urls import reverse

from relais.core.accounts.models import OrganizationMembership
from relais.core.accounts.roles import Role
from relais.core.interactions.models import Interaction
from relais.core.notifications.models import Notification
from relais.frontdoor.models import Visibility
from relais.frontdoor.selectors import events_for, messages_for
from relais.frontdoor.services import message_post, request_assign
from tests.factories import UserFactory
from tests.frontdoor.builders import CODES, submit

# The roles a user may hold in a body's organization and that read its requests.
BODY_ROLES = (Role.REFERENT, Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR)


def _secret(code: str) -> str:
    return f"Secret-{code}-confidentiel"


@pytest.fixture
def scene(net):
    request = submit(net.network, subject="Demande partagée par les cinq")
    request_assign(
        actor=net.dispatcher, request=request, bodies=[net.bodies[code] for code in CODES]
    )
    users = {}
    for code in CODES:
        organization = net.bodies[code].organization
        users[(code, Role.REFERENT)] = net.referents[code]
        for role in BODY_ROLES[1:]:
            user = UserFactory(username=f"{role}-{code.lower()}", role=None)
            OrganizationMembership.objects.create(user=user, organization=organization, role=role)
            users[(code, role)] = user
    everyone = " ".join(f"@{user.username}" for user in users.values())
    for code in CODES:
        message_post(
            actor=net.referents[code],
            request=request,
            text=f"{_secret(code)} {everyone}",
            visibility=Visibility.PRIVATE,
        )
    return {"net": net, "request": request, "users": users}


def _everything_seen(user, request) -> str:
    """All a user can read of the request through the pages, selectors and notices."""
    client = Client()
    client.force_login(user)
    parts = [
        client.get(reverse("frontdoor:request-detail", args=[request.public_id])).content.decode(),
        client.get(reverse("frontdoor:request-list")).content.decode(),
        " ".join(m.text for m in messages_for(user=user, request=request)),
        " ".join(f"{e.label} {e.data}" for e in events_for(user=user, request=request)),
        " ".join(f"{n.title} {n.body}" for n in Notification.objects.filter(recipient=user)),
    ]
    return "\n".join(parts)


@pytest.mark.parametrize("role", BODY_ROLES)
def test_each_role_of_each_body_never_reads_another_bodys_private_notes(scene, role):
    request = scene["request"]
    failures = []
    for code in CODES:
        user = scene["users"][(code, role)]
        seen = _everything_seen(user, request)
        if request.tracking_code not in seen:
            failures.append(f"{role} of {code} does not read the request at all")
        for other in CODES:
            if other != code and _secret(other) in seen:
                failures.append(f"{role} of {code} reads the private note of {other}")
        if _secret(code) not in seen:
            failures.append(f"{role} of {code} does not read its own body's note")
    assert not failures, "\n".join(failures)


def test_a_mention_in_a_private_note_reaches_only_the_notes_body(scene):
    for (code, _role), user in scene["users"].items():
        titles = list(
            Notification.objects.filter(recipient=user, category="frontdoor.mention").values_list(
                "body", flat=True
            )
        )
        assert all(_secret(code) in body for body in titles), (code, titles)


def test_the_moderator_and_the_requester_read_no_private_note(scene, client):
    request = scene["request"]
    net = scene["net"]
    seen = _everything_seen(net.moderator, request)
    assert request.tracking_code in seen
    assert not [code for code in CODES if _secret(code) in seen]
    tracking = client.post(
        reverse("frontdoor:tracking"),
        {"tracking_code": request.tracking_code, "email": "lea@maconnerie.fr"},
    ).content.decode()
    assert request.tracking_code in tracking
    assert not [code for code in CODES if _secret(code) in tracking]
    topics = " ".join(
        f"{i.topic} {i.summary}" for i in Interaction.objects.filter(case_key=request.tracking_code)
    )
    assert "Secret-" not in topics

"""The demo network: six bodies, referents, a dispatcher and a moderator, requests in
several states with two critical events; loading twice changes nothing."""

from django.test import Client
from django.urls import reverse

from relais.core.accounts.models import User
from relais.frontdoor.demo import DEMO_PASSWORD, load_frontdoor_demo
from relais.frontdoor.models import Answer, Referent, Request, RequestState


def test_the_demo_network_loads_once(db):
    network = load_frontdoor_demo(requests=25, seed=7)
    codes = set(network.bodies.values_list("code", flat=True))
    assert codes == {"URSSAF", "CAF", "CPAM", "CARSAT", "FRANCE_TRAVAIL", "CIBTP"}
    requests = Request.objects.filter(network=network)
    assert requests.count() == 27
    assert requests.filter(critical=True).count() == 2
    assert len(set(requests.values_list("state", flat=True))) >= 4
    for closed in requests.filter(state=RequestState.CLOSED):
        assert Answer.objects.filter(request=closed).exists()
    assert Referent.objects.filter(body__network=network, is_dispatcher=True).count() == 1
    again = load_frontdoor_demo(requests=25, seed=7)
    assert again == network
    assert Request.objects.count() == 27

    for username, url in (
        ("moderatrice-btp", "frontdoor:board"),
        ("repartiteur", "frontdoor:dispatch-queue"),
        ("dre-cpam", "frontdoor:request-list"),
    ):
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        client = Client()
        client.force_login(user)
        page = client.get(reverse(url))
        assert page.status_code == 200, username
        assert "GU-" in page.content.decode(), username


def test_the_command_refuses_a_bad_count_in_french(db):
    import pytest
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="attend un nombre entier"):
        call_command("load_frontdoor_demo", "--requests", "beaucoup")
    assert not Request.objects.exists()

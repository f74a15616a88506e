"""The community's widget embedded in a page of ANOTHER origin (a local http.server on another
port, standing for the body's main website): the iframe and the script snippet both show the
category's latest questions when that origin is allowed, and neither does when it is not.
axe-core on the widget page."""

import functools
import http.server
import threading

import pytest
from django.urls import reverse

from relais.community.services import topic_create
from tests.community.conftest import make_community, make_member
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

TITLE = "Quelles cotisations pour une première exposition ?"


@pytest.fixture
def host_site(tmp_path):
    """A static site on another port: ``page.html`` is written by the test."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def widget_forum(transactional_db):
    community = make_community()
    alice = make_member(community, "alice", "Alice photo")
    topic_create(
        user=alice,
        category=community.categories.get(slug="cotisations"),
        title=TITLE,
        body="Je vends mes premières œuvres.",
        kind="question",
    )
    return community


def _host_page(directory, live_url):
    frame = f"{live_url}{reverse('community:widget', kwargs={'category_slug': 'cotisations'})}"
    script = (
        f"{live_url}{reverse('community:widget-script', kwargs={'category_slug': 'cotisations'})}"
    )
    (directory / "page.html").write_text(
        f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Site de l'organisme</title></head><body><main>
<h1>Site principal de l'organisme</h1>
<iframe id="cadre" src="{frame}" title="Questions de la communauté" width="600" height="400"></iframe>
<div id="relais-communaute">Chargement…</div>
<script src="{script}" data-cible="relais-communaute" async></script>
</main></body></html>""",
        encoding="utf-8",
    )


def test_the_widget_shows_the_questions_on_an_allowed_site(
    page, live_server, widget_forum, host_site
):
    directory, port = host_site
    widget_forum.embed_origins = [f"http://127.0.0.1:{port}"]
    widget_forum.save()
    _host_page(directory, live_server.url)

    page.goto(f"http://127.0.0.1:{port}/page.html")
    frame = page.frame_locator("#cadre")
    frame.get_by_role("link", name=TITLE).wait_for()
    assert frame.get_by_role("button", name="Poser une question").is_visible()
    snippet = page.locator("#relais-communaute")
    snippet.get_by_role("link", name=TITLE).wait_for()
    assert snippet.get_by_label("Votre question").is_visible()

    # The ask box opens the community's form, the title already typed.
    snippet.get_by_label("Votre question").fill("Dois-je déclarer une vente à l'étranger ?")
    with page.context.expect_page() as opened:
        snippet.get_by_role("button", name="Poser une question").click()
    new_page = opened.value
    new_page.wait_for_load_state()
    assert new_page.url.startswith(live_server.url)
    assert "q=Dois-je" in new_page.url

    page.goto(reverse("community:widget", kwargs={"category_slug": "cotisations"}))
    assert_accessible(page)


def test_the_widget_stays_empty_on_a_site_not_allowed(page, live_server, widget_forum, host_site):
    directory, port = host_site
    widget_forum.embed_origins = ["https://www.secu-artistes-auteurs.fr"]
    widget_forum.save()
    _host_page(directory, live_server.url)

    page.goto(f"http://127.0.0.1:{port}/page.html")
    snippet = page.locator("#relais-communaute")
    snippet.get_by_text("ne sont pas disponibles").wait_for()  # CORS refused the questions
    assert page.frame_locator("#cadre").get_by_role("link", name=TITLE).count() == 0
    child = page.frame(url=lambda url: "/widget/c/" in url)
    assert child is None or TITLE not in child.content()


def test_the_back_office_pages_are_accessible(page, login, widget_forum):
    """Administrators' pages (the accessibility sweep signs in as a supervisor, who sees the
    indicators only), with data in the charts and a form showing its errors."""
    from relais.community.models import Topic
    from relais.community.services import flag_create, post_reply
    from tests.factories import UserFactory

    topic = Topic.objects.get(title=TITLE)
    bruno = make_member(widget_forum, "bruno", "Bruno dessin")
    answer = post_reply(user=bruno, topic=topic, body="Oui, dès la première vente.")
    flag_create(user=make_member(widget_forum, "carla", "Carla son"), post=answer, reason="spam")
    admin = UserFactory(
        username="admin-communaute",
        role="administrator",
        organization=widget_forum.organization,
        workspaces=[widget_forum.workspace],
    )
    login(admin)
    for name in (
        "community:backoffice",
        "community:backoffice-features",
        "community:backoffice-categories",
        "community:backoffice-trust",
        "community:backoffice-words",
        "community:backoffice-embed",
        "community:backoffice-accessibility",
        "community:accessibility",
    ):
        page.goto(reverse(name))
        assert_accessible(page)
    page.goto(reverse("community:backoffice"))
    page.locator('[data-community-chart="activity"] canvas').wait_for()
    page.goto(reverse("community:backoffice-words"))
    page.get_by_label("Mot ou expression").fill("ar*")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.get_by_text("il faut au moins 3 lettres").first.wait_for()
    assert_accessible(page)

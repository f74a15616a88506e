"""The community's two main flows in a real browser, with the keyboard and axe-core:
a member asks, another answers (quoting, mentioning, with an image), staff validates and the
validated answer is shown first and marked; a member flags, the moderator hides and bans."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from relais.community.models import Attachment, MemberProfile, Post, Sanction, Topic
from relais.community.seo import topic_path
from relais.core.notifications.models import Notification
from tests.community.conftest import make_community, make_member
from tests.e2e.conftest import assert_accessible, tab_to
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def people(transactional_db):
    community = make_community()
    alice = make_member(community, "alice", "Alice photo")
    bruno = make_member(community, "bruno", "Bruno dessin")
    MemberProfile.objects.filter(user=bruno).update(trust_level=1)  # may join an image
    return {
        "community": community,
        "alice": alice,
        "bruno": bruno,
        "moderator": make_member(community, "modo", "Modération", role="moderator"),
        "staff": UserFactory(
            username="conseillere",
            role="supervisor",
            organization=community.organization,
            workspaces=[community.workspace],
        ),
    }


def _image(tmp_path):
    path = tmp_path / "affiche.png"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (20, 90, 160)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _switch(page, login, user):
    page.context.clear_cookies()
    login(user)


def test_a_member_asks_another_answers_and_staff_validates(page, login, people, tmp_path):
    # Alice asks, with the keyboard only.
    login(people["alice"])
    page.goto(reverse("community:topic-create"))
    assert_accessible(page)
    tab_to(page, "#id_category")
    page.keyboard.press("ArrowDown")  # « Cotisations »
    page.get_by_label("Titre").fill("Dois-je payer la CSG sur une bourse de création ?")
    page.get_by_label("Votre message").fill("J'ai reçu une bourse de 5 000 € de ma région.")
    tab_to(page, "button.btn-primary:has-text('Publier')")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Votre sujet est publié.")
    assert_accessible(page)
    topic = Topic.objects.get()
    assert topic.category.slug == "cotisations"

    # Bruno answers: he quotes the question, mentions Alice, joins an image.
    _switch(page, login, people["bruno"])
    page.goto(topic_path(topic))
    page.get_by_role("link", name="Citer ce message dans ma réponse").first.click()
    page.wait_for_load_state()
    reply = page.get_by_label("Votre réponse")
    assert reply.input_value().startswith("> **Alice photo** [a écrit]")
    reply.press("End")
    reply.type("Oui @Alice photo, la bourse est soumise à la CSG comme un revenu artistique.")
    page.get_by_label("Pièces jointes").set_input_files(str(_image(tmp_path)))
    page.get_by_role("button", name="Publier ma réponse").click()
    page.wait_for_selector("text=Votre réponse est publiée.")
    assert_accessible(page)
    answer = Post.objects.get(topic=topic, position=1)
    assert answer.html.startswith("<blockquote>")
    assert Attachment.objects.get(post=answer).thumbnail
    assert page.get_by_role("img", name="Image jointe : affiche.png").is_visible()
    assert Notification.objects.filter(recipient=people["alice"]).count() == 1  # once, a mention

    # A second, unvalidated answer comes after.
    page.get_by_label("Votre réponse").fill("Je crois que non, mais à vérifier.")
    page.get_by_role("button", name="Publier ma réponse").click()
    page.wait_for_selector("text=Votre réponse est publiée.")

    # Staff validates Bruno's first answer from the topic page.
    _switch(page, login, people["staff"])
    page.goto(topic_path(topic))
    page.locator(f"#message-{answer.public_id}").get_by_role(
        "link", name="Valider cette réponse"
    ).click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Service de l'organisme").fill("Service cotisations")
    page.get_by_label("Source ou référence réglementaire").fill(
        "Code de la sécurité sociale, L382-3"
    )
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state()

    # Everyone, even without an account, sees the validated answer first and marked in words.
    page.context.clear_cookies()
    page.goto(topic_path(topic))
    answers = page.locator("section[aria-labelledby=answers-heading] article")
    first = answers.first
    assert first.get_attribute("id") == f"message-{answer.public_id}"
    assert "Réponse validée par l'organisme" in first.inner_text()
    assert "Service cotisations" in first.inner_text()
    assert answers.count() == 2
    assert_accessible(page)


def test_a_member_flags_the_moderator_hides_and_bans(page, login, people):
    from relais.community.services import post_reply, topic_create

    category = people["community"].categories.get(slug="cotisations")
    topic = topic_create(
        user=people["alice"],
        category=category,
        title="Comment obtenir mon attestation de revenus ?",
        body="Je ne la trouve pas dans mon espace.",
        kind="question",
    )
    spam = post_reply(
        user=people["bruno"], topic=topic, body="Achetez des abonnements pas chers ici !"
    )

    # Alice flags it, with the keyboard.
    login(people["alice"])
    page.goto(topic_path(topic))
    tab_to(page, f"#message-{spam.public_id} a[href$='/signaler/']")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Spam ou publicité").check()
    page.get_by_role("button", name="Signaler").click()
    page.wait_for_selector("text=la modération examinera ce message")

    # The moderator confirms the flag (the post is hidden), then bans its author.
    _switch(page, login, people["moderator"])
    page.goto(reverse("community:review-queue"))
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer (masquer)").click()
    page.wait_for_load_state()
    spam.refresh_from_db()
    assert spam.hidden and not spam.is_visible
    page.goto(reverse("community:member-list"))
    page.get_by_role("link", name="Bruno dessin").click()
    page.get_by_role("link", name="Sanctionner").click()
    page.wait_for_load_state()
    page.get_by_label("Mesure").select_option("ban")
    page.get_by_label("Motif (communiqué au membre)").fill("Publicité répétée.")
    tab_to(page, "button.btn-danger")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=le membre en est informé")
    assert_accessible(page)
    ban = Sanction.objects.get()
    assert ban.kind == "ban" and ban.user == people["bruno"]

    # A visitor no longer sees the hidden post.
    page.context.clear_cookies()
    page.goto(topic_path(topic))
    assert page.get_by_text("Achetez des abonnements").count() == 0

"""Attachments: the community's limits refused in French, real images with real thumbnails,
the trust level that unlocks images, safe headers, and no file of a private category for
those who may not read it."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from relais.community.models import Attachment, ContentSettings, MemberProfile
from relais.community.services import post_reply, topic_create
from tests.community.conftest import make_member

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _png(name="affiche.png", size=(1200, 800), color=(200, 30, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _file(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _level(user, community, level):
    MemberProfile.objects.filter(user=user, community=community).update(trust_level=level)


@pytest.fixture
def question(alice, public_category):
    return topic_create(
        user=alice,
        category=public_category,
        title="Quel justificatif pour une exposition ?",
        body="Je joins mon affiche.",
        kind="question",
    )


def _reply(user, topic, *files):
    return post_reply(user=user, topic=topic, body="Voici le document.", attachments=list(files))


def test_an_image_gets_a_real_png_thumbnail_within_320_px(community, bruno, question):
    _level(bruno, community, 1)
    post = _reply(bruno, question, _png())
    [attachment] = post.attachments.all()
    assert attachment.is_image and attachment.content_type == "image/png"
    assert attachment.original_name == "affiche.png" and "affiche" not in attachment.file.name
    with attachment.thumbnail.open("rb") as handle:
        thumbnail = Image.open(handle)
        thumbnail.load()
    assert thumbnail.format == "PNG" and thumbnail.size == (320, 213)


def test_a_new_member_cannot_join_images_until_their_level_allows_it(community, bruno, question):
    ContentSettings.objects.create(community=community, attachment_min_level=0, image_min_level=2)
    _level(bruno, community, 1)
    with pytest.raises(ValidationError) as refused:
        _reply(bruno, question, _png())
    assert refused.value.message_dict["attachments"] == [
        "Votre niveau de confiance (1) ne permet pas encore de joindre des images : "
        "le niveau 2 est requis."
    ]
    assert question.replies_count == 0 and not Attachment.objects.exists()
    _reply(bruno, question, _file("attestation.pdf", MINIMAL_PDF))  # a PDF is allowed at 0
    _level(bruno, community, 2)
    assert _reply(bruno, question, _png()).attachments.get().is_image


def test_type_size_and_count_limits_are_refused_in_french(community, bruno, question):
    ContentSettings.objects.create(
        community=community,
        attachment_max_mb=1,
        attachments_per_post=2,
        attachment_min_level=0,
        image_min_level=0,
    )
    cases = [
        (
            [_file("logo.svg", b"<svg onload='alert(1)'/>")],
            "Le type du fichier « logo.svg » n'est pas accepté. Types acceptés : docx, gif, "
            "jpeg, jpg, odt, pdf, png, txt, webp.",
        ),
        (
            [_file("gros.pdf", MINIMAL_PDF + b"0" * (1024 * 1024))],
            "Le fichier « gros.pdf » dépasse la taille maximale de 1 Mo.",
        ),
        (
            [_file(f"{n}.pdf", MINIMAL_PDF) for n in "abc"],
            "Vous pouvez joindre au plus 2 fichiers à un message.",
        ),
        (
            [_file("faux.pdf", b"<html><script>alert(1)</script></html>")],
            "Le fichier « faux.pdf » n'est pas un fichier PDF valide.",
        ),
        (
            [_file("photo.png", b"\x89PNG\r\n\x1a\n" + b"pas une image")],
            "Le fichier « photo.png » n'est pas une image PNG lisible.",
        ),
        (
            [_png("deguise.jpg")],  # a PNG named .jpg
            "Le fichier « deguise.jpg » n'est pas une image JPG lisible.",
        ),
    ]
    for files, message in cases:
        with pytest.raises(ValidationError) as refused:
            _reply(bruno, question, *files)
        assert refused.value.message_dict["attachments"] == [message]
    assert not Attachment.objects.exists()
    question.refresh_from_db()
    assert question.replies_count == 0  # nothing half-saved


def test_administrators_cannot_accept_script_types(community):
    rules = ContentSettings(community=community, attachment_extensions=["pdf", "SVG", ".html"])
    with pytest.raises(ValidationError) as refused:
        rules.full_clean(exclude=["community"])
    assert "Ces types ne peuvent pas être acceptés" in str(refused.value)


def test_downloads_carry_safe_headers(client, community, bruno, question):
    _level(bruno, community, 1)
    post = _reply(bruno, question, _png(), _file("attestation.pdf", MINIMAL_PDF))
    image, pdf = post.attachments.order_by("id")
    response = client.get(reverse("community:attachment", args=[pdf.public_id]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="attestation.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    response = client.get(reverse("community:attachment", args=[image.public_id]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    thumb = client.get(reverse("community:attachment-thumbnail", args=[image.public_id]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/png"


def test_an_attachment_of_a_private_category_is_not_found_for_those_who_cannot_read_it(
    client, community, alice, bruno, members_category, staff_category, moderator
):
    _level(bruno, community, 1)
    topic = topic_create(
        user=bruno,
        category=members_category,
        title="Entre nous : mon contrat d'édition",
        body="Le contrat en pièce jointe.",
        kind="question",
        attachments=[_file("contrat.pdf", MINIMAL_PDF)],
    )
    url = reverse("community:attachment", args=[topic.posts.get().attachments.get().public_id])
    assert client.get(url).status_code == 404  # an anonymous visitor
    client.force_login(alice)
    assert client.get(url).status_code == 200  # a member reads the members' category
    response = client.get(url)
    assert response["Cache-Control"] == "private, no-store"
    staff_topic = topic_create(
        user=moderator,
        category=staff_category,
        title="Coulisses : modèle de courrier",
        body="Le modèle.",
        kind="discussion",
        attachments=[_file("modele.txt", b"Madame, Monsieur,")],
    )
    staff_file = staff_topic.posts.get().attachments.get()
    assert (
        client.get(reverse("community:attachment", args=[staff_file.public_id])).status_code == 404
    )


def test_an_attachment_of_a_deleted_post_is_hidden_from_other_members(
    client, community, alice, bruno, moderator, question
):
    from relais.community.services import post_delete

    _level(bruno, community, 1)
    post = _reply(bruno, question, _file("note.txt", b"Texte"))
    url = reverse("community:attachment", args=[post.attachments.get().public_id])
    post_delete(user=moderator, post=post, reason="Hors sujet")
    client.force_login(alice)
    assert client.get(url).status_code == 404
    client.force_login(moderator)
    assert client.get(url).status_code == 200


def test_the_reply_form_uploads_and_shows_a_thumbnail(client, community, question):
    carla = make_member(community, "carla", "Carla gravure")
    _level(carla, community, 1)
    client.force_login(carla)
    response = client.post(
        reverse("community:topic-reply", args=[question.public_id]),
        {"body": "Mon affiche", "attachments": [_png("expo.png")]},
    )
    assert response.status_code == 302
    page = client.get(response["Location"].split("#")[0]).content.decode()
    attachment = Attachment.objects.get()
    assert reverse("community:attachment-thumbnail", args=[attachment.public_id]) in page
    assert 'alt="Image jointe : expo.png"' in page
    # Refused by the form: the French message is shown, nothing saved.
    response = client.post(
        reverse("community:topic-reply", args=[question.public_id]),
        {"body": "Un script", "attachments": [_file("x.html", b"<script>")]},
    )
    assert response.status_code == 400
    assert "Le type du fichier « x.html » n&#x27;est pas accepté" in response.content.decode()
    assert Attachment.objects.count() == 1


def test_administrators_set_the_rules_in_the_back_office(client, community, moderator):
    from relais.core.accounts.roles import Role
    from tests.factories import UserFactory

    admin = UserFactory(
        username="admin-com",
        role=Role.ADMINISTRATOR,
        organization=community.organization,
        workspaces=[community.workspace],
    )
    url = reverse("community:backoffice-content")
    client.force_login(moderator)
    assert client.get(url).status_code == 403
    client.force_login(admin)
    fields = {
        "attachment_extensions": "pdf, .PNG",
        "attachment_max_mb": "2",
        "attachments_per_post": "1",
        "attachment_min_level": "0",
        "image_min_level": "3",
        "link_min_level": "1",
        "wiki_min_level": "2",
        "wiki_edit_min_level": "0",
        "tag_mode": "free",
        "free_tag_min_level": "1",
        "tags_per_topic": "3",
    }
    response = client.post(url, {**fields, "attachment_extensions": "pdf, svg"})
    assert response.status_code == 400
    assert "Ces types ne peuvent pas être acceptés" in response.content.decode()
    assert client.post(url, fields).status_code == 302
    rules = ContentSettings.objects.get(community=community)
    assert rules.extensions() == {"pdf", "png"} and rules.image_min_level == 3
    assert rules.link_min_level == 1
    assert (rules.wiki_min_level, rules.wiki_edit_min_level) == (2, 0)
    assert 'value="pdf, png"' in client.get(url).content.decode()


def test_erasing_an_account_with_its_posts_removes_its_files(community, bruno, question):
    from relais.community.models import Draft, Subscription
    from relais.community.services.drafts import draft_save
    from relais.community.services.gdpr import member_delete
    from tests.factories import PASSWORD

    _level(bruno, community, 1)
    post = _reply(bruno, question, _png())
    stored = post.attachments.get()
    storage, names = stored.file.storage, [stored.file.name, stored.thumbnail.name]
    draft_save(user=bruno, community=community, topic=question, body="Brouillon")
    profile = MemberProfile.objects.get(user=bruno, community=community)
    member_delete(
        user=bruno, profile=profile, password=PASSWORD, confirm="SUPPRIMER", erase_posts=True
    )
    assert not Attachment.objects.exists()
    assert not any(storage.exists(name) for name in names)
    assert not Draft.objects.filter(user=bruno).exists()
    assert not Subscription.objects.filter(user=bruno).exists()

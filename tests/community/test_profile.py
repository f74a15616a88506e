"""The member's profile: display name rules, branch, notification preferences (kernel),
e-mail consent (kernel consent history), avatar type / size limits and thumbnail, served
through a view that checks the community."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from relais.community.models import MemberProfile
from relais.core.audit.models import AuditEntry
from relais.core.notifications.models import NotificationPreference
from tests.community.conftest import make_community, make_member


def _image(fmt="PNG", size=(800, 400), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def _profile(user, community):
    return MemberProfile.objects.get(user=user, community=community)


def _save(client, **overrides):
    data = {
        "display_name": "Alice photo",
        "branch": "photographie",
        "notify_in_app": "on",
        "email_frequency": "daily",
        "email_consent": "",
    }
    data.update(overrides)
    return client.post(reverse("community:profile"), data)


def test_the_profile_page_saves_name_branch_preferences_and_consent(client, community, alice):
    client.force_login(alice)
    assert client.get(reverse("community:profile")).status_code == 200
    response = _save(
        client,
        display_name="Alice argentique",
        branch="arts-graphiques",
        notify_in_app="",
        email_frequency="never",
        email_consent="on",
    )
    assert response.status_code == 302
    profile = _profile(alice, community)
    assert profile.display_name == "Alice argentique" and profile.branch == "arts-graphiques"
    assert not profile.notify_in_app
    preference = NotificationPreference.objects.get(user=alice)
    assert preference.email_frequency == "never"
    assert "community.reply" in preference.muted_categories
    assert profile.person.consent_email
    consent = AuditEntry.objects.filter(action="contact.consent").last()
    assert consent.after["source"] == "community.profile"
    _save(client, email_consent="")
    profile.person.refresh_from_db()
    assert not profile.person.consent_email


def test_display_name_rules_in_french(client, community, alice, bruno):
    client.force_login(alice)
    taken = _save(client, display_name="Bruno dessin")
    assert taken.status_code == 400 and "déjà pris" in taken.content.decode()
    legal = _save(client, display_name="Prénom Nom alice")
    assert legal.status_code == 400 and "nom civil" in legal.content.decode()
    short = _save(client, display_name="Al")
    assert "au moins 3 caractères" in short.content.decode()
    assert _profile(alice, community).display_name == "Alice photo"


def test_an_avatar_is_reencoded_with_a_square_thumbnail(client, community, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("moi.jpg", _image("JPEG"), content_type="image/jpeg")
    response = client.post(reverse("community:profile-avatar"), {"avatar": upload})
    assert response.status_code == 302
    profile = _profile(alice, community)
    with profile.avatar.open("rb") as stored:
        big = Image.open(stored)
        assert big.format == "PNG" and max(big.size) == 512
    with profile.avatar_thumbnail.open("rb") as stored:
        assert Image.open(stored).size == (96, 96)
    client.logout()  # a visitor sees it (public category readers)
    served = client.get(reverse("community:member-avatar", kwargs={"member_id": profile.public_id}))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (96, 96)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("faux.png", b"<script>alert(1)</script>", "pas une image lisible"),
        ("image.bmp", _image("BMP", size=(10, 10)), "Formats acceptés"),
        ("lourd.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 1), "ne doit pas dépasser 2 Mo"),
    ],
    ids=["not-an-image", "bmp", "too-heavy"],
)
def test_bad_avatars_are_refused_in_french(client, community, alice, name, content, message):
    client.force_login(alice)
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = client.post(reverse("community:profile-avatar"), {"avatar": upload}, follow=True)
    assert message in response.content.decode()
    assert not _profile(alice, community).avatar


def test_another_communitys_avatar_is_not_found(client, community, alice):
    other = make_community(slug="autre")
    zoe = make_member(other, "zoe", "Zoé ailleurs")
    client.force_login(zoe)
    client.post(
        reverse("community:profile-avatar"),
        {"avatar": SimpleUploadedFile("z.png", _image(), content_type="image/png")},
    )
    # Zoé's home organization is the other one: her avatar is served there…
    zoe_profile = _profile(zoe, other)
    assert zoe_profile.avatar_thumbnail
    client.force_login(alice)  # …and not in Alice's community.
    url = reverse("community:member-avatar", kwargs={"member_id": zoe_profile.public_id})
    assert client.get(url).status_code == 404

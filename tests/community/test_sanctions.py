"""Sanctions: silence (read-only), suspension (no login), ban (e-mail refused at sign-up),
escalating durations, the member told what, why and until when, lifting, the moderation
log and the interaction log, the moderators' pages."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from relais.community.models import MemberProfile, MemberSettings, Sanction
from relais.community.services import post_reply, topic_create
from relais.community.services.sanctions import sanction_apply, sanction_lift
from relais.core.audit.models import AuditEntry
from relais.core.interactions.models import Interaction
from relais.core.notifications.models import Notification
from tests.community.conftest import make_community, make_member
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _profile(user, community):
    return MemberProfile.objects.get(user=user, community=community)


def _apply(moderator, user, community, kind="silence", captured=None, **kwargs):
    kwargs.setdefault("reason", "Propos insultants envers un autre membre.")
    if captured is None:
        return sanction_apply(
            user=moderator, profile=_profile(user, community), kind=kind, **kwargs
        )
    with captured(execute=True):
        return sanction_apply(
            user=moderator, profile=_profile(user, community), kind=kind, **kwargs
        )


def _ask(user, category):
    return topic_create(
        user=user,
        category=category,
        title="Question sur la retraite complémentaire",
        body="Comment sont calculés les points ?",
        kind="question",
    )


def test_a_silenced_member_cannot_post_and_is_told_why_in_french(
    community, alice, bruno, moderator, public_category
):
    topic = _ask(bruno, public_category)
    _apply(moderator, alice, community, "silence")
    with pytest.raises(ValidationError) as error:
        _ask(alice, public_category)
    message = " ".join(error.value.messages)
    assert "lecture seule" in message and "Propos insultants" in message
    assert "jusqu'au 16 juin 2025" in message  # one day from the fixed clock
    with pytest.raises(ValidationError, match="lecture seule"):
        post_reply(user=alice, topic=topic, body="Je réponds quand même.")


def test_silence_ends_by_itself(community, alice, moderator, public_category, fixed_clock):
    _apply(moderator, alice, community, "silence")
    fixed_clock.shift(datetime.timedelta(days=1, minutes=1))
    assert _ask(alice, public_category).pk


def test_escalation_follows_the_steps_then_stays_permanent(
    community, alice, moderator, fixed_clock
):
    durations = []
    for _number in range(5):
        sanction = _apply(moderator, alice, community, "silence")
        durations.append(
            None if sanction.ends_at is None else (sanction.ends_at - sanction.starts_at).days
        )
        sanction_lift(user=moderator, sanction=sanction, reason="Levée pour la suite du test.")
    assert durations == [1, 7, 30, None, None]
    assert [s.step for s in Sanction.objects.order_by("starts_at", "id")] == [1, 2, 3, 4, 5]


def test_the_steps_are_configurable_and_an_explicit_duration_overrides_them(
    community, alice, bruno, moderator
):
    MemberSettings.objects.create(community=community, sanction_steps=[3, 14])
    first = _apply(moderator, alice, community)
    second = _apply(moderator, alice, community)
    third = _apply(moderator, alice, community)
    assert [(s.ends_at - s.starts_at).days for s in (first, second, third)] == [3, 14, 14]
    forever = _apply(moderator, bruno, community, "suspend", days=None)
    assert forever.ends_at is None


def test_a_mistaken_sanction_no_longer_counts(community, alice, moderator):
    first = _apply(moderator, alice, community)
    sanction_lift(user=moderator, sanction=first, reason="Mauvais membre.", mistaken=True)
    assert (_apply(moderator, alice, community).ends_at - first.starts_at).days == 1


def test_the_member_is_told_what_why_and_until_when(
    community, alice, moderator, django_capture_on_commit_callbacks
):
    _apply(moderator, alice, community, "suspend", django_capture_on_commit_callbacks)
    notice = Notification.objects.get(recipient=alice, category="community.sanction")
    assert "Suspension" in notice.title
    assert "Propos insultants" in notice.body and "jusqu'au 16 juin 2025" in notice.body
    assert notice.url == reverse("community:profile")
    sent = [m for m in mail.outbox if m.to == ["alice@exemple.fr"]]
    assert len(sent) == 1
    assert "Propos insultants" in sent[0].body and "16 juin 2025" in sent[0].body


def test_every_action_is_in_the_moderation_log_and_the_interaction_log(community, alice, moderator):
    sanction = _apply(moderator, alice, community, "ban")
    sanction_lift(user=moderator, sanction=sanction, reason="Recours accepté.")
    actions = list(
        AuditEntry.objects.filter(action__startswith="community.member.").values_list(
            "action", flat=True
        )
    )
    assert "community.member.ban" in actions and "community.member.sanction_lift" in actions
    person = _profile(alice, community).person
    codes = set(Interaction.objects.filter(person=person).values_list("event_code", flat=True))
    assert {"community.member.banned", "community.member.sanction_lifted"} <= codes
    row = Interaction.objects.get(person=person, event_code="community.member.banned")
    assert (
        row.actor_id == moderator.pk and row.summary == "Propos insultants envers un autre membre."
    )


def test_a_suspended_member_cannot_log_in_and_is_signed_out_everywhere(
    client, community, alice, moderator
):
    other = client.__class__()
    other.force_login(alice)
    assert Session.objects.count() == 1
    _apply(moderator, alice, community, "suspend")
    assert Session.objects.count() == 0  # the open session is gone
    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": PASSWORD}, follow=True
    )
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "Votre compte est suspendu" in html and "Propos insultants" in html


def test_after_the_suspension_the_member_logs_in_again(
    client, community, alice, moderator, fixed_clock
):
    _apply(moderator, alice, community, "suspend")
    fixed_clock.shift(datetime.timedelta(days=2))
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_a_banned_email_cannot_sign_up_again(client, community, alice, moderator):
    _apply(moderator, alice, community, "ban", days=None)
    alice.email = "ancienne@exemple.fr"  # even after changing the account's address
    alice.save()
    response = client.post(
        reverse("community:signup"),
        {
            "display_name": "Nouvelle identité",
            "email": "Alice@Exemple.fr",
            "password": "Pinceau-et-Plume-2025",
            "accept_charter": "on",
        },
    )
    assert response.status_code == 400
    assert "ne peut plus s&#x27;inscrire" in response.content.decode()
    assert not MemberProfile.objects.filter(display_name="Nouvelle identité").exists()


def test_moderators_and_staff_cannot_be_sanctioned_nor_sanction(community, alice, bruno, moderator):
    colleague = make_member(community, "modo2", "Autre modération", role="moderator")
    with pytest.raises(ValidationError, match="modération ou à l'équipe"):
        sanction_apply(
            user=moderator, profile=_profile(colleague, community), kind="ban", reason="x"
        )
    with pytest.raises(PermissionDenied):
        sanction_apply(user=alice, profile=_profile(bruno, community), kind="ban", reason="x")
    with pytest.raises(ValidationError) as error:
        sanction_apply(user=moderator, profile=_profile(bruno, community), kind="ban", reason=" ")
    assert "Indiquez le motif" in str(error.value)


def test_moderator_pages_apply_and_lift(client, community, alice, moderator):
    client.force_login(moderator)
    member = _profile(alice, community)
    page = client.get(reverse("community:member-detail", kwargs={"member_id": member.public_id}))
    assert (
        page.status_code == 200
        and "Prochaine sanction progressive : 1 jour" in page.content.decode()
    )
    url = reverse("community:member-sanction", kwargs={"member_id": member.public_id})
    refused = client.post(url, {"kind": "silence", "duration": "auto", "reason": ""})
    assert refused.status_code == 400 and "Indiquez le motif" in refused.content.decode()
    done = client.post(url, {"kind": "silence", "duration": "7", "reason": "Spam répété."})
    assert done.status_code == 302
    sanction = Sanction.objects.get(profile=member)
    assert (sanction.ends_at - sanction.starts_at).days == 7
    lift_url = reverse("community:sanction-lift", kwargs={"sanction_id": sanction.public_id})
    assert client.get(lift_url).status_code == 200
    assert client.post(lift_url, {"reason": "Erreur de lecture."}).status_code == 302
    sanction.refresh_from_db()
    assert sanction.lifted_at is not None and sanction.lifted_by == moderator


def test_members_and_other_communities_do_not_reach_the_pages(client, community, alice, bruno):
    other = make_community(slug="autre")
    stranger = make_member(other, "zoe", "Zoé ailleurs")
    member = _profile(bruno, community)
    client.force_login(alice)
    url = reverse("community:member-sanction", kwargs={"member_id": member.public_id})
    assert client.get(url).status_code == 403
    foreign_moderator = make_member(other, "modo2", "Modération autre", role="moderator")
    client.force_login(foreign_moderator)
    assert client.get(url).status_code == 404
    assert stranger.pk  # the other community exists with its own member


def test_a_silenced_member_cannot_edit_their_posts_but_moderators_still_can(
    community, alice, moderator, public_category
):
    from relais.community.services import post_edit

    topic = _ask(alice, public_category)
    question = topic.posts.get(position=0)
    _apply(moderator, alice, community, "silence")
    with pytest.raises(ValidationError, match="lecture seule"):
        post_edit(user=alice, post=question, body="Texte changé pendant la sourdine.")
    edited = post_edit(
        user=moderator, post=question, body="Texte modéré.", reason="Données personnelles."
    )
    assert edited.body == "Texte modéré."


def test_the_longest_ongoing_sanction_is_the_one_told(community, alice, moderator):
    from relais.community.services.sanctions import posting_refusal

    _apply(moderator, alice, community, "silence", days=None, reason="Définitif.")
    _apply(moderator, alice, community, "silence", days=1, reason="Un jour.")
    refusal = posting_refusal(_profile(alice, community))
    assert "sans limite de durée" in refusal and "Définitif." in refusal

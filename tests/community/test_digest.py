"""The e-mail digest of watched topics and categories: content, frequency, consent, the
unsubscribe link, and the periodic task through a real SMTP server."""

import datetime
import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from relais.community.models import MemberProfile, Sanction
from relais.community.services import post_reply, topic_create
from relais.community.services.digest import digest_frequency_set, digests_send
from relais.community.services.notifications import subscription_set
from relais.core.audit.models import AuditEntry
from relais.core.notifications.services import notification_preferences_update
from tests.community.test_signup import smtp_server  # noqa: F401 - the real SMTP fixture

MONDAY_MORNING = datetime.datetime(2025, 6, 16, 5, 30, tzinfo=datetime.UTC)


@pytest.fixture
def activity(community, alice, bruno, public_category, members_category, fixed_clock):
    """Bruno watches the « Cotisations » category and Alice's question; a day of activity."""
    question = topic_create(
        user=alice,
        category=public_category,
        title="Faut-il déclarer une résidence d'artiste ?",
        body="Bourse de 3 000 €.",
        kind="question",
    )
    subscription_set(user=bruno, community=community, category=public_category, watch=True)
    subscription_set(user=bruno, community=community, topic=question, watch=True)
    fixed_clock.shift(datetime.timedelta(hours=1))
    topic_create(
        user=alice,
        category=public_category,
        title="Précompte sur une cession de droits",
        body="Qui le prélève ?",
        kind="question",
    )
    post_reply(user=alice, topic=question, body="Précision : la bourse est versée par une région.")
    post_reply(user=bruno, topic=question, body="Ma propre réponse, pas dans mon résumé.")
    profile = MemberProfile.objects.get(user=bruno, community=community)
    digest_frequency_set(profile=profile, frequency="daily", actor=bruno, source="profile")
    mail.outbox.clear()
    return profile


def test_the_daily_digest_lists_what_is_new_and_not_the_members_own_posts(
    community, activity, fixed_clock
):
    fixed_clock.shift(datetime.timedelta(hours=20))
    assert digests_send(community=community) == 1
    [message] = mail.outbox
    assert message.to == ["bruno@exemple.fr"]
    assert message.subject.endswith(
        "Communauté des artistes-auteurs : 3 nouveautés dans les sujets que vous suivez"
    )
    body = message.body
    # The day's new topics of the watched category (both questions) and the new reply.
    assert "Nouveau sujet dans Cotisations : Faut-il déclarer une résidence d'artiste ?" in body
    assert "Nouveau sujet dans Cotisations : Précompte sur une cession de droits" in body
    assert "Nouvelle réponse : Faut-il déclarer une résidence d'artiste ?" in body
    assert "Ma propre réponse" not in body
    assert "Bonjour Bruno dessin," in body and "Nom bruno" not in body  # never the legal name
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Sent once: a second run the same day sends nothing.
    assert digests_send(community=community) == 0 and len(mail.outbox) == 1


def test_nothing_new_sends_nothing_and_a_withdrawn_consent_is_respected(
    community, activity, bruno, fixed_clock
):
    notification_preferences_update(user=bruno, email_frequency="never")
    fixed_clock.shift(datetime.timedelta(hours=20))
    assert digests_send(community=community) == 0
    notification_preferences_update(user=bruno, email_frequency="daily")
    digest_frequency_set(profile=activity, frequency="never", source="profile")
    assert digests_send(community=community) == 0
    assert mail.outbox == []


def test_a_suspended_member_gets_no_digest(community, activity, moderator, bruno, fixed_clock):
    Sanction.objects.create(
        community=community,
        profile=activity,
        user=bruno,
        kind=Sanction.Kind.SUSPEND,
        reason="Propos injurieux",
        starts_at=datetime.datetime(2025, 6, 15, 9, tzinfo=datetime.UTC),
        moderator=moderator,
    )
    fixed_clock.shift(datetime.timedelta(hours=20))
    assert digests_send(community=community) == 0


def test_a_category_the_member_can_no_longer_read_leaves_the_digest(
    community, activity, public_category, fixed_clock
):
    public_category.read_access = "staff"  # the team closed it to members
    public_category.save()
    fixed_clock.shift(datetime.timedelta(hours=20))
    assert digests_send(community=community) == 0 and mail.outbox == []


def test_weekly_digests_leave_on_mondays_only(community, activity, fixed_clock):
    digest_frequency_set(profile=activity, frequency="weekly", source="profile")
    fixed_clock.shift(datetime.timedelta(hours=3))  # still Sunday 15 June 2025
    assert digests_send(community=community) == 0
    fixed_clock.move_to(MONDAY_MORNING)
    assert digests_send(community=community) == 1
    assert "Voici les nouveautés de la semaine" in mail.outbox[0].body


def test_the_unsubscribe_link_works_without_signing_in_and_a_get_changes_nothing(
    client, community, activity, fixed_clock
):
    fixed_clock.shift(datetime.timedelta(hours=20))
    digests_send(community=community)
    link = re.search(r"http://\S+/resume/desinscription/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200 and "Ne plus recevoir le résumé" in page.content.decode()
    activity.refresh_from_db()
    assert activity.digest_frequency == "daily"
    assert client.post(path).status_code == 200
    activity.refresh_from_db()
    assert activity.digest_frequency == "never"
    entry = AuditEntry.objects.filter(action="community.digest.frequency").latest("id")
    assert entry.after == {"digest_frequency": "never", "source": "unsubscribe-link"}
    forged = path.rstrip("/")[:-3] + "abc/"
    assert client.post(forged).status_code == 404


def test_the_periodic_task_sends_through_a_real_smtp_server(
    community,
    activity,
    fixed_clock,
    smtp_server,  # noqa: F811
):
    from relais.community.tasks import community_digest_task

    fixed_clock.shift(datetime.timedelta(hours=20))
    assert community_digest_task.call_local() == 1
    for _tick in range(250):  # the server thread runs on real time
        if smtp_server.messages:
            break
        time.sleep(0.02)
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["bruno@exemple.fr"]
    assert "Précompte sur une cession de droits" in message.get_content()
    assert message["List-Unsubscribe"].strip().startswith("<http")


def test_the_member_chooses_the_digest_on_their_subscriptions_page(
    client, community, bruno, public_category
):
    client.force_login(bruno)
    url = reverse("community:subscriptions")
    assert client.post(url, {"digest_frequency": "hourly"}).status_code == 400
    assert client.post(url, {"digest_frequency": "weekly"}).status_code == 302
    assert MemberProfile.objects.get(user=bruno).digest_frequency == "weekly"
    assert "Aucun sujet suivi." in client.get(url).content.decode()

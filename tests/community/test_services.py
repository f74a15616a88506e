"""The forum's business rules, through the services (real database, no mocks)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from relais.community.models import Flag, MemberProfile, OfficialAnswer, Post, PostRevision
from relais.community.models.forum import Topic
from relais.community.services import (
    answer_accept,
    answer_validate,
    auto_hide_rule,
    flag_create,
    flag_decide,
    flag_weight,
    member_join,
    official_answer_publish,
    official_reviews_mark_due,
    post_delete,
    post_edit,
    post_reply,
    post_restore,
    topic_close,
    topic_create,
    topic_move,
    trust_level_compute,
    trust_level_update,
)
from relais.community.services._common import body_hash
from relais.core.audit.models import AuditEntry
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.interactions.models import Interaction
from relais.core.knowledge.models import Entry
from tests.community.conftest import make_member
from tests.factories import UserFactory

QUESTION = "Comment déclarer mes revenus artistiques en BNC ?"


@pytest.fixture
def question(alice, public_category):
    return topic_create(
        user=alice,
        category=public_category,
        title=QUESTION,
        body="Je suis photographe, **première année**. Que déclarer ?",
        kind=Topic.Kind.QUESTION,
    )


@pytest.fixture
def answer(bruno, question):
    return post_reply(user=bruno, topic=question, body="Sur la déclaration 2042-C-PRO, case 5HQ.")


def _events(community, code):
    return Interaction.objects.filter(workspace=community.workspace, event_code=code)


# --- members -------------------------------------------------------------------------------


def test_joining_links_the_member_to_one_kernel_person_and_keeps_the_legal_name_private(
    community,
):
    user = UserFactory(
        role="member",
        organization=community.organization,
        first_name="Jeanne",
        last_name="Martin",
        email="jeanne@exemple.fr",
    )
    profile = member_join(
        user=user, community=community, display_name="Jeanne M. sculpte", accept_charter=True
    )
    assert profile.person.last_name == "Martin"
    assert profile.person.workspace_id == community.workspace_id
    assert profile.charter_accepted_at is not None
    assert _events(community, "community.member.joined").get().person_id == profile.person_id


def test_joining_refuses_the_legal_name_as_display_name_and_a_refused_charter(community):
    user = UserFactory(
        role="member", organization=community.organization, first_name="Jeanne", last_name="Martin"
    )
    with pytest.raises(ValidationError) as error:
        member_join(user=user, community=community, display_name="jeanne martin")
    assert "nom civil" in str(error.value.message_dict["display_name"])
    assert "charte" in str(error.value.message_dict["accept_charter"])
    assert not MemberProfile.objects.filter(user=user).exists()


def test_a_member_already_known_to_the_body_reuses_their_person(community):
    from relais.core.contacts.services import person_create

    known = person_create(
        actor=None, workspace=community.workspace, last_name="Durand", email="paul@exemple.fr"
    )
    user = UserFactory(role="member", organization=community.organization, email="PAUL@exemple.fr")
    profile = member_join(
        user=user, community=community, display_name="Paul compose", accept_charter=True
    )
    assert profile.person_id == known.pk


# --- topics and answers --------------------------------------------------------------------


def test_a_question_is_rendered_sanitised_searchable_and_logged(question, community):
    post = question.posts.get(position=0)
    assert "<strong>première année</strong>" in post.html
    assert question.slug == "comment-declarer-mes-revenus-artistiques-en-bnc"
    asked = _events(community, "community.question.asked").get()
    assert asked.case_key == f"community-topic:{question.public_id}"
    assert asked.person.last_name == "Nom alice"


def test_script_in_a_post_is_escaped_and_dangerous_links_dropped(alice, question):
    post = post_reply(
        user=alice,
        topic=question,
        body="<script>alert(1)</script> [piège](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    assert "<script" not in post.html and "&lt;script&gt;" in post.html
    assert 'href="javascript' not in post.html
    assert "<img" not in post.html


def test_a_closed_topic_refuses_replies(moderator, bruno, question):
    topic_close(user=moderator, topic=question, reason="Résolu au téléphone")
    with pytest.raises(ValidationError, match="fermé"):
        post_reply(user=bruno, topic=question, body="Encore une réponse")


def test_a_non_member_cannot_post_and_cannot_even_see_a_staff_category(
    community, alice, staff_category
):
    stranger = UserFactory(organization=None, role=None)
    with pytest.raises(AccessDenied):
        topic_create(
            user=stranger,
            category=community.categories.get(slug="cotisations"),
            title="Une question de visiteur",
            body="texte",
            kind="question",
        )
    with pytest.raises(NotFound):
        topic_create(
            user=alice,
            category=staff_category,
            title="Question en coulisses",
            body="texte",
            kind="question",
        )


def test_the_author_accepts_one_answer_and_another_member_cannot(alice, bruno, question, answer):
    with pytest.raises(AccessDenied):
        answer_accept(user=bruno, post=answer)
    topic = answer_accept(user=alice, post=answer)
    assert topic.accepted_answer_id == answer.pk
    with pytest.raises(ValidationError):
        answer_accept(user=alice, post=question.posts.get(position=0))
    assert _events(question.community, "community.answer.accepted").count() == 1


def test_an_edit_keeps_the_history(bruno, answer):
    post_edit(user=bruno, post=answer, body="Case 5HQ, et le régime micro-BNC.")
    assert list(PostRevision.objects.filter(post=answer).values_list("number", "body")) == [
        (1, "Sur la déclaration 2042-C-PRO, case 5HQ."),
        (2, "Case 5HQ, et le régime micro-BNC."),
    ]
    answer.refresh_from_db()
    assert answer.revisions_count == 2 and answer.edited_at is not None


def test_another_member_cannot_edit_and_a_moderator_must_give_a_reason(alice, moderator, answer):
    with pytest.raises(AccessDenied):
        post_edit(user=alice, post=answer, body="Réécrit par Alice")
    with pytest.raises(ValidationError) as error:
        post_edit(user=moderator, post=answer, body="Corrigé")
    assert "motif" in str(error.value.message_dict["reason"])


def test_delete_and_restore_a_question_with_reason(moderator, question, community):
    first = question.posts.get(position=0)
    with pytest.raises(ValidationError):
        post_delete(user=moderator, post=first, reason=" ")
    post_delete(user=moderator, post=first, reason="Doublon")
    question.refresh_from_db()
    assert question.is_deleted and question.deleted_reason == "Doublon"
    post_restore(user=moderator, post=first, reason="Erreur de modération")
    question.refresh_from_db()
    assert not question.is_deleted
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"community.post.delete", "community.post.restore"} <= actions


def test_move_stays_inside_the_community(moderator, question, members_category):
    from tests.community.conftest import make_community

    other = make_community(slug="autre")
    with pytest.raises(ValidationError):
        topic_move(user=moderator, topic=question, category=other.categories.first(), reason="x")
    topic_move(user=moderator, topic=question, category=members_category, reason="Réservé")
    question.refresh_from_db()
    assert question.category_id == members_category.pk


# --- official answers ----------------------------------------------------------------------


def test_validation_records_who_when_source_hash_and_publishes_to_knowledge(staff, answer):
    official = answer_validate(
        user=staff,
        post=answer,
        service_name="Service relation artistes-auteurs",
        source_text="Article L382-3 du code de la sécurité sociale",
        review_date=datetime.date(2026, 1, 15),
    )
    assert official.kind == OfficialAnswer.Kind.VALIDATED
    assert official.validator == staff and official.validated_at is not None
    assert official.text_hash == body_hash(answer.body)
    entry = official.knowledge_entry
    assert entry.status == Entry.Status.VALIDATED
    assert entry.origin == Entry.Origin.COMMUNITY_ANSWER and entry.origin_ref == str(
        answer.public_id
    )
    assert entry.question == QUESTION and entry.validated_by == staff
    answer.topic.refresh_from_db()
    assert answer.topic.official_count == 1


def test_editing_a_validated_text_suspends_the_validation_until_validated_again(
    staff, bruno, answer, community
):
    official = answer_validate(user=staff, post=answer, service_name="Service affiliation")
    post_edit(user=bruno, post=answer, body="Finalement, case 5HQ et 5HR.")
    official.refresh_from_db()
    assert official.state == OfficialAnswer.State.SUSPENDED
    assert official.knowledge_entry.status == Entry.Status.SUSPENDED
    answer.topic.refresh_from_db()
    assert answer.topic.official_count == 0
    assert _events(community, "community.validation.suspended").count() == 1
    # The same words again (white space aside) do not count as an edit.
    post_edit(user=bruno, post=answer, body="Finalement,  case 5HQ et 5HR. ")
    renewed = answer_validate(user=staff, post=answer, service_name="Service affiliation")
    assert renewed.pk == official.pk and renewed.state == OfficialAnswer.State.ACTIVE
    assert renewed.text_hash == body_hash("Finalement, case 5HQ et 5HR.")
    assert renewed.knowledge_entry.status == Entry.Status.VALIDATED
    answer.topic.refresh_from_db()
    assert answer.topic.official_count == 1


def test_members_and_moderators_cannot_validate(bruno, moderator, answer):
    for user in (bruno, moderator):
        with pytest.raises(AccessDenied):
            answer_validate(user=user, post=answer, service_name="Service")


def test_an_official_answer_is_signed_by_a_service_and_reaches_knowledge(staff, question):
    with pytest.raises(ValidationError) as error:
        official_answer_publish(user=staff, topic=question, body="Réponse", service_name="")
    assert "service" in str(error.value.message_dict["service_name"])
    official = official_answer_publish(
        user=staff,
        topic=question,
        body="Déclarez en **BNC** vos revenus artistiques.",
        service_name="Service information",
        source_url="https://www.secu-artistes-auteurs.fr/",
    )
    assert official.kind == OfficialAnswer.Kind.ORGANISATION
    assert official.post.position == 1
    assert official.knowledge_entry.status == Entry.Status.VALIDATED
    assert _events(question.community, "community.official.published").get().direction == "out"


def test_a_passed_review_date_puts_the_answer_back_in_review(staff, answer, community):
    answer_validate(
        user=staff, post=answer, service_name="Service", review_date=datetime.date(2025, 6, 1)
    )
    assert official_reviews_mark_due(community=community) == 1
    assert OfficialAnswer.objects.get().state == OfficialAnswer.State.REVIEW_DUE


# --- flags and auto-hide -------------------------------------------------------------------


def _flaggers(community, n):
    return [make_member(community, f"flag{i}", f"Signaleur {i}") for i in range(n)]


def test_weights_follow_level_and_accuracy(community, alice):
    profile = MemberProfile.objects.get(user=alice)
    assert flag_weight(profile, community) == Decimal("1.00")
    profile.trust_level, profile.flags_agreed = 2, 8
    assert flag_weight(profile, community) == Decimal("2.10")  # 1.5 × (0.5 + 9/10)
    profile.flags_agreed, profile.flags_disagreed = 0, 8
    assert flag_weight(profile, community) == Decimal("0.90")  # 1.5 × (0.5 + 1/10)
    assert "3" in auto_hide_rule(community) and "précision" in auto_hide_rule(community)


def test_flags_reaching_the_threshold_hide_and_disagree_shows_again(community, moderator, answer):
    flaggers = _flaggers(community, 3)
    flag_create(user=flaggers[0], post=answer, reason=Flag.Reason.SPAM)
    flag_create(user=flaggers[1], post=answer, reason=Flag.Reason.OFF_TOPIC)
    answer.refresh_from_db()
    assert answer.hidden == ""  # 2 < 3
    flag_create(user=flaggers[2], post=answer, reason=Flag.Reason.INAPPROPRIATE)
    answer.refresh_from_db()
    assert answer.hidden == Post.Hidden.FLAGS
    flag_decide(user=moderator, post=answer, decision="disagree")
    answer.refresh_from_db()
    assert answer.hidden == ""
    assert set(Flag.objects.values_list("state", flat=True)) == {Flag.State.DISAGREED}
    assert set(
        MemberProfile.objects.filter(user__in=flaggers).values_list("flags_disagreed", flat=True)
    ) == {1}


def test_agree_keeps_it_hidden_and_counts_against_the_author(community, moderator, bruno, answer):
    flag_create(
        user=_flaggers(community, 1)[0],
        post=answer,
        reason=Flag.Reason.OTHER,
        text="Publicité déguisée",
    )
    flag_decide(user=moderator, post=answer, decision="agree", note="Publicité")
    answer.refresh_from_db()
    assert answer.hidden == Post.Hidden.MODERATOR
    assert MemberProfile.objects.get(user=bruno).flags_received == 1
    assert MemberProfile.objects.get(user__username="flag0").flags_agreed == 1
    assert Interaction.objects.filter(event_code="community.flag.decided", outcome="agree").exists()


def test_a_flag_needs_a_reason_and_is_made_once(community, alice, answer):
    with pytest.raises(ValidationError):
        flag_create(user=alice, post=answer, reason=Flag.Reason.OTHER)
    flag_create(user=alice, post=answer, reason=Flag.Reason.SPAM)
    with pytest.raises(ValidationError, match="déjà"):
        flag_create(user=alice, post=answer, reason=Flag.Reason.SPAM)


def test_members_cannot_decide_flags(community, alice, bruno, answer):
    flag_create(user=alice, post=answer, reason=Flag.Reason.SPAM)
    with pytest.raises(AccessDenied):
        flag_decide(user=alice, post=answer, decision="agree")


# --- trust levels --------------------------------------------------------------------------


def test_trust_promotion_and_demotion(community, bruno):
    profile = MemberProfile.objects.get(user=bruno)
    assert trust_level_compute(profile) == 0
    MemberProfile.objects.filter(pk=profile.pk).update(
        days_visited=20,
        posts_read=150,
        reading_seconds=3600,
        posts_count=5,
        likes_given=2,
        likes_received=3,
    )
    profile.refresh_from_db()
    assert trust_level_update(profile=profile).trust_level == 2
    # Two upheld flags against the member: above level 2's maximum (1), within level 1's (3).
    MemberProfile.objects.filter(pk=profile.pk).update(flags_received=2)
    profile.refresh_from_db()
    assert trust_level_update(profile=profile).trust_level == 1
    outcomes = list(
        Interaction.objects.filter(event_code="community.trust.changed")
        .order_by("id")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["promoted", "demoted"]


def test_thresholds_are_the_communitys_own(community, bruno):
    community.trust_thresholds = {"1": {"days_visited": 2}, "2": {"days_visited": 3}}
    community.save()
    profile = MemberProfile.objects.get(user=bruno)
    profile.days_visited = 2
    assert trust_level_compute(profile, community.thresholds()) == 1
    profile.days_visited = 3
    assert trust_level_compute(profile, community.thresholds()) == 2


def test_views_are_counted_without_writing_then_flushed(client, question, community):
    from django.core.cache import cache

    from relais.community.seo import topic_path
    from relais.community.services.forum import topic_views_flush

    cache.clear()  # ids are reused between tests: start from no pending count
    for _ in range(3):
        assert client.get(topic_path(question)).status_code == 200
    question.refresh_from_db()
    assert question.views_count == 0
    assert topic_views_flush(community=community) == 3
    question.refresh_from_db()
    assert question.views_count == 3
    assert topic_views_flush(community=community) == 0


def test_new_members_are_rate_limited_and_trusted_ones_are_not(
    community, alice, bruno, question, fixed_clock
):
    import datetime

    for n in range(2):  # bruno (level 0): 3 posts per 10 minutes
        post_reply(user=bruno, topic=question, body=f"Réponse {n}")
    post_reply(user=bruno, topic=question, body="Troisième réponse")
    with pytest.raises(ValidationError, match="3 messages par tranche de 10 minutes"):
        post_reply(user=bruno, topic=question, body="Quatrième réponse")
    fixed_clock.shift(datetime.timedelta(minutes=11))
    post_reply(user=bruno, topic=question, body="Plus tard, c'est permis")
    MemberProfile.objects.filter(user=alice).update(trust_level=2)
    for n in range(5):
        post_reply(user=alice, topic=question, body=f"Membre de confiance {n}")


def test_reading_counts_towards_trust_levels_once_flushed(client, bruno, question, fixed_clock):
    import datetime

    from django.core.cache import cache

    from relais.community.seo import topic_path
    from relais.community.services.members import member_activity_flush

    cache.clear()
    community = question.community
    community.trust_thresholds = {"1": {"days_visited": 2, "posts_read": 4}}
    community.save()
    client.force_login(bruno)
    for _ in range(2):
        client.get(topic_path(question))  # the question alone: 1 post read each time
    profile = MemberProfile.objects.get(user=bruno)
    assert profile.posts_read == 0  # nothing written on a GET
    assert member_activity_flush(community=community) == 1
    profile.refresh_from_db()
    assert (profile.posts_read, profile.days_visited, profile.trust_level) == (2, 1, 0)
    fixed_clock.shift(datetime.timedelta(days=1))
    client.get(topic_path(question))
    client.get(topic_path(question))
    member_activity_flush(community=community)
    profile.refresh_from_db()
    assert (profile.posts_read, profile.days_visited, profile.trust_level) == (4, 2, 1)


def test_likes_count_for_both_members_and_never_for_oneself(alice, bruno, answer):
    from relais.community.services import post_like

    with pytest.raises(ValidationError):
        post_like(user=bruno, post=answer)
    post_like(user=alice, post=answer)
    post_like(user=alice, post=answer)  # twice is once
    answer.refresh_from_db()
    assert answer.likes_count == 1
    assert MemberProfile.objects.get(user=alice).likes_given == 1
    assert MemberProfile.objects.get(user=bruno).likes_received == 1
    post_like(user=alice, post=answer, like=False)
    answer.refresh_from_db()
    assert answer.likes_count == 0
    assert MemberProfile.objects.get(user=bruno).likes_received == 0

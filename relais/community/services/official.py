"""Official answers: written by the organisation, or a member's answer it validated.

A validation records who (validator), for which service, when, against which source or
regulation, the SHA-256 of the text vouched for and an optional review date; it is published
to the kernel's knowledge base (``relais.core.knowledge``), where the assistant and the other
modules find it. An edit of the text suspends it (``forum.post_edit``); a passed review date
puts it in the review queue (``official_reviews_mark_due``).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.community.access import ensure, ensure_category_readable
from relais.community.models import Community, OfficialAnswer, Post, Topic
from relais.community.permissions import Event, Permission
from relais.community.services._common import (
    author_profile,
    body_hash,
    profile_for_posting,
    record_event,
)
from relais.community.services.forum import _check_body, _new_post
from relais.core.accounts.permissions import user_has_permission
from relais.core.audit.services import audit_log, snapshot
from relais.core.knowledge.models import Entry
from relais.core.knowledge.permissions import Permission as KnowledgePermission
from relais.core.knowledge.services import entry_create, entry_publish, entry_update

ORIGIN_APP = "community"


def _check_meta(service_name: str, source_url: str) -> str:
    service_name = " ".join((service_name or "").split())
    if not service_name:
        raise ValidationError(
            {"service_name": _("Indiquez le service de l'organisme qui signe la réponse.")}
        )
    if source_url and not source_url.startswith(("https://", "http://")):
        raise ValidationError({"source_url": _("Indiquez un lien commençant par https://.")})
    return service_name[:120]


def _publish_to_knowledge(*, user, official: OfficialAnswer) -> None:
    """Create or refresh the knowledge-base entry of ``official`` and validate it."""
    post = official.post
    topic = post.topic
    fields = {
        "question": topic.title[:500],
        "answer": post.body,
        "source_text": official.source_text[:300],
        "source_url": official.source_url,
        "review_date": official.review_date,
    }
    entry = official.knowledge_entry
    if entry is None or entry.status == Entry.Status.ARCHIVED:
        entry = entry_create(
            user=user,
            organization=topic.community.organization,
            origin=Entry.Origin.COMMUNITY_ANSWER,
            origin_app=ORIGIN_APP,
            origin_ref=str(post.public_id),
            tags=topic.category.name,
            **fields,
        )
    else:
        entry = entry_update(user=user, entry=entry, **fields)
    if not (entry.status == Entry.Status.VALIDATED and entry.text_hash == entry.current_hash):
        entry = entry_publish(user=user, entry=entry)
    official.knowledge_entry = entry
    official.save(update_fields=["knowledge_entry", "updated_at"])


def knowledge_entry_suspend(*, user, official: OfficialAnswer) -> None:
    """Take the knowledge-base entry of a suspended validation out of the validated base.

    The knowledge services ask the editor for the right to edit the base, which a member
    editing their own answer does not hold: the entry is then suspended here, as a system
    step caused by the member's edit, and audited as such.
    """
    entry = official.knowledge_entry
    if entry is None or entry.status != Entry.Status.VALIDATED:
        return
    organization = official.post.topic.community.organization
    if user_has_permission(user, KnowledgePermission.KNOWLEDGE_EDIT, organization=organization):
        entry_update(user=user, entry=entry, answer=official.post.body)
        return
    before = snapshot(entry)
    Entry.objects.filter(pk=entry.pk).update(
        status=Entry.Status.SUSPENDED,
        status_reason=_("Texte modifié dans la communauté après sa validation."),
        updated_at=timezone.now(),
    )
    entry.refresh_from_db()
    audit_log(
        actor=user,
        action="knowledge.entry.suspend",
        target=entry,
        before=before,
        after=snapshot(entry),
        workspace=official.post.topic.community.workspace,
    )


def _record(*, official: OfficialAnswer, kind: str, user, became_active: bool) -> None:
    # ``Topic.official_count`` counts the topic's official answers in force.
    post = official.post
    topic = post.topic
    if became_active:
        Topic.objects.filter(pk=topic.pk).update(official_count=F("official_count") + 1)
    record_event(
        community=topic.community,
        event_code=(
            Event.OFFICIAL_PUBLISHED
            if kind == OfficialAnswer.Kind.ORGANISATION
            else Event.ANSWER_VALIDATED
        ),
        topic=topic,
        # The member the organisation answers: the question's author for its own answer,
        # the answer's author for a validation.
        profile=author_profile(
            topic.posts.get(position=0) if kind == OfficialAnswer.Kind.ORGANISATION else post
        ),
        actor=user,
        staff=True,
        summary=official.source_text,
        source=official,
    )


@transaction.atomic
def official_answer_publish(
    *,
    user,
    topic: Topic,
    body: str,
    service_name: str,
    source_text: str = "",
    source_url: str = "",
    review_date: datetime.date | None = None,
) -> OfficialAnswer:
    """Answer ``topic`` in the organisation's name (« Réponse de l'organisme »), signed with
    ``service_name``: a reply and its official record, published to the knowledge base."""
    topic = (
        Topic.objects.select_for_update().select_related("community", "category").get(pk=topic.pk)
    )
    ensure(user, Permission.OFFICIAL, topic.community)
    ensure_category_readable(user, topic.category)
    if topic.is_deleted:
        raise ValidationError(_("Ce sujet a été supprimé."))
    body = _check_body(body)
    service_name = _check_meta(service_name, source_url)
    profile_for_posting(user, topic.community)
    position = topic.posts.order_by("-position").values_list("position", flat=True).first() + 1
    post = _new_post(topic=topic, author=user, body=body, position=position)
    Topic.objects.filter(pk=topic.pk).update(
        replies_count=F("replies_count") + 1, last_activity_at=timezone.now()
    )
    official = OfficialAnswer.objects.create(
        post=post,
        kind=OfficialAnswer.Kind.ORGANISATION,
        validator=user,
        service_name=service_name,
        validated_at=timezone.now(),
        source_text=source_text.strip()[:300],
        source_url=source_url.strip(),
        text_hash=body_hash(body),
        review_date=review_date,
    )
    _publish_to_knowledge(user=user, official=official)
    _record(official=official, kind=official.kind, user=user, became_active=True)
    audit_log(
        actor=user,
        action="community.official.publish",
        target=official,
        after=snapshot(official),
        workspace=topic.community.workspace,
    )
    return official


@transaction.atomic
def answer_validate(
    *,
    user,
    post: Post,
    service_name: str,
    source_text: str = "",
    source_url: str = "",
    review_date: datetime.date | None = None,
) -> OfficialAnswer:
    """Validate a member's answer as it reads now (« Réponse validée par l'organisme »):
    validator, service, date, source and the text's SHA-256 are recorded, and the answer is
    published to the knowledge base. Validating again a suspended or due validation renews it.
    """
    post = (
        Post.objects.select_for_update()
        .select_related("topic__community", "topic__category")
        .get(pk=post.pk)
    )
    topic = post.topic
    ensure(user, Permission.VALIDATE, topic.community)
    ensure_category_readable(user, topic.category)
    if post.position == 0 or not post.is_visible or topic.is_deleted:
        raise ValidationError(_("Seule une réponse visible peut être validée."))
    service_name = _check_meta(service_name, source_url)
    official = OfficialAnswer.objects.filter(post=post).first()
    created = official is None
    if official is not None:
        if official.kind == OfficialAnswer.Kind.ORGANISATION:
            raise ValidationError(_("Cette réponse est déjà une réponse de l'organisme."))
        if official.is_active and official.text_hash == body_hash(post.body):
            raise ValidationError(_("Cette réponse est déjà validée."))
        before = snapshot(official)
        was_active = official.is_active
    else:
        official = OfficialAnswer(post=post, kind=OfficialAnswer.Kind.VALIDATED)
        before, was_active = None, False
    official.validator = user
    official.service_name = service_name
    official.validated_at = timezone.now()
    official.source_text = source_text.strip()[:300]
    official.source_url = source_url.strip()
    official.text_hash = body_hash(post.body)
    official.review_date = review_date
    official.state, official.state_reason = OfficialAnswer.State.ACTIVE, ""
    official.full_clean(exclude=["post", "validator", "knowledge_entry"])
    official.save()
    _publish_to_knowledge(user=user, official=official)
    _record(
        official=official, kind=official.kind, user=user, became_active=created or not was_active
    )
    audit_log(
        actor=user,
        action="community.answer.validate",
        target=official,
        before=before,
        after=snapshot(official),
        workspace=topic.community.workspace,
    )
    return official


@transaction.atomic
def official_reviews_mark_due(*, community: Community, today: datetime.date | None = None) -> int:
    """Put back in the review queue the active official answers whose review date has come
    (a daily job). Returns how many changed."""
    today = today or timezone.localdate()
    due = list(
        OfficialAnswer.objects.select_for_update().filter(
            post__topic__community=community,
            state=OfficialAnswer.State.ACTIVE,
            review_date__lte=today,
        )
    )
    for official in due:
        official.state = OfficialAnswer.State.REVIEW_DUE
        official.state_reason = _("Date de révision atteinte le %(date)s.") % {
            "date": official.review_date.strftime("%d/%m/%Y")
        }
        official.save(update_fields=["state", "state_reason", "updated_at"])
        Topic.objects.filter(pk=official.post.topic_id, official_count__gt=0).update(
            official_count=F("official_count") - 1
        )
    return len(due)

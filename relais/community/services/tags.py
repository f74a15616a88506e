"""Tags of topics: a list the team keeps, or, if the community chose it, tags members create
from a trust level on. A topic's tags are set by its author or a moderator."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relais.community.access import can, ensure
from relais.community.models import ContentSettings, Tag, Topic
from relais.community.permissions import Permission
from relais.community.services._common import member_level
from relais.community.services.attachments import content_settings_of
from relais.core.audit.services import audit_log

NAME_MIN, NAME_MAX = 2, 40


def tag_names(text: str) -> list[str]:
    """The tags a member typed, separated by commas, each once, white space collapsed."""
    names = [" ".join(part.split()) for part in (text or "").split(",")]
    return list(dict.fromkeys(n for n in names if n))


def _clean_name(name: str) -> tuple[str, str]:
    name = " ".join((name or "").split())
    slug = slugify(name)[:40].strip("-")
    if not (NAME_MIN <= len(name) <= NAME_MAX) or not slug:
        raise ValidationError(
            {
                "tags": _(
                    "Une étiquette compte de %(min)d à %(max)d caractères, dont des lettres ou "
                    "des chiffres : « %(name)s » ne convient pas."
                )
                % {"min": NAME_MIN, "max": NAME_MAX, "name": name[:60]}
            }
        )
    return name, slug


@transaction.atomic
def tag_create(*, user, community, name: str) -> Tag:
    """Add a tag to the community's list (moderators and staff)."""
    ensure(user, Permission.MODERATE, community)
    name, slug = _clean_name(name)
    if Tag.objects.filter(community=community, slug=slug).exists():
        raise ValidationError({"name": _("Cette étiquette existe déjà.")})
    tag = Tag.objects.create(community=community, slug=slug, name=name, created_by=user)
    audit_log(
        actor=user,
        action="community.tag.create",
        target=tag,
        after={"name": name},
        workspace=community.workspace,
    )
    return tag


@transaction.atomic
def tag_delete(*, user, tag: Tag) -> None:
    """Remove a tag from the list and from its topics (moderators and staff)."""
    ensure(user, Permission.MODERATE, tag.community)
    audit_log(
        actor=user,
        action="community.tag.delete",
        target=tag,
        before={"name": tag.name, "topics": tag.topics.count()},
        workspace=tag.community.workspace,
    )
    tag.delete()


def topic_tags_set(*, user, topic: Topic, names: list[str]) -> list[Tag]:
    """Give ``topic`` exactly the tags ``names`` (its author or a moderator). A name not in
    the list is refused, unless the community lets members create tags and the member's
    trust level allows it. Runs inside the caller's transaction."""
    community = topic.community
    if topic.author_id != getattr(user, "pk", None):
        ensure(user, Permission.MODERATE, community)
    rules = content_settings_of(community)
    if len(names) > rules.tags_per_topic:
        raise ValidationError(
            {"tags": _("Un sujet porte au plus %(n)d étiquettes.") % {"n": rules.tags_per_topic}}
        )
    cleaned = [_clean_name(name) for name in names]
    existing = {
        t.slug: t
        for t in Tag.objects.filter(community=community, slug__in=[s for _n, s in cleaned])
    }
    may_create = can(user, Permission.MODERATE, community) or (
        rules.tag_mode == ContentSettings.TagMode.FREE
        and member_level(user, community) >= rules.free_tag_min_level
    )
    tags = []
    for name, slug in cleaned:
        tag = existing.get(slug)
        if tag is None:
            if not may_create:
                raise ValidationError(
                    {
                        "tags": _(
                            "L'étiquette « %(name)s » n'existe pas : choisissez-en une de la liste."
                        )
                        % {"name": name}
                    }
                )
            tag = existing[slug] = Tag.objects.create(
                community=community, slug=slug, name=name, created_by=user
            )
        if tag not in tags:
            tags.append(tag)
    topic.tags.set(tags)
    return tags

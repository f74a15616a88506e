"""Community records for the isolation tests and the no-write-on-GET / accessibility sweeps:
a community of the organization with a public category, a question, an answer validated by
the organisation, a pending flag, a silenced member (``member_id``, ``sanction_id``), a tagged topic (``tag_slug``), a
reply with an attachment (``attachment_id``), a digest unsubscribe link and the
links of a verification and of a password reset (``token``, ``reset_token``) (``community:`` URLs name a category by slug, a topic by
public id and slug, a post by public id; the root sitemap names a community by slug)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from relais.community.models import Access, Category, Community, MemberProfile, Tag
from relais.community.services import (
    answer_validate,
    flag_create,
    member_join,
    post_reply,
    topic_create,
)
from relais.community.services.digest import unsubscribe_token
from relais.community.services.sanctions import sanction_apply
from relais.community.services.signup import password_reset_token, verification_token
from relais.community.services.tags import tag_create
from relais.core.accounts.roles import Role
from tests.factories import UserFactory


def _community(workspace, category_slug):
    organization = workspace.organization
    community = Community.objects.filter(organization=organization).first()
    if community is None:
        community = Community.objects.create(
            organization=organization,
            workspace=workspace,
            slug=f"communaute-{organization.slug}",
            name=f"Communauté {organization.name}",
        )
    category, _created = Category.objects.get_or_create(
        community=community,
        slug=category_slug,
        defaults={
            "name": category_slug.replace("-", " ").capitalize(),
            "read_access": Access.PUBLIC,
        },
    )
    return community, category


def _member(community, name, role=Role.MEMBER):
    user = UserFactory(role=role, organization=community.organization)
    member_join(
        user=user, community=community, display_name=f"{name} {user.pk}", accept_charter=True
    )
    return user


def _records(workspace, category_slug, title, answer_text):
    community, category = _community(workspace, category_slug)
    asker, helper = _member(community, "Membre"), _member(community, "Aidant")
    validator = UserFactory(
        role=Role.SUPERVISOR, organization=community.organization, workspaces=[workspace]
    )
    topic = topic_create(
        user=asker, category=category, title=title, body="Texte de la question.", kind="question"
    )
    answer = post_reply(user=helper, topic=topic, body=answer_text)
    answer_validate(user=validator, post=answer, service_name="Service information")
    flag_create(user=asker, post=answer, reason="off_topic")
    moderator = _member(community, "Modération", role=Role.MODERATOR)
    helper_profile = MemberProfile.objects.get(community=community, user=helper)
    sanction = sanction_apply(
        user=moderator, profile=helper_profile, kind="silence", reason="Hors charte."
    )
    asker_profile = MemberProfile.objects.get(community=community, user=asker)
    # A file on the moderator's reply (no trust level needed) and a tag on the question.
    note = post_reply(
        user=moderator,
        topic=topic,
        body="Le modèle en pièce jointe.",
        attachments=[SimpleUploadedFile("modele.txt", b"Madame, Monsieur,")],
    )
    tag = Tag.objects.filter(community=community, slug=f"etiquette-{category_slug}").first()
    if tag is None:  # the records of one workspace may be asked for more than once
        tag = tag_create(user=moderator, community=community, name=f"Étiquette {category_slug}")
    tag.topics.add(topic)
    return {
        "community:attachment_id": note.attachments.get().public_id,
        "community:tag_slug": tag.slug,
        "community:unsubscribe_token": unsubscribe_token(asker_profile),
        "community:member_id": helper_profile.public_id,
        "community:sanction_id": sanction.public_id,
        "community:token": verification_token(asker_profile),
        "community:reset_token": password_reset_token(user=asker, community=community),
        "community:category_slug": category.slug,
        "community:topic_id": topic.public_id,
        "community:topic_slug": topic.slug,
        "community:post_id": answer.public_id,
        "community_slug": community.slug,
    }


def foreign_records(workspace, agent) -> dict:
    return _records(
        workspace,
        "sujets-etrangerb",
        "Question étrangerb sur les cotisations",
        "Réponse étrangèreb.",
    )


def own_records(workspace, user) -> dict:
    return _records(
        workspace,
        "cotisations",
        "Comment déclarer mes revenus artistiques ?",
        "Sur la déclaration de revenus, en BNC.",
    )

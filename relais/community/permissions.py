"""The community's permissions, the roles that grant them, and its interaction event codes
(registered from ``CommunityConfig.ready``).

Roles are held in the community's organization: ``member`` for artists-authors,
``moderator`` for trusted volunteers and staff moderators, ``supervisor`` and
``administrator`` for the organisation's staff (official answers, validations, settings).
A member may also moderate some categories only (``models.CategoryModerator``, named by an
administrator): not a role, ``access.can_moderate`` reads it.
The anonymous visitor reads public categories and needs no permission for it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.accounts.roles import ANONYMOUS, Role


class Permission(models.TextChoices):
    READ = "community.read", _("Lire les catégories publiques de la communauté")
    READ_MEMBERS = "community.read_members", _("Lire les catégories réservées aux membres")
    READ_STAFF = "community.read_staff", _("Lire les catégories réservées à l'équipe")
    POST = "community.post", _("Poser des questions et répondre")
    FLAG = "community.flag", _("Signaler un message")
    MODERATE = "community.moderate", _("Modérer : signalements, suppression, fermeture")
    OFFICIAL = "community.official", _("Publier des réponses de l'organisme")
    VALIDATE = "community.validate", _("Valider les réponses des membres")
    KPIS = "community.kpis", _("Consulter les indicateurs de la communauté")
    MANAGE = "community.manage", _("Administrer la communauté (réglages, mots interdits)")


_MEMBER = {
    Permission.READ,
    Permission.READ_MEMBERS,
    Permission.POST,
    Permission.FLAG,
}
_MODERATOR = _MEMBER | {Permission.READ_STAFF, Permission.MODERATE}
_STAFF = _MODERATOR | {Permission.OFFICIAL, Permission.VALIDATE, Permission.KPIS}

GRANTS: dict[str, set[str]] = {
    ANONYMOUS: {Permission.READ},
    Role.MEMBER: _MEMBER,
    Role.MODERATOR: _MODERATOR,
    # Front-line agents read the staff categories and answer members, without validating.
    Role.AGENT: _MEMBER | {Permission.READ_STAFF},
    Role.SUPERVISOR: _STAFF,
    Role.ADMINISTRATOR: _STAFF | {Permission.MANAGE},
}


class Event(models.TextChoices):
    """Interaction event codes: what happened in the community, in words that never change."""

    MEMBER_JOINED = "community.member.joined", _("Inscription à la communauté")
    QUESTION_ASKED = "community.question.asked", _("Question posée sur le forum")
    DISCUSSION_STARTED = "community.discussion.started", _("Discussion ouverte sur le forum")
    ANSWER_POSTED = "community.answer.posted", _("Réponse publiée sur le forum")
    ANSWER_ACCEPTED = "community.answer.accepted", _("Réponse acceptée par l'auteur")
    OFFICIAL_PUBLISHED = "community.official.published", _("Réponse de l'organisme publiée")
    ANSWER_VALIDATED = "community.answer.validated", _("Réponse validée par l'organisme")
    VALIDATION_SUSPENDED = (
        "community.validation.suspended",
        _("Validation suspendue (texte modifié)"),
    )
    POST_FLAGGED = "community.post.flagged", _("Message signalé")
    POST_HIDDEN = "community.post.hidden", _("Message masqué")
    POST_SHOWN = "community.post.shown", _("Message de nouveau visible")
    FLAG_DECIDED = "community.flag.decided", _("Signalement traité par la modération")
    POST_DELETED = "community.post.deleted", _("Message supprimé par la modération")
    POST_RESTORED = "community.post.restored", _("Message restauré")
    TOPIC_CLOSED = "community.topic.closed", _("Sujet fermé")
    TOPIC_REOPENED = "community.topic.reopened", _("Sujet rouvert")
    TOPIC_MOVED = "community.topic.moved", _("Sujet déplacé")
    TOPIC_MERGED = "community.topic.merged", _("Sujet fusionné dans un autre")
    WIKI_ENABLED = "community.wiki.enabled", _("Message transformé en wiki")
    WIKI_DISABLED = "community.wiki.disabled", _("Message wiki redevenu ordinaire")
    WIKI_EDITED = "community.wiki.edited", _("Message wiki modifié par un membre")
    SEARCH_EMPTY = "community.search.empty", _("Recherche sans résultat sur le forum")
    TRUST_CHANGED = "community.trust.changed", _("Niveau de confiance modifié")
    CATEGORY_MODERATOR_ADDED = (
        "community.category_moderator.added",
        _("Membre nommé modérateur d'une catégorie"),
    )
    CATEGORY_MODERATOR_REMOVED = (
        "community.category_moderator.removed",
        _("Membre retiré de la modération d'une catégorie"),
    )


OUTCOMES = {
    "agree": _("Signalement confirmé"),
    "disagree": _("Signalement rejeté"),
    "defer": _("Classé sans suite"),
    "promoted": _("Promotion"),
    "demoted": _("Rétrogradation"),
}


def register() -> None:
    from relais.core.accounts.permissions import register_permissions
    from relais.core.interactions.events import register_event_codes

    register_permissions("community", dict(Permission.choices), GRANTS)
    register_event_codes("community", dict(Event.choices), outcomes=OUTCOMES)

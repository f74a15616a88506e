"""Interaction event codes of members' accounts and sanctions (registered from
``CommunityConfig.ready`` next to the forum's, under the same ``community`` label)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberEvent(models.TextChoices):
    EMAIL_VERIFIED = "community.member.verified", _("Adresse e-mail du membre vérifiée")
    SILENCED = "community.member.silenced", _("Membre mis en sourdine")
    SUSPENDED = "community.member.suspended", _("Membre suspendu")
    BANNED = "community.member.banned", _("Membre banni")
    SANCTION_LIFTED = "community.member.sanction_lifted", _("Sanction levée")
    DATA_EXPORTED = "community.member.exported", _("Données du membre téléchargées")
    DELETED = "community.member.deleted", _("Compte de membre supprimé")


def register() -> None:
    from relais.core.interactions.events import register_event_codes

    register_event_codes("community", dict(MemberEvent.choices))

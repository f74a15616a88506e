"""Roles, and the permissions core itself declares.

A role is held on a membership: an organization membership
(``accounts.OrganizationMembership``) or a workspace membership (``workspaces.Membership``,
whose role, when left empty, is the one held in the workspace's organization). What each role
may do is not written here: every app registers its permissions and the roles that grant them
with ``relais.core.accounts.permissions.register_permissions`` from its ``AppConfig.ready()``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrateur")
    SUPERVISOR = "supervisor", _("Superviseur")
    AGENT = "agent", _("Agent")
    TRAINER = "trainer", _("Formateur")
    LEARNER = "learner", _("Apprenant")
    MODERATOR = "moderator", _("Modérateur")
    MEMBER = "member", _("Membre")
    REFERENT = "referent", _("Référent")


# The visitor of a public page. A pseudo-role: never stored on a membership, it only receives
# grants (public reads registered by apps).
ANONYMOUS = "anonymous"

ROLE_CODES: frozenset[str] = frozenset({*Role.values, ANONYMOUS})


class Permission(models.TextChoices):
    """The permissions of the shared kernel. Each app declares its own next to its code."""

    AUDIT_VIEW = "audit.view", _("Consulter le journal d'audit")
    WORKSPACE_MANAGE = "workspace.manage", _("Gérer les espaces de travail")
    # Contacts: people and companies, their consents (``relais.core.contacts``).
    CONTACTS_VIEW = "contacts.view", _("Consulter les personnes et les sociétés")
    CONTACTS_EDIT = "contacts.edit", _("Créer et modifier les personnes et les sociétés")
    # Interaction log (``relais.core.interactions``): the workspace-wide reader and the export.
    INTERACTIONS_VIEW = "interactions.view", _("Consulter le journal des interactions")


# Every staff role works with contacts and reads the interaction log they feed: the records
# of each module hang from them.
_STAFF_BASICS = {Permission.CONTACTS_VIEW, Permission.CONTACTS_EDIT, Permission.INTERACTIONS_VIEW}

# What core grants; apps add theirs (see ``relais.core.accounts.apps``).
CORE_GRANTS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(Permission.values),
    Role.SUPERVISOR: frozenset({Permission.AUDIT_VIEW, *_STAFF_BASICS}),
    Role.AGENT: frozenset(_STAFF_BASICS),
    Role.TRAINER: frozenset({Permission.AUDIT_VIEW, Permission.WORKSPACE_MANAGE, *_STAFF_BASICS}),
    Role.LEARNER: frozenset(_STAFF_BASICS),
}

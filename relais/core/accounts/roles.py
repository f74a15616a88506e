"""Roles and what each may do. One table, read by services and selectors alike."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrateur")
    SUPERVISOR = "supervisor", _("Superviseur")
    AGENT = "agent", _("Agent")
    TRAINER = "trainer", _("Formateur")
    LEARNER = "learner", _("Apprenant")


class Permission(models.TextChoices):
    CRM_VIEW = "crm.view", _("Consulter le CRM")
    CRM_EDIT = "crm.edit", _("Créer et modifier des fiches")
    CRM_DELETE = "crm.delete", _("Supprimer des fiches")
    AUDIT_VIEW = "audit.view", _("Consulter le journal d'audit")
    WORKSPACE_MANAGE = "workspace.manage", _("Gérer les espaces de travail")
    TRAINING_MANAGE = (
        "training.manage",
        _("Animer des formations (bases école, sessions, exercices)"),
    )
    TRAINING_PRACTISE = "training.practise", _("Suivre une formation (bac à sable, exercices)")
    # knowledge (core.knowledge) — to move to register_permissions() at merge
    KNOWLEDGE_VIEW = "knowledge.view", _("Consulter la base de connaissances")
    KNOWLEDGE_EDIT = "knowledge.edit", _("Rédiger des entrées de la base de connaissances")
    KNOWLEDGE_VALIDATE = "knowledge.validate", _("Valider et retirer des entrées de connaissances")


_EDITOR = {Permission.CRM_VIEW, Permission.CRM_EDIT}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(Permission.values),
    Role.SUPERVISOR: frozenset(_EDITOR | {Permission.CRM_DELETE, Permission.AUDIT_VIEW}),
    Role.AGENT: frozenset(_EDITOR),
    Role.TRAINER: frozenset(
        _EDITOR
        | {
            Permission.CRM_DELETE,
            Permission.AUDIT_VIEW,
            Permission.WORKSPACE_MANAGE,
            Permission.TRAINING_MANAGE,
        }
    ),
    # A learner owns a sandbox: everything there is theirs to break and reset.
    Role.LEARNER: frozenset(_EDITOR | {Permission.CRM_DELETE, Permission.TRAINING_PRACTISE}),
}


# knowledge (core.knowledge) — to move to register_permissions() at merge. Administrators hold
# every permission already.
_KNOWLEDGE_GRANTS = {
    Role.SUPERVISOR: {
        Permission.KNOWLEDGE_VIEW,
        Permission.KNOWLEDGE_EDIT,
        Permission.KNOWLEDGE_VALIDATE,
    },
    Role.AGENT: {Permission.KNOWLEDGE_VIEW, Permission.KNOWLEDGE_EDIT},
    Role.TRAINER: {Permission.KNOWLEDGE_VIEW},
    Role.LEARNER: {Permission.KNOWLEDGE_VIEW},
}
for _role, _codes in _KNOWLEDGE_GRANTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | frozenset(_codes)


def role_allows(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())

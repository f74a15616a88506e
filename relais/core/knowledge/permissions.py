"""The knowledge base's permissions and the roles that grant them (registered from
``KnowledgeConfig.ready``). Anonymous visitors read validated, public entries through the
public selectors, which need no permission."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.accounts.roles import Role


class Permission(models.TextChoices):
    KNOWLEDGE_VIEW = "knowledge.view", _("Consulter la base de connaissances")
    KNOWLEDGE_EDIT = "knowledge.edit", _("Rédiger des entrées de la base de connaissances")
    KNOWLEDGE_VALIDATE = "knowledge.validate", _("Valider et retirer des entrées de connaissances")


_READ = {Permission.KNOWLEDGE_VIEW}
_WRITE = _READ | {Permission.KNOWLEDGE_EDIT}
_VALIDATE = _WRITE | {Permission.KNOWLEDGE_VALIDATE}

# Whoever answers the public writes entries; the organisation's managers validate them (the
# seed's "validated by the organisation", not merely written by a staff member).
GRANTS: dict[str, set[str]] = {
    Role.ADMINISTRATOR: _VALIDATE,
    Role.SUPERVISOR: _VALIDATE,
    Role.AGENT: _WRITE,
    Role.REFERENT: _WRITE,
    Role.MODERATOR: _WRITE,
    Role.TRAINER: _READ,
    Role.LEARNER: _READ,
}


def register() -> None:
    from relais.core.accounts.permissions import register_permissions

    register_permissions("knowledge", dict(Permission.choices), GRANTS)

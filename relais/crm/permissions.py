"""The CRM's permissions and the roles that grant them (registered from ``CrmConfig.ready``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.accounts.roles import Role


class Permission(models.TextChoices):
    CRM_VIEW = "crm.view", _("Consulter le CRM")
    CRM_EDIT = "crm.edit", _("Créer et modifier des fiches")
    CRM_DELETE = "crm.delete", _("Supprimer des fiches")


_EDITOR = {Permission.CRM_VIEW, Permission.CRM_EDIT}
_OWNER = _EDITOR | {Permission.CRM_DELETE}

GRANTS: dict[str, set[str]] = {
    Role.ADMINISTRATOR: _OWNER,
    Role.SUPERVISOR: _OWNER,
    Role.AGENT: _EDITOR,
    Role.TRAINER: _OWNER,
    # A learner owns a sandbox: everything there is theirs to break and reset. Their role
    # is held in their sandbox only, so this does not reach the organization's live records.
    Role.LEARNER: _OWNER,
}


def register() -> None:
    from relais.core.accounts.permissions import register_permissions

    register_permissions("crm", dict(Permission.choices), GRANTS)

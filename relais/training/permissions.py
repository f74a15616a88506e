"""Training's permissions and the roles that grant them (registered from
``TrainingConfig.ready``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.accounts.roles import Role


class Permission(models.TextChoices):
    TRAINING_MANAGE = (
        "training.manage",
        _("Animer des formations (bases école, sessions, exercices)"),
    )
    TRAINING_PRACTISE = "training.practise", _("Suivre une formation (bac à sable, exercices)")


GRANTS: dict[str, set[str]] = {
    Role.ADMINISTRATOR: {Permission.TRAINING_MANAGE, Permission.TRAINING_PRACTISE},
    Role.TRAINER: {Permission.TRAINING_MANAGE},
    Role.LEARNER: {Permission.TRAINING_PRACTISE},
}


def register() -> None:
    from relais.core.accounts.permissions import register_permissions

    register_permissions("training", dict(Permission.choices), GRANTS)

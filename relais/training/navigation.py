"""Training's entry in the navigation (registered from ``TrainingConfig.ready()``)."""

from django.utils.translation import gettext_lazy as _

from relais.core.navigation import register_nav_entry


def register_navigation() -> None:
    """Trainers (``training.manage``) and learners (``training.practise``) see « Formation »."""
    register_nav_entry(
        key="training.home",
        label=_("Formation"),
        url_name="training:home",
        icon="bi-mortarboard",
        permission=("training.manage", "training.practise"),
        order=200,
        active_prefix=True,
        description=_("Bases école, sessions, bacs à sable et exercices."),
    )

"""Journeys' permissions and the roles that grant them (registered from ``JourneysConfig.ready``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.accounts.roles import Role


class Permission(models.TextChoices):
    JOURNEYS_VIEW = "journeys.view", _("Consulter les parcours conçus et leurs cartes")
    JOURNEYS_EDIT = "journeys.edit", _("Concevoir et modifier les parcours")
    JOURNEYS_SAMPLE = "journeys.sample", _("Relever des contacts (échantillon à faible donnée)")


GRANTS: dict[str, set[str]] = {
    Role.ADMINISTRATOR: {
        Permission.JOURNEYS_VIEW,
        Permission.JOURNEYS_EDIT,
        Permission.JOURNEYS_SAMPLE,
    },
    Role.SUPERVISOR: {
        Permission.JOURNEYS_VIEW,
        Permission.JOURNEYS_EDIT,
        Permission.JOURNEYS_SAMPLE,
    },
    # Agents take the calls: they record the sample.
    Role.AGENT: {Permission.JOURNEYS_VIEW, Permission.JOURNEYS_SAMPLE},
}


def register() -> None:
    from relais.core.accounts.permissions import register_permissions

    register_permissions("journeys", dict(Permission.choices), GRANTS)


def register_navigation() -> None:
    """« Parcours » for whoever may read the designed journeys."""
    from relais.core.navigation import register_nav_entry

    register_nav_entry(
        key="journeys.designed",
        label=_("Parcours"),
        url_name="journeys:journey-list",
        icon="bi-signpost-split",
        permission=Permission.JOURNEYS_VIEW,
        order=150,
        active_prefix=True,
        description=_("Concevoir les parcours des publics : phases, étapes, canaux, ressenti."),
    )
    register_nav_entry(
        key="journeys.recommendations",
        label=_("Recommandations"),
        url_name="journeys:recommendation-list",
        icon="bi-sort-down",
        permission=Permission.JOURNEYS_VIEW,
        order=152,
        active_prefix=True,
        description=_("Pistes classées par gain et les trois livrables, en pages et en PDF."),
    )

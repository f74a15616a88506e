from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "relais.core.jobs"
    label = "jobs"

    def ready(self) -> None:
        from relais.core.navigation import register_nav_entry

        # In the header's tools, next to the notifications: every signed-in user has jobs.
        register_nav_entry(
            key="core.jobs",
            label=_("Tâches de fond"),
            url_name="jobs:job-list",
            icon="bi-hourglass-split",
            section="tools",
            order=900,
            active_prefix=True,
            description=_("Suivre, annuler et télécharger vos exports et traitements longs."),
        )

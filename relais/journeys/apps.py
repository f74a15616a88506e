from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    name = "relais.journeys"
    label = "journeys"
    verbose_name = _("Parcours")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registrations with the kernel (permissions, navigation, job kinds, event codes) go here.
        from relais.journeys import permissions

        permissions.register()
        permissions.register_navigation()

        from relais.journeys.job_kinds import register_journeys_job_kinds

        register_journeys_job_kinds()  # background jobs: the event-log imports

        from relais.core.demo import register_demo
        from relais.journeys.demo import load_demo_for_platform

        register_demo(
            "journeys", _("Parcours des artistes-auteurs"), load_demo_for_platform, order=300
        )

        # The deliverables' PDFs of large logs are built in the background (jrn-reco).
        from relais.journeys.job_kinds_reports import register_report_job_kinds

        register_report_job_kinds()

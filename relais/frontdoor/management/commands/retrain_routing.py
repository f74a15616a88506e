"""``manage.py retrain_routing NETWORK``: retrain a network's routing model on its confirmed
routings (takings in charge, answers, dispatchers' overrides, « pas pour moi ») and make it
the network's active model. The same work as the « Modèle d'orientation » page's job; offline
and deterministic (same confirmed routings, same model version)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.frontdoor.models import Network
from relais.frontdoor.services.retraining import routing_retrain


class Command(BaseCommand):
    help = gettext_lazy(
        "Réentraîne le modèle d'orientation d'un réseau avec ses orientations confirmées."
    )

    def add_arguments(self, parser):
        parser.add_argument("network", help=gettext_lazy("Identifiant du réseau (btp-31…)."))

    def handle(self, *args, **options):
        network = Network.objects.filter(slug=options["network"]).first()
        if network is None:
            raise CommandError(_("Réseau inconnu : %s") % options["network"])

        def progress(step, label):
            self.stderr.write(f"[{step}/5] {label}")

        row = routing_retrain(actor=None, network=network, progress=progress)
        accuracy = "—" if row.accuracy is None else f"{100 * row.accuracy:.1f} %"
        baseline = "—" if row.baseline_accuracy is None else f"{100 * row.baseline_accuracy:.1f} %"
        self.stdout.write(
            _(
                "Modèle %(version)s actif : %(examples)s orientations confirmées ; exactitude "
                "%(accuracy)s (modèle d'origine %(baseline)s) sur %(held)s demandes de contrôle."
            )
            % {
                "version": row.version,
                "examples": row.examples,
                "accuracy": accuracy,
                "baseline": baseline,
                "held": row.evaluated_on,
            }
        )

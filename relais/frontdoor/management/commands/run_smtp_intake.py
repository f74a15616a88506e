"""``manage.py run_smtp_intake --host H --port P``: the network's inbox (SMTP server)."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from relais.frontdoor.mail.smtp import inbox_controller


class Command(BaseCommand):
    help = (
        "Sert la boîte de réception du guichet unique (SMTP) : chaque e-mail adressé à "
        "l'adresse de réception d'un réseau devient une demande, rejoint la demande à "
        "laquelle il répond, ou est reconnu comme avis de non-distribution ou réponse "
        "automatique. Ctrl-C ou TERM l'arrêtent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (127.0.0.1)")
        parser.add_argument("--port", default="2525", help="port d'écoute (2525)")

    def handle(self, *args, **options):
        try:
            port = int(options["port"])
        except ValueError:
            raise CommandError(
                _("--port attend un nombre entier, pas « %(value)s ».") % {"value": options["port"]}
            ) from None
        if not 0 < port < 65536:
            raise CommandError(_("--port doit être compris entre 1 et 65535."))
        controller = inbox_controller(host=options["host"], port=port)
        try:
            controller.start()
        except (OSError, RuntimeError) as error:
            raise CommandError(
                _("Le serveur SMTP ne peut écouter sur %(host)s:%(port)s : %(error)s")
                % {"host": options["host"], "port": port, "error": error}
            ) from None
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_args: stop.set())
        self.stdout.write(
            _(
                "Boîte de réception du guichet unique : smtp://%(host)s:%(port)s (adresse par défaut %(inbox)s)"
            )
            % {"host": options["host"], "port": port, "inbox": settings.FRONTDOOR_INBOX_ADDRESS}
        )
        try:
            stop.wait()
        finally:
            controller.stop()

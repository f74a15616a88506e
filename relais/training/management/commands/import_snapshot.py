"""``manage.py import_snapshot FILE.xlsx [--into WORKSPACE] [--organization SLUG]``."""

import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.training.management.commands.export_snapshot import one_line, workspace_by_reference
from relais.training.services.snapshots import organization_get, snapshot_import


class Command(BaseCommand):
    help = gettext_lazy(
        "Remplace le contenu d'un bac à sable ou d'une base école par celui d'un classeur "
        "exporté par export_snapshot. Sans --into : l'espace qui porte l'identifiant du "
        "classeur, ou un nouvel espace créé dans l'organisation --organization. Le classeur "
        "est entièrement vérifié avant toute modification."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FICHIER.xlsx", help=_("classeur à importer"))
        parser.add_argument(
            "--into", metavar="ESPACE", help=_("identifiant ou nom exact de l'espace à remplacer")
        )
        parser.add_argument(
            "--organization",
            metavar="SLUG",
            help=_("organisation où créer l'espace s'il n'existe pas encore"),
        )

    def handle(self, *args, **options):
        target = workspace_by_reference(options["into"]) if options["into"] else None
        started = time.perf_counter()
        try:
            organization = (
                organization_get(options["organization"]) if options["organization"] else None
            )
            workspace = snapshot_import(
                actor=None,
                path=options["file"],
                workspace=target,
                organization=organization,
                progress=lambda text: self.stderr.write(f"… {text}"),
            )
        except (ValidationError, PermissionDenied, Http404, OSError) as error:
            raise CommandError(one_line(error)) from None
        result = workspace.snapshot_result
        self.stderr.write(result.summary())
        self.stderr.write(
            _("%(action)s « %(name)s » (%(id)s) en %(seconds).1f s.")
            % {
                "action": _("Espace créé :") if result.created else _("Espace remplacé :"),
                "name": workspace.name,
                "id": workspace.public_id,
                "seconds": time.perf_counter() - started,
            }
        )

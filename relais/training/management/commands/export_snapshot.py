"""``manage.py export_snapshot WORKSPACE -o FILE.xlsx``: a training workspace to an Excel workbook."""

import time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.exceptions import parse_public_id
from relais.core.workspaces.models import Workspace
from relais.training.services.snapshots import snapshot_export


def workspace_by_reference(reference: str) -> Workspace:
    """A workspace by public id or exact name; ``CommandError`` if none or several."""
    public_id = parse_public_id(reference)
    queryset = (
        Workspace.objects.filter(public_id=public_id)
        if public_id
        else Workspace.objects.filter(name=reference)
    )
    found = list(queryset[:2])
    if not found:
        raise CommandError(_("Espace de travail « %s » introuvable.") % reference)
    if len(found) > 1:
        raise CommandError(
            _("Plusieurs espaces s'appellent « %s » : donnez son identifiant.") % reference
        )
    return found[0]


def one_line(error: Exception) -> str:
    messages = getattr(error, "messages", None) or [str(error)]
    return " ".join(str(message).replace("\n", " ") for message in messages[:3])


class Command(BaseCommand):
    help = gettext_lazy(
        "Exporte un bac à sable ou une base école dans un classeur Excel (.xlsx) : une feuille "
        "par table, une feuille de métadonnées avec somme de contrôle "
        "(voir docs/training/snapshot-format.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("workspace", help=_("identifiant (UUID) ou nom exact de l'espace"))
        parser.add_argument(
            "-o", "--output", required=True, metavar="FICHIER.xlsx", help=_("fichier à écrire")
        )

    def handle(self, *args, **options):
        workspace = workspace_by_reference(options["workspace"])
        path = Path(options["output"])
        if not path.parent.is_dir():
            raise CommandError(_("Dossier « %s » introuvable.") % path.parent)
        started = time.perf_counter()
        try:
            snapshot_export(
                actor=None,
                workspace=workspace,
                path=path,
                progress=lambda text: self.stderr.write(f"… {text}"),
            )
        except (ValidationError, PermissionDenied, Http404, OSError) as error:
            raise CommandError(one_line(error)) from None
        self.stderr.write(
            _("Sauvegarde de « %(name)s » écrite dans %(path)s en %(seconds).1f s.")
            % {"name": workspace.name, "path": path, "seconds": time.perf_counter() - started}
        )

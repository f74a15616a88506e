"""``manage.py simulate_journeys_year -o FILE.csv [--seed N] [--cases N] [--year YYYY]``:
write the simulated year of the artists-authors' body's procedures (see
``relais.journeys.simulation``) as a CSV event log, for analysts and benchmarks. The same seed
writes the same file. Written beside its name and renamed: a failed run leaves no half file."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from relais.journeys.simulation import simulate_year, write_csv


class Command(BaseCommand):
    help = (  # a plain string: argparse cannot format a lazy one
        "Écrit en CSV une année simulée des démarches des artistes-auteurs (affiliation, "
        "déclaration des revenus, action sociale, retraite), sur tous les canaux."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, metavar="FICHIER.csv")
        parser.add_argument("--seed", type=int, default=2025, help=_("graine (2025 par défaut)"))
        parser.add_argument(
            "--cases", type=int, default=5000, help=_("nombre de dossiers (5 000 par défaut)")
        )
        parser.add_argument("--year", type=int, default=2025, help=_("année simulée"))

    def handle(self, *args, output, seed, cases, year, **options):
        if cases < 1:
            raise CommandError(_("--cases doit être un entier positif."))
        if not 2000 <= year <= 2100:
            raise CommandError(_("--year doit être compris entre 2000 et 2100."))
        target = Path(output)
        if not target.name.lower().endswith(".csv"):
            raise CommandError(_("Le fichier de sortie doit finir par .csv."))
        if not target.parent.is_dir():
            raise CommandError(_("Dossier introuvable : %(dir)s") % {"dir": target.parent})
        frame = simulate_year(seed=seed, cases=cases, year=year)
        partial = target.with_name(target.name + ".partial")
        try:
            write_csv(frame, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(
            _("%(events)s événements, %(cases)s dossiers écrits dans %(path)s.")
            % {"events": frame.height, "cases": cases, "path": target}
        )

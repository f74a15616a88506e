"""``manage.py find_duplicates``: candidate duplicate pairs of any CSV file of contacts."""

import csv
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core.downloads import csv_safe
from relais.crm.dedup import rules
from relais.crm.dedup.csv_input import ColumnMap, InputError, Report, read_contacts
from relais.crm.dedup.engine import FIELDS, find_duplicates_prepared, prepare
from relais.crm.dedup.weights import DECISION

MAX_WARNINGS = 50  # then only the count, so that a bad file does not flood the terminal


class Command(BaseCommand):
    help = (  # a plain string: argparse cannot format a lazy one
        "Cherche les doublons probables d'un fichier CSV de contacts (blocage, comparaison "
        "floue champ par champ, score de Fellegi-Sunter) et écrit les paires id_a,id_b,score "
        "au-dessus du seuil de décision ; avec --review, les paires qu'une règle place en "
        "dessous mais qu'une personne doit regarder (jumeaux, même nom à deux adresses sans "
        "date de naissance : « à vérifier »)."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", help=_("Fichier CSV à analyser."))
        parser.add_argument("--id", required=True, dest="id_column", help=_("Colonne identifiant."))
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLONNE=CHAMP",
            help=_(
                "Associe une colonne (ou plusieurs jointes par « + ») à un champ : %(fields)s. "
                "Répétable."
            )
            % {"fields": ", ".join(FIELDS)},
        )
        parser.add_argument("-o", "--output", required=True, help=_("Fichier CSV des paires."))
        parser.add_argument(
            "--review",
            metavar="A_VERIFIER.csv",
            help=_(
                "Écrit aussi dans ce fichier les paires « à vérifier » : sous le seuil, mais "
                "qu'une règle demande de faire regarder (id_a,id_b,score,motif)."
            ),
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=DECISION,
            help=_("Seuil de décision entre 0 et 1 (par défaut %(default)s)."),
        )
        scoring = parser.add_mutually_exclusive_group()
        scoring.add_argument(
            "--learn",
            action="store_const",
            const=True,
            dest="learn",
            help=_(
                "Apprend toujours les poids sur le fichier (espérance-maximisation). Par "
                "défaut, ils sont appris sauf si l'apprentissage est dégénéré (foyers, trop peu "
                "de paires) : alors les poids par défaut."
            ),
        )
        scoring.add_argument(
            "--set-weights",
            action="store_const",
            const=False,
            dest="learn",
            help=_("Utilise toujours les poids par défaut, sans apprentissage."),
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=_("Processus de comparaison (par défaut : 2 au plus)."),
        )

    def handle(self, *args, **options):
        threshold = options["threshold"]
        if not 0 <= threshold <= 1:
            raise CommandError(_("--threshold attend un nombre entre 0 et 1."))
        try:
            mapping = ColumnMap.parse(options["id_column"], options["map"])
            report = Report()
            started = time.monotonic()
            prepared = []
            for record in read_contacts(options["input"], mapping, report):
                prepared.append(prepare(record))
                if len(prepared) % 100_000 == 0:
                    self._progress(_("lecture"), len(prepared), None)
        except InputError as exc:
            raise CommandError(str(exc)) from None
        for warning in report.warnings[:MAX_WARNINGS]:
            self.stderr.write(warning)
        if len(report.warnings) > MAX_WARNINGS:
            self.stderr.write(
                _("… et %(count)d autres avertissements.")
                % {"count": len(report.warnings) - MAX_WARNINGS}
            )
        self.stderr.write(
            _("%(rows)d lignes lues, %(skipped)d ignorées.")
            % {"rows": report.rows, "skipped": report.skipped}
        )
        choice: dict = {}
        pairs = find_duplicates_prepared(
            prepared,
            threshold=threshold,
            learn=options["learn"],
            workers=options["workers"],
            progress=self._progress,
            report=choice,
        )
        self.stderr.write(_("Pondération : %(scoring)s.") % {"scoring": choice["scoring"]})
        # The pairs file keeps its documented form (id_a,id_b,score, every pair at or above
        # the threshold): scripts read it. The pairs to check go to their own file.
        matches = [pair for pair in pairs if pair.score >= threshold]
        to_check = [pair for pair in pairs if pair.score < threshold]
        self._write(options["output"], ["id_a", "id_b", "score"], matches, with_reason=False)
        if options["review"]:
            header = ["id_a", "id_b", "score", "motif"]
            self._write(options["review"], header, to_check, with_reason=True)
            self.stderr.write(
                ngettext(
                    "%(pairs)d paire à vérifier écrite dans %(path)s.",
                    "%(pairs)d paires à vérifier écrites dans %(path)s.",
                    len(to_check),
                )
                % {"pairs": len(to_check), "path": options["review"]}
            )
        elif to_check:
            self.stderr.write(
                ngettext(
                    "%(pairs)d paire sous le seuil est à vérifier par une personne "
                    "(jumeaux, homonymes possibles) : --review FICHIER.csv l'écrit.",
                    "%(pairs)d paires sous le seuil sont à vérifier par une personne "
                    "(jumeaux, homonymes possibles) : --review FICHIER.csv les écrit.",
                    len(to_check),
                )
                % {"pairs": len(to_check)}
            )
        pairs = matches
        self.stderr.write(
            _("%(pairs)d paires écrites dans %(path)s en %(seconds).1f s.")
            % {
                "pairs": len(pairs),
                "path": options["output"],
                "seconds": time.monotonic() - started,
            }
        )

    def _write(self, path: str, header: list[str], pairs: list, *, with_reason: bool) -> None:
        try:
            with open(path, "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(header)
                for pair in pairs:
                    # An id such as ``=1+1`` would run as a formula in a spreadsheet.
                    row = [csv_safe(pair.id_a), csv_safe(pair.id_b), f"{pair.score:.4f}"]
                    if with_reason:
                        row.append(csv_safe(rules.LABELS.get(pair.rule, "")))
                    writer.writerow(row)
        except OSError as exc:
            raise CommandError(
                _("impossible d'écrire %(path)s (%(reason)s).")
                % {"path": path, "reason": exc.strerror or exc}
            ) from None

    def _progress(self, stage: str, done: int, total: int | None) -> None:
        if total:
            text = f"\r{stage} : {done}/{total} ({100 * done // max(total, 1)} %)"
        else:
            text = f"\r{stage} : {done}"
        self.stderr.write(text, ending="\n" if total is None or done >= total else "")
        sys.stderr.flush()

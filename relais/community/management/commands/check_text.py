"""``manage.py check_text``: the moderation verdict of each line of a file, as JSON lines."""

import json
import sys
from collections.abc import Iterable

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from relais.community.moderation.textcheck import BannedWords, check_text
from relais.community.moderation.words import (
    WordListError,
    load_community_words,
    read_words_file,
)


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = (  # a plain string: argparse cannot format a lazy one
        "Lit un texte par ligne (fichier ou « - » pour l'entrée standard) et écrit pour chacun "
        'une ligne JSON {"action", "reasons", "text"} : mots interdits de la liste (celle de '
        "la communauté, ou --words pour essayer une liste avant de la publier) et données "
        "personnelles (NIR, IBAN, téléphone, adresse électronique)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "input", metavar="FICHIER|-", help=_("Textes, un par ligne ; « - » : entrée standard.")
        )
        parser.add_argument(
            "--community", metavar="SLUG", help=_("Vérifie avec la liste de cette communauté.")
        )
        parser.add_argument(
            "--words",
            metavar="MOTS.csv",
            help=_(
                "Vérifie avec cette liste (colonnes mot,action ; actions block, "
                "require_approval, flag, censor, replace:<texte>, link:<url>) au lieu de celle "
                "de la communauté."
            ),
        )

    def handle(self, *args, **options):
        if options["words"]:
            try:
                entries = read_words_file(options["words"])
            except WordListError as exc:
                raise CommandError(
                    _("Liste « %(path)s » refusée : %(error)s")
                    % {"path": options["words"], "error": exc}
                ) from None
        elif options["community"]:
            entries = load_community_words(options["community"])
        else:
            entries = []  # personal data only
        banned = BannedWords(entries)  # compiled once for all the lines
        streaming = options["input"] == "-"
        for line in self._lines(options["input"], options.get("stdin")):
            verdict = check_text(line, banned)
            self.stdout.write(json.dumps(verdict.as_dict(), ensure_ascii=False))
            if streaming:
                self.stdout.flush()  # a verdict per line typed, not per buffer

    def _lines(self, path: str, stdin=None) -> Iterable[str]:
        """The texts, without their line ends. A file is read and decoded whole before the first
        verdict (an unreadable file prints nothing); standard input is read as it comes."""
        if path == "-":
            return self._stdin_lines(stdin)
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            raise CommandError(
                _("Impossible de lire « %(path)s » : %(error)s.")
                % {"path": path, "error": exc.strerror or exc}
            ) from None
        lines = _decode(raw, path).split("\n")
        if lines[-1] == "":
            lines.pop()  # the end of the last line, not an empty text
        return [line.rstrip("\r") for line in lines]

    @staticmethod
    def _stdin_lines(stdin):
        if stdin is not None:  # a text stream given by call_command(stdin=…)
            for line in stdin:
                yield line.rstrip("\r\n")
            return
        for number, raw in enumerate(sys.stdin.buffer, start=1):
            yield _decode(raw, _("entrée standard, ligne %(line)d") % {"line": number}).rstrip(
                "\r\n"
            )


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(
            _("« %(where)s » n'est pas en UTF-8 (octet %(position)d).")
            % {"where": where, "position": exc.start + 1}
        ) from None

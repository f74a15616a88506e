"""Banned-word lists: their entries, their actions, and reading them from a CSV file.

An entry is a word or a phrase (several words) and an action. Entries are plain values: the
community's list model (another module) stores them, ``textcheck.BannedWords`` compiles them.

Actions, weakest to strongest as the verdict of a message goes (the strongest one wins):

``censor``, ``replace:<texte>``, ``link:<url>``
    the message is published with the word masked by asterisks, replaced by the text, or made
    a link to the address; the verdict says ``censor``: "published, but not as written".
``flag``
    published, and put in the moderators' review queue.
``require_approval``
    held until a moderator approves it.
``block``
    refused; the author is told why.

A word ending in ``*`` matches every word it begins (``encul*``: "enculé", "enculer"…),
three letters at least before the star.
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from relais.community.moderation.normalize import WORD, fold_text, prepare, word_keys

BLOCK = "block"
REQUIRE_APPROVAL = "require_approval"
FLAG = "flag"
CENSOR = "censor"
REPLACE = "replace"
LINK = "link"
ALLOW = "allow"
ENTRY_ACTIONS = (BLOCK, REQUIRE_APPROVAL, FLAG, CENSOR, REPLACE, LINK)
# The verdict of a message, weakest first: its rank is its index.
VERDICT_ACTIONS = (ALLOW, CENSOR, FLAG, REQUIRE_APPROVAL, BLOCK)
VERDICT_RANK = {action: rank for rank, action in enumerate(VERDICT_ACTIONS)}
# What each entry action makes of the message; replace and link alter it as censor does.
VERDICT_OF = {
    BLOCK: BLOCK,
    REQUIRE_APPROVAL: REQUIRE_APPROVAL,
    FLAG: FLAG,
    CENSOR: CENSOR,
    REPLACE: CENSOR,
    LINK: CENSOR,
}
# Two entries transforming the same words: masking wins over replacing, replacing over linking.
TRANSFORM_RANK = {CENSOR: 3, REPLACE: 2, LINK: 1}

SHORTEST_PREFIX = 3
LONGEST_WORD = 100
_URL = re.compile(r"^(?:https?://[^\s<>\"]+|/[^\s<>\"]*)$")
_HEADERS = (["word", "action"], ["mot", "action"])


class WordListError(ValueError):
    """A list that cannot be used, with a French message naming the faulty line."""


@dataclass(frozen=True)
class Entry:
    """One word or phrase of a list and what to do with a message containing it."""

    word: str
    action: str
    argument: str = ""  # the replacement text, or the link's address

    @property
    def verdict(self) -> str:
        return VERDICT_OF[self.action]

    @property
    def is_prefix(self) -> bool:
        return self.word.endswith("*")

    def lemmas(self) -> list[str]:
        """The folded words of the entry ('Fils-de-PUTE' -> ['fils', 'de', 'pute']), a trailing
        star kept on the last one."""
        found = [match.group() for match in WORD.finditer(fold_text(prepare(self.word)))]
        keys = [word_keys(word)[0] for word in found]
        if self.is_prefix and keys:
            keys[-1] += "*"
        return keys

    def participles(self) -> set[str]:
        """The folded words of the entry written with a final "é" ("enculé" -> {'encule'}):
        masculine, they take "-ée" (``forms.inflections``)."""
        written = prepare(self.word)
        return {
            word_keys(match.group())[0]
            for match in WORD.finditer(fold_text(written))
            if written[match.end() - 1] in "éÉ"
        }


def parse_action(spec: str) -> tuple[str, str]:
    """``'replace:zut'`` -> ``('replace', 'zut')``; a French ``WordListError`` if it is wrong."""
    spec = spec.strip()
    name, colon, argument = spec.partition(":")
    name = name.strip().lower()
    argument = argument.strip()
    if name in (REPLACE, LINK):
        if not colon or not argument:
            raise WordListError(
                _("l'action « %(name)s » attend un texte après « : » (%(name)s:<texte>).")
                % {"name": name}
            )
        if name == LINK and not _URL.match(argument):
            raise WordListError(
                _("l'adresse « %(url)s » n'est pas un lien http(s):// ni un chemin /…")
                % {"url": argument}
            )
        return name, argument
    if name in ENTRY_ACTIONS and not colon:
        return name, ""
    raise WordListError(
        _(
            "action « %(spec)s » inconnue (attendu : block, require_approval, flag, censor, "
            "replace:<texte> ou link:<url>)."
        )
        % {"spec": spec}
    )


def make_entry(word: str, spec: str) -> Entry:
    """An entry checked: a word with at least one letter or digit, a known action."""
    word = " ".join(word.split())
    action, argument = parse_action(spec)
    if not word:
        raise WordListError(_("mot vide."))
    if len(word) > LONGEST_WORD:
        raise WordListError(_("mot de plus de %(count)d caractères.") % {"count": LONGEST_WORD})
    entry = Entry(word=word, action=action, argument=argument)
    keys = entry.lemmas()
    if not keys:
        raise WordListError(_("« %(word)s » ne contient ni lettre ni chiffre.") % {"word": word})
    if "*" in word.rstrip("*") or word.endswith("**"):
        raise WordListError(
            _("« %(word)s » : l'étoile n'est permise qu'à la fin du mot.") % {"word": word}
        )
    if entry.is_prefix and (word[-2:-1].isspace() or len(keys[-1]) - 1 < SHORTEST_PREFIX):
        raise WordListError(
            _("« %(word)s » : il faut au moins %(count)d lettres avant l'étoile.")
            % {"word": word, "count": SHORTEST_PREFIX}
        )
    return entry


def parse_words_csv(text: str) -> list[Entry]:
    """The entries of a CSV text of two columns, ``word,action`` (``;`` also accepted), with or
    without that header line; blank lines are skipped. The first bad line stops everything
    (nothing half-read) with a French ``WordListError`` naming it."""
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = ";" if ";" in first and "," not in first else ","
    entries = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for row in reader:
            number = reader.line_num
            cells = [cell.strip() for cell in row]
            while cells and not cells[-1] and len(cells) > 2:
                cells.pop()
            if not any(cells):
                continue
            if not entries and [cell.lower() for cell in cells] in _HEADERS:
                continue
            if len(cells) != 2:
                raise WordListError(
                    _("ligne %(line)d : %(count)d colonne(s) au lieu de 2 (mot,action).")
                    % {"line": number, "count": len(cells)}
                )
            try:
                entries.append(make_entry(*cells))
            except WordListError as exc:
                raise WordListError(
                    _("ligne %(line)d : %(error)s") % {"line": number, "error": exc}
                ) from None
    except csv.Error as exc:
        raise WordListError(
            _("ligne %(line)d : CSV illisible (%(error)s).")
            % {"line": reader.line_num, "error": exc}
        ) from None
    return entries


def read_words_file(path: str | Path) -> list[Entry]:
    """``parse_words_csv`` of a file in UTF-8 (with or without BOM) or Windows-1252 (Excel)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise WordListError(
            _("Impossible de lire la liste « %(path)s » : %(error)s.")
            % {"path": path, "error": exc.strerror or exc}
        ) from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise WordListError(
            _("La liste « %(path)s » n'est ni en UTF-8 ni en Windows-1252.") % {"path": path}
        )
    if "\x00" in text:
        raise WordListError(_("La liste « %(path)s » n'est pas un fichier texte.") % {"path": path})
    return parse_words_csv(text)


def entries_from_pairs(pairs: Iterable[tuple[str, str]]) -> list[Entry]:
    """Entries from ``(word, action)`` pairs, e.g. the rows of the community's list model."""
    return [make_entry(word, spec) for word, spec in pairs]


def load_community_words(slug: str) -> list[Entry]:
    """The banned-word list of the community ``slug`` (``check_text --community``)."""
    from relais.community.models import Community
    from relais.community.screening import community_word_entries

    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise CommandError(_("Communauté inconnue : « %(slug)s ».") % {"slug": slug})
    return community_word_entries(community)

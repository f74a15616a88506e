"""Finding ``@nom affiché`` in a text: what the notifications and the rendering share.

A display name may hold spaces (« Marie L. »), so an ``@`` may introduce up to four words;
the longest of them that names a member wins. Both the notifications (who is told) and the
rendering (which names are marked in the page) read mentions through ``mention_spans``, so a
name is marked exactly when it is a mention.
"""

import re
from collections.abc import Callable, Iterator

# An ``@`` that does not follow a letter, digit or another ``@`` (« marie@exemple.fr » is an
# address, not a mention).
_AT = re.compile(r"(?<![\w@])@")
_WORD = re.compile(r"[^\s]+")
_TRAILING = ".,;:!?)»\"'"
NAME_WORDS = 4
NAME_MIN = 3


def candidates(after: str) -> list[tuple[str, int]]:
    """The display names an ``@`` may introduce, longest first, each with the number of
    characters of ``after`` (the text following the ``@``) it covers: « Marie L. merci » may
    name « Marie L. merci », « Marie L. », « Marie L » or « Marie ». Words are separated by
    spaces or tabs on one line; a name is compared with its spaces collapsed."""
    words = []
    for match in _WORD.finditer(after):
        gap = after[words[-1][1] if words else 0 : match.start()]
        if gap.strip(" \t") if words else gap:  # a new line, or a space after the ``@``
            break
        words.append((match.group(), match.end()))
        if len(words) == NAME_WORDS:
            break
    found: list[tuple[str, int]] = []
    for count in range(len(words), 0, -1):
        name, end = " ".join(w for w, _end in words[:count]), words[count - 1][1]
        found.append((name, end))
        while name and name[-1] in _TRAILING:  # « L.,» may end the name « L. »
            name, end = name[:-1], end - 1
            found.append((name, end))
    seen: set[str] = set()
    unique = []
    for name, end in found:
        if len(name) >= NAME_MIN and name not in seen:
            seen.add(name)
            unique.append((name, end))
    return unique


def wanted_names(text: str) -> list[list[str]]:
    """For each ``@`` of ``text``, the names it may introduce, longest first."""
    return [[name for name, _end in candidates(text[m.end() :])] for m in _AT.finditer(text or "")]


def mention_spans(text: str, known: Callable[[str], str | None]) -> Iterator[tuple[int, int, str]]:
    """``(start, end, display name)`` of each mention in ``text`` (``start`` at the ``@``):
    the longest name after an ``@`` that ``known`` recognises (it returns the member's
    display name, or ``None`` for a name of no one)."""
    position = 0
    for match in _AT.finditer(text or ""):
        if match.start() < position:  # inside the previous mention's name
            continue
        for name, length in candidates(text[match.end() :]):
            display = known(name)
            if display is not None:
                position = match.end() + length
                yield match.start(), position, display
                break

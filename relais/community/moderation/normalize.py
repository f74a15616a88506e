"""Text as the banned-word matcher sees it: folded, cut into words with their offsets, de-obfuscated.

The folding is that of ``relais.core.text.fold`` (case, accents, ligatures), done here with a
translation table that keeps one character for one character, so that an offset in the folded
text is the same offset in the text the member wrote: a censored word is masked in the original,
accents and capitals included. Ligatures (œ, æ) stay one character in the folded text and are
spelt out in the word keys only.

Obfuscations undone on a word's key, never on the text:

* digits and signs for letters (``c0nn@rd``, ``$alope``, ``b!te``): only in a word that also
  has a letter, so that "2024" or "75001" stay numbers; ``1`` is tried as ``i`` and as ``l``;
* letters repeated three times or more (``connnnard``): the word is compared with every run
  of a letter squeezed to one, on both sides (``squeeze``);
* single letters with one and the same separator between them (``c.o.n``, ``c o n``,
  ``c-o-n-n-a-r-d``): at least three letters, joined (``spaced_runs``);
* Cyrillic and Greek letters that look Latin (``сon`` with a Cyrillic "с").
"""

import re
import unicodedata
from collections.abc import Iterator

from relais.core.text import fold

# Letters of other scripts that pass for Latin ones in a word typed to fool a filter.
_HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x",
}  # fmt: skip


def _fold_table() -> dict[int, str]:
    """One folded character for each Latin character that folds to one (é→e, É→e, İ→i…)."""
    table: dict[int, str] = {}
    for code in range(0x250):
        char = chr(code)
        folded = fold(char)
        if len(folded) == 1 and folded != char:
            table[code] = folded
    for ligature, lower in (("Œ", "œ"), ("Æ", "æ")):
        table[ord(ligature)] = lower
    for char, latin in _HOMOGLYPHS.items():
        table[ord(char)] = latin
        table[ord(char.upper())] = latin
    for apostrophe in "’ʼ`´":
        table[ord(apostrophe)] = "'"
    return table


_FOLD = _fold_table()
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
# Signs and digits typed for letters; "1" is "i" here and "l" in the second table.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i", "|": "l", "€": "e", "8": "b"})  # fmt: skip
_LEET_L = str.maketrans({"1": "l", "!": "l", "|": "i"})
_OBFUSCATION_SIGNS = "@$!|€"

# A word: letters and digits, with the signs that stand for letters ("@" and "$" anywhere, "!"
# and "|" only between two word characters, so that a final "!" stays punctuation).
_WORD_CHAR = r"(?:[^\W_]|[@$€])"
WORD = re.compile(rf"{_WORD_CHAR}+(?:[!|]{_WORD_CHAR}+)*")
# Single word characters, one and the same separator between them, three of them at least.
SPACED = re.compile(
    rf"(?<![^\W_])(?<![@$€]){_WORD_CHAR}(?P<sep>[ .\-_*·/+,]{{1,3}})"
    rf"(?:{_WORD_CHAR}(?P=sep))+{_WORD_CHAR}(?![^\W_])(?![@$€])"
)
_TRIPLE = re.compile(r"(.)\1\1")
_LETTER_TRIPLE = re.compile(r"([^\W\d_])\1\1")
_SIGN_OR_DIGIT = re.compile(r"[\d@$€!|]")
_RUN = re.compile(r"(.)\1+")
_LONGEST_SPACED = 24
_SHORTEST_SPACED = 3
_ONE_LETTER_WORDS = "ayo"  # à, a, y, ô folded
_ONE_LETTER_WORDS_AROUND = 2


def fold_text(text: str) -> str:
    """``text`` case- and accent-folded, character for character (same length, same offsets).

    ``text`` should be in NFC (``prepare``): a letter and its combining accent are one character.
    """
    folded = text.translate(_FOLD)
    lowered = folded.lower()
    # A few characters outside the table lower into two (none in French text): keep the case.
    return lowered if len(lowered) == len(folded) else folded


def prepare(text: str) -> str:
    """The text the offsets refer to: NFC, so that "é" typed as "e" + accent is one character."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def squeeze(key: str) -> str:
    """Every run of one letter as one letter: 'connnnard' and 'connard' -> 'conard'."""
    return _RUN.sub(r"\1", key)


def has_triple(key: str) -> bool:
    """Whether a letter is repeated three times in a row, the sign of a stretched word."""
    return _TRIPLE.search(key) is not None


def may_be_obfuscated(folded: str) -> bool:
    """Whether a folded text has digits, signs or a letter three times in a row:
    the only texts whose words need more than a plain look-up."""
    return bool(_SIGN_OR_DIGIT.search(folded) or _LETTER_TRIPLE.search(folded))


def word_keys(word: str) -> tuple[str, ...]:
    """The keys a folded word is looked up under: itself, then with its obfuscation undone.

    'c0nn@rd' -> ('c0nn@rd', 'connard'); 'vi1ain' -> ('vi1ain', 'viiain', 'vilain');
    '@marie' (a mention) -> ('@marie', 'amarie', 'marie'). A word of letters only has one key.
    """
    if "œ" in word or "æ" in word:
        word = word.translate(_LIGATURES)
    if word.isalpha():
        return (word,)
    keys = [word]
    if any(c.isalpha() for c in word):
        leet = word.translate(_LEET)
        keys.append(leet)
        if "1" in word or "!" in word or "|" in word:
            keys.append(word.translate(_LEET_L).translate(_LEET))
    stripped = word.strip(_OBFUSCATION_SIGNS)
    if stripped and stripped != word:
        keys.append(stripped.translate(_LEET))
    return tuple(dict.fromkeys(keys))


def plain_words(folded: str) -> list[str]:
    """The words of a folded text, ligatures spelt out (no offsets: for a quick look-up)."""
    if "œ" in folded or "æ" in folded:
        folded = folded.translate(_LIGATURES)
    return WORD.findall(folded)


def words(folded: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, word)`` of every word of a folded text."""
    for match in WORD.finditer(folded):
        yield match.start(), match.end(), match.group()


def spaced_runs(folded: str) -> Iterator[list[tuple[int, int, str]]]:
    """For each spaced-out run of letters, its readings as ``(start, end, joined)``, longest
    first: the whole run, then without one or two one-letter French words before it ("à", "a",
    "y", "ô") or one after it.

    "t'es un c o n" gives [(8, 13, 'con')]; "y a c.o.n.s" gives 'yacons', 'acons', 'cons';
    a spaced-out heading ("C O N V E N T I O N") is read whole, never as the "con" it begins
    with. Runs of digits only ("1 2 3") are skipped.
    """
    for match in SPACED.finditer(folded):
        step = len(match.group("sep")) + 1
        start = match.start()
        letters = match.group()[::step]
        count = len(letters)
        if count > _LONGEST_SPACED or not any(c.isalpha() for c in letters):
            continue  # a line of dashes between letters, a table…: not a word
        leads = [0]
        while len(leads) <= _ONE_LETTER_WORDS_AROUND and letters[leads[-1]] in _ONE_LETTER_WORDS:
            leads.append(leads[-1] + 1)
        trails = [count, count - 1] if letters[-1] in _ONE_LETTER_WORDS else [count]
        readings = [
            (first, last) for first in leads for last in trails if last - first >= _SHORTEST_SPACED
        ]
        readings.sort(key=lambda reading: reading[0] - reading[1])
        yield [
            (start + first * step, start + (last - 1) * step + 1, letters[first:last])
            for first, last in readings
        ]

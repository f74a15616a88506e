"""French inflected forms of a banned word: plural and feminine, generated once per list.

The text is never stemmed: each word of a list brings the forms French gives it, and a word of
a message is looked up as it is. Generating forms rather than cutting suffixes keeps the
matching exact on whole words — "con" brings "cons", "conne", "connes" but never "cône",
"contrat" or "conseil" — and costs nothing per message.

Rules (on the folded word, longest ending first), each feminine also taking its plural:

==========  =======================  ==============================
ending      feminine                 example
==========  =======================  ==============================
-e          (none: already one)      salope → salopes
-é          -ée                      enculé → enculée
-teur       -trice, -teuse           menteur → menteuse, (ac)trice
-eur        -euse, -eure             voleur → voleuse
-eux, -oux  -euse, -ouse             vicieux → vicieuse
-if         -ive                     naïf → naïve
-ien, -en   -ienne, -enne            vaurien → vaurienne
-on         -onne                    con → conne
-el, -eil   -elle, -eille            cruel → cruelle
-eau        -elle                    jumeau → jumelle
-et, -ot    -ette/-ète, -otte/-ote   sot → sotte, idiot → idiote
-er         -ère                     fier → fière
-an         -ane, -anne              paysan → paysanne
-c          -que, -che               public → publique
-g          -gue                     long → longue
-s          -se, -sse                gros → grosse
other       -e                       connard → connarde
==========  =======================  ==============================

Plurals: -s, -x, -z unchanged; -al → -aux (and -als); -ail → -ails, -aux; -au, -eu, -ou →
-x and -s; otherwise -s. Words of one or two letters ("de", "ta" in a phrase) keep one form.
"""

_FEMININE = (
    ("teur", ("trice", "teuse")),
    ("eur", ("euse", "eure")),
    ("eux", ("euse",)),
    ("oux", ("ouse",)),
    ("if", ("ive",)),
    ("ien", ("ienne",)),
    ("en", ("enne",)),
    ("on", ("onne",)),
    ("eau", ("elle",)),
    ("eil", ("eille",)),
    ("el", ("elle",)),
    ("et", ("ette", "ete")),
    ("ot", ("otte", "ote")),
    ("er", ("ere",)),
    ("an", ("ane", "anne")),
    ("c", ("que", "che")),
    ("g", ("gue",)),
    ("s", ("se", "sse")),
)
SHORTEST_INFLECTED = 3


def plurals(word: str) -> set[str]:
    """The word and its plural forms."""
    if word.endswith(("s", "x", "z")):
        return {word}
    if word.endswith("al"):
        return {word, word + "s", word[:-2] + "aux"}
    if word.endswith("ail"):
        return {word, word + "s", word[:-3] + "aux"}
    if word.endswith(("au", "eu", "ou")):
        return {word, word + "x", word + "s"}
    return {word, word + "s"}


def feminines(word: str) -> set[str]:
    """The feminine forms of a masculine word (none for a word ending in -e)."""
    if word.endswith("e"):
        return set()
    for ending, replacements in _FEMININE:
        if word.endswith(ending):
            stem = word[: -len(ending)]
            return {stem + replacement for replacement in replacements}
    return {word + "e"}


def inflections(word: str, *, participle: bool = False) -> set[str]:
    """Every form of a folded word: itself, its feminines, and the plurals of all of them.

    ``participle``: the word was written with a final "é" (folded away), so it is masculine
    and takes "-ée", "-ées" ("enculé" → "enculée").
    """
    if len(word) < SHORTEST_INFLECTED or not word.isalpha():
        return {word}
    if participle:
        return plurals(word) | plurals(word + "e")
    forms = plurals(word)
    for feminine in feminines(word):
        forms |= plurals(feminine)
    return forms

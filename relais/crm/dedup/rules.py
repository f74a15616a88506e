"""Rules that no weight may overturn: households, namesakes, twins.

The Fellegi–Sunter score adds evidence field by field, so two people who share an address, a
landline and a family e-mail pile up enough of it to look « sure » although their first names
and birth dates say they are two people: a couple, a parent and an adult child, two siblings.
And a namesake (same first and last name) born another day and living elsewhere is someone
else, whatever weights EM learned on a file whose errors are not a CRM's. These rules look at
what only a person has — a first name, a birth date — and cap the score:

* **household / two people** (``HOUSEHOLD``): the first names clearly differ (not a typo, not
  a shortened compound name or initial, not the names swapped; a gendered pair such as Michel
  and Michèle counts as different) and the birth date is absent on one side or another
  person's (more than one typo away — a sibling born the same year is not a twin —, or one
  typo in the year, or any typo when the first names are « différent », not a near
  spelling: a couple born days apart, not twins), and they share a surname or a place
  (address, exact phone or e-mail, identifier, vehicle). Whatever else is shared, the score
  is capped under the decision threshold. (Sharing nothing, such a pair is left to the
  weights, which keep it low.) An initial whose birth date is another person's (« É. » of
  1973, Édith of 1997), or whose own « prénom.nom » mailbox names someone else (« A. » of
  « anastasie.albert@ » against Alain), is two people too; so are two first names apart
  sharing a mailbox but each with a mobile of their own (Martin and Marine of « marion@ »).
* **namesake elsewhere** (``NAMESAKE``): first and last names agree, the birth dates clearly
  differ and nothing places them at one address, postal code, town, phone, e-mail,
  identifier or vehicle — or a birth date is missing, the addresses differ and so do their
  phones or e-mails, or the surnames are only close (« proche ») with birth dates clearly
  apart: capped under the decision threshold. (In the same town, the weights decide, and
  the pair is never « sure ».)
* **one name at one home** (``SAME_NAME_HOME``): same names at one address, born in other
  years, or giving two different mobiles (a mobile is one person's, a landline a
  household's) — also with birth dates two typos apart in one year: a father and his son
  of one name, a couple of Claudes; capped under the decision threshold. One first name
  with two surnames at one home and two birth dates is a household too, and so is one
  first name spelt two ways (Luc, Lucy) with two surnames and two mobiles at one home.
* **to review** (``REVIEW``): a first name given as an initial (« A. » and « Agathe »), twins
  (first names clearly different, same birth date — or one typo in its day or month for
  near spellings —, same surname), a first name clearly another without a birth date but
  one mobile in common (a damaged first name, or a couple's phone), a namesake with another
  birth date at the same address or in the same town (a father and son of one name, or a
  birth date entered wrongly), one name with birth dates
  two typos apart in the day and month sharing nothing personal, and one name on two records
  without a birth date to compare, at another address, sharing no phone nor e-mail (someone
  who moved, or a namesake), one name at one home without a second birth date sharing
  nothing personal (``personal_link``), one first name with two surnames at one home
  without a second date (a married name?), both names apart with one birth date:
  genuinely ambiguous, so
  capped under « sure » — they stay in the review queue, never merged without a person
  looking.

* **to check** (``TO_CHECK``, under the decision threshold but listed « à vérifier »):
  twins sharing nothing personal, one name at two addresses without a birth date, one first
  name with two surnames at one home, an initial with two mobiles, and one name at one home
  without a second birth date where each gives a « prénom.nom » mailbox of their own
  (``TWO_MAILBOXES``: a father and his son, or one person with two mailboxes).

What a first name is, the file says (``engine.name_counts``): a spelling nobody else bears,
near a name many bear, is a misspelling of it (``misspelt``), and so are two such spellings
near one name (« Maritn », « Mantin »: Martin typed badly twice); two spellings a letter
apart that each many records bear, and which do not sound alike, are two names
(``two_names``: Alex and Alix). A household's mailbox (« famille.martin@ ») is never
personal; a « prénom.nom » mailbox names its owner (``mailbox_given``).

On a file whose copies of one person often carry another first name (``names_replaced``,
FEBRL's generator does that), the two-people caps become review caps (``REVIEW_CAPS``).

"Clearly different" and "clearly another person's" are the comparison levels of
``compare.py``: a first name at « proche » or « différent » (Jaro–Winkler under 0.9) and more
than one typo away from the other, or a short one (six letters or fewer) two typos away
(« Martin » and « Marine »); for the household rule a birth date « proche » or
« différent », for namesakes « différent » (more than two typos, or two in the year).
"""

import re
from functools import cached_property, lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from relais.crm.dedup.compare import CLOSE, EXACT, FAIR, OTHER, level, name_similarity
from relais.crm.dedup.normalize import initials, squeeze

(
    NONE,
    HOUSEHOLD,
    NAMESAKE,
    REVIEW,
    SAME_NAME_HOME,
    TWINS,
    MOVED_OR_NAMESAKE,
    TWO_SURNAMES,
    INITIAL_TWO_MOBILES,
    TWO_MAILBOXES,
) = range(10)
HOUSEHOLD_CAP = 0.2  # under DECISION (0.5)
REVIEW_CAP = 0.8  # under SURE (0.95), over DECISION: listed as « probable »
# Under DECISION, over HOUSEHOLD_CAP: Fellegi–Sunter's "possible link". Two people are the
# likelier reading, yet nothing on the records settles it: the pair is listed « à vérifier »
# (``TO_CHECK``, see ``engine.find_duplicates_prepared``) but is not a probable duplicate.
POSSIBLE_CAP = 0.4
CAPS = {
    HOUSEHOLD: HOUSEHOLD_CAP,
    NAMESAKE: HOUSEHOLD_CAP,
    REVIEW: REVIEW_CAP,
    SAME_NAME_HOME: HOUSEHOLD_CAP,
    TWINS: POSSIBLE_CAP,
    MOVED_OR_NAMESAKE: POSSIBLE_CAP,
    TWO_SURNAMES: POSSIBLE_CAP,
    INITIAL_TWO_MOBILES: POSSIBLE_CAP,
    TWO_MAILBOXES: POSSIBLE_CAP,
}
# Rules whose pairs are listed for a person to check even under the decision threshold, as
# long as the evidence before the cap reached it.
TO_CHECK = (TWINS, MOVED_OR_NAMESAKE, TWO_SURNAMES, INITIAL_TWO_MOBILES, TWO_MAILBOXES)
# On a file whose copies of one person often carry another first name (see
# ``names_replaced``), "another first name" is no longer evidence of another person: the
# two-people rules then send their pairs to review instead — never « sure » either way.
REVIEW_CAPS = dict.fromkeys(CAPS, REVIEW_CAP)
TWO_PEOPLE = (HOUSEHOLD, NAMESAKE, SAME_NAME_HOME)
LABELS = {
    HOUSEHOLD: "Foyer ou autre personne : prénoms différents, date de naissance absente ou autre",
    NAMESAKE: "Homonyme : même nom, autre date de naissance, rien d'autre en commun",
    REVIEW: "À examiner : jumeaux ou homonyme à la même adresse, jamais fusionné sans vous",
    SAME_NAME_HOME: (
        "Même nom à la même adresse, mais nés à des années différentes ou portables différents : "
        "deux personnes"
    ),
    TWINS: (
        "À vérifier : jumeaux ? Prénoms différents, même nom et même date de naissance, sans "
        "portable ni adresse e-mail personnelle en commun"
    ),
    MOVED_OR_NAMESAKE: (
        "À vérifier : même nom à deux adresses, sans date de naissance pour les départager ni "
        "téléphone ou e-mail en commun (déménagement ou homonyme)"
    ),
    TWO_SURNAMES: (
        "À vérifier : même prénom à la même adresse, deux noms différents, sans portable ni "
        "adresse e-mail personnelle en commun (un couple de même prénom, ou un nom d'épouse)"
    ),
    INITIAL_TWO_MOBILES: (
        "À vérifier : une initiale et un prénom à la même adresse, chacun avec son portable "
        "(« A. » et Agathe, ou Arthur)"
    ),
    TWO_MAILBOXES: (
        "À vérifier : même nom à la même adresse, sans seconde date de naissance, chacun avec "
        "sa propre adresse e-mail « prénom.nom » (un père et son fils, un couple de même "
        "prénom, ou une personne à deux adresses)"
    ),
}
# A file is one whose copies replace first names when pairs of one surname at one address,
# with other first names and the same birth date ("twins") are at least this share of those
# with other first names and another or no birth date ("households"), and number at least
# ``MIN_TWIN_LIKE``. Real twins are about 1 % of the second kind in a French population;
# FEBRL's copies give six to thirty times as many as the second kind.
TWIN_SHARE_OF_REPLACED_NAMES = 0.5
MIN_TWIN_LIKE = 20
AGREE = (EXACT, CLOSE)
# Feminine endings of a first name's masculine form: Michel/Michèle, Jean/Jeanne,
# Gabriel/Gabrielle, Antoine/Antoinette, Henri/Henriette.
FEMININE_ENDINGS = ("e", "le", "ne", "te", "tte", "ette")
_THRICE = re.compile(r"(.)\1\1")


def gendered(a: str, b: str) -> bool:
    """Two (folded) first names of one root and two genders: Michel and Michèle, Louis and
    Louise, Frédéric and Frédérique, Julien and Julienne, Stéphane and Stéphanie."""
    if not a or not b or a == b:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if long.startswith(short) and long[len(short) :] in FEMININE_ENDINGS:
        # « Aiméée »: a letter typed thrice is a typo, no feminine form.
        return not _THRICE.search(long)
    if short.endswith("c") and long == short[:-1] + "que":
        return True  # Frédéric, Frédérique
    # Stéphane, Stéphanie; not Zacharie and "Zachare", Marie and "Mare": a dropped "i" is
    # a typo of any name ending in "ie", the gendered pair is the "-ane"/"-anie" one.
    return short.endswith("ane") and long == short[:-1] + "ie"


def _one_typo(first_a: str, last_a: str, first_b: str, last_b: str, swapped: bool) -> bool:
    """Whether the first names, as ``compare.names`` paired them, are one typo apart (and
    not a gendered pair). Crossed, the worse of the two crossed pairs is taken."""
    if swapped:
        pairs = ((first_a, last_b), (last_a, first_b))
        x, y = max(pairs, key=lambda p: OSA.distance(squeeze(p[0]), squeeze(p[1])))
    else:
        x, y = first_a, first_b
    return OSA.distance(squeeze(x), squeeze(y)) <= 1 and not gendered(x, y)


def _short_and_apart(a: str, b: str) -> bool:
    """Two first names two edits or more apart (three for names over six letters: Charlotte
    and Charles), neither a part of the other."""
    words_a, words_b = set(a.split()), set(b.split())
    if words_a <= words_b or words_b <= words_a:
        return False  # "Jean" and "Jean Pierre"
    if initials(a) == initials(b) and (max(map(len, words_a)) == 1 or max(map(len, words_b)) == 1):
        return False  # "J P" and "Jean Pierre"
    x, y = squeeze(a), squeeze(b)
    return OSA.distance(x, y) >= (2 if min(len(x), len(y)) <= 6 else 3)


def _initial_of(short: str, name: str) -> bool:
    return len(short) == 1 and len(name) > 1 and name.startswith(short)


def _crossed_initial(first_a, last_a, first_b, last_b) -> bool:
    """Names swapped on one record and a first name given as its initial: « Rossi
    Bernadette » and « B. Rossi » — the surnames, crossed, agree, and the initial is the
    other's first name's (not the surname's: « G. Guillou » and « Élise Guillou »)."""
    for (x, y), (u, v) in (
        ((first_a, last_b), (last_a, first_b)),
        ((last_a, first_b), (first_a, last_b)),
    ):
        if (_initial_of(x, y) or _initial_of(y, x)) and name_similarity(u, v) >= 0.9:
            return True
    return False


def _level(similarity) -> int:
    return -1 if similarity is None else level(similarity)


def relation(
    first_a: str,
    last_a: str,
    first_b: str,
    last_b: str,
    first_sim,
    last_sim,
    swapped: bool,
    birth_sim,
    contact_levels,
    birth_a: str = "",
    birth_b: str = "",
    mobiles_apart: bool = False,
    personal_link: bool = True,
    shared_mobile: bool = False,
    misspelt: bool = False,
    two_names: bool = False,
    mailbox_other: bool = False,
    mailboxes_apart: bool = False,
) -> int:
    """The rule that applies to a pair (``NONE`` when none). ``first_sim``/``last_sim`` and
    ``swapped`` come from ``compare.names``; ``contact_levels`` are the levels of street,
    postal code, city, phone, e-mail, identifier and vehicle (-1 missing); ``birth_a`` and
    ``birth_b`` the normalised birth dates (``YYYYMMDD``); ``mobiles_apart`` whether both
    give a mobile and share none (``mobiles_apart()``); ``personal_link`` whether they share
    what only one person has (``personal_link()``); ``shared_mobile`` whether they give one
    mobile number in common (``shared_mobile()``); ``misspelt`` whether one of the first
    names is a misspelling of the other by the file's spellings (``misspelt()``);
    ``two_names`` whether they are two first names the file knows well that do not sound
    alike (``two_names()``); ``mailbox_other`` whether one record's « prénom.nom » mailbox
    names someone other than the other record (``mailbox_names_other()``);
    ``mailboxes_apart`` whether each gives a « prénom.nom » mailbox of their own and the
    two differ (``mailboxes_apart()``)."""
    if first_sim == 1.0 and last_sim == 1.0 and birth_sim is not None and birth_sim >= 0.999:
        return NONE  # the bulk of true pairs: same names, one birth date
    first, last = _level(first_sim), _level(last_sim)
    if swapped:  # which crossed name is the first name is unknown: assume the worse one
        given, family = max(first, last), min(first, last)
    else:
        given, family = first, last
    birth = _level(birth_sim)
    # One birth date for both says one person more than two names a letter apart do
    # (twins given near names are rarer than a typo that made another name).
    two_names = two_names and birth not in AGREE
    if given in AGREE and (
        gendered(first_a, first_b) or gendered(first_a, last_b) or gendered(last_a, first_b)
    ):
        given = OTHER
    elif (
        given in (FAIR, OTHER)
        and not two_names
        and _one_typo(first_a, last_a, first_b, last_b, swapped)
    ):
        given = CLOSE  # one typo in a short first name ("Luc", "Lcu"): not another name
    elif given in (FAIR, OTHER) and misspelt:
        given = CLOSE  # "Gréaoile": nobody's first name, two typos from Grégoire
    elif given == CLOSE and (
        two_names or (not swapped and not misspelt and _short_and_apart(first_a, first_b))
    ):
        # "Martin" and "Marine", "Marie" and "Marion": close, yet two names; and so are
        # "Alex" and "Alix", one letter apart but each a first name many records bear.
        given = FAIR
    if mailbox_other and given in AGREE:
        # "Lnuise" near enough to Louis, but her mailbox says « louise.bailly@ »: two people.
        given = OTHER
    year_apart = birth == CLOSE and birth_a[:4] != birth_b[:4]  # "1959"/"1995"
    if (
        _initial_of(first_a, first_b)
        or _initial_of(first_b, first_a)
        or (swapped and _crossed_initial(first_a, last_a, first_b, last_b))
    ):
        # "A." and "Agathe": her, or Arthur of the same household — unless their birth
        # dates, which are one person's, say two: "A." born in 1973 is not Agathe of 1997 —
        # nor whose own mailbox names another: « A. » of « anastasie.albert@ » is not Alain.
        if birth == OTHER or year_apart or (mailbox_other and birth not in AGREE):
            return HOUSEHOLD
        # Each with a mobile of their own and no birth date agreeing: Arthur is likelier —
        # to check, not probable.
        apart = mobiles_apart and birth not in (EXACT, CLOSE)
        return INITIAL_TWO_MOBILES if apart else REVIEW
    street, postal, city, *others = contact_levels
    here = street in (EXACT, CLOSE, FAIR) or EXACT in others  # a near e-mail is a
    # namesake's habit ("jean.martin2@"), not a shared one
    if given in (FAIR, OTHER):
        # A first name clearly another (not a near spelling) with a birth date one typo
        # away would be two errors on one person's record at once; two people of one home
        # born close together (a couple born the same year) is likelier: not twins.
        other_birth = (
            birth in (-1, FAIR, OTHER) or year_apart or (given == OTHER and birth == CLOSE)
        )
        if (
            given == FAIR
            and birth == -1
            and family in (EXACT, CLOSE, FAIR)
            and personal_link
            and not mobiles_apart  # Martin and Marine of one mailbox, each a mobile
        ):
            return REVIEW  # a first name typed badly twice, one mobile or own mailbox
        if given == OTHER and birth == -1 and family in AGREE and shared_mobile:
            return REVIEW  # a garbled first name of one mobile's owner, or a couple's phone
        if other_birth and (here or family in AGREE):
            return HOUSEHOLD
        if family in AGREE and not other_birth:
            # Twins, or one of the two first names is wrong. A copy with a mistyped first
            # name keeps its owner's mobile or mailbox; twins each have their own: sharing
            # none of them, twins are likelier — to check, not a probable duplicate.
            return REVIEW if personal_link else TWINS
        if not other_birth:
            return REVIEW  # both names apart, one birth date: never « sure »
        return NONE  # nothing in common but perhaps a date: the weights decide
    if given in AGREE and family == FAIR and birth == OTHER and not here:
        # One first name, a surname a few letters apart, another birth date, another
        # street: a namesake (whose surname was mistyped) more than one person with two
        # errors; in one town, to review — never « sure » whatever weights EM learned.
        return REVIEW if EXACT in (postal, city) else NAMESAKE
    if given in AGREE and family in AGREE and birth in (CLOSE, FAIR) and not here and mobiles_apart:
        # Same names, birth dates a typo or two apart, two addresses and two mobiles: a
        # namesake born near the same day, rather than one person who moved, changed
        # mobile and whose birth date was mistyped — three differences at once.
        return NAMESAKE
    if given in AGREE and family in AGREE and birth == FAIR and not personal_link:
        # Same names, birth dates of one year but two typos apart in the day and month
        # (11/01 and 19/05), nothing personal shared: a namesake of the same town born the
        # same year as likely as one person's date typed badly twice: never « sure ». At
        # one home with a mobile each, two people (a couple of Dominiques born one year):
        # a date typed badly twice and a new mobile at once is less likely.
        return SAME_NAME_HOME if here and mobiles_apart else REVIEW
    if given in AGREE and family in AGREE and birth in (-1, OTHER):
        if birth == OTHER:
            if here:  # a father and son of one name, a couple of Claudes; one year: review
                apart = birth_a[:4] != birth_b[:4] or mobiles_apart
                return SAME_NAME_HOME if apart else REVIEW
            if EXACT in (postal, city) and not (mobiles_apart or mailboxes_apart):
                return REVIEW  # one town: moved within it, and the date mistyped?
            return NAMESAKE  # elsewhere, or each with their own mobile or mailbox
        phone, mail = others[0], others[1]
        if not here and street != -1:
            if phone == OTHER or mail in (FAIR, OTHER):
                return NAMESAKE  # no birth date, another address, phones or e-mails apart
            # No birth date, another address, no phone nor e-mail in common: someone who
            # moved or a namesake, and nothing on the records to tell: to check.
            return MOVED_OR_NAMESAKE
        if here and mobiles_apart:
            return SAME_NAME_HOME  # one name, one home, two mobiles: a mobile is one person's
        if here and not personal_link:
            # One name, one home, no birth date to tell, nothing personal shared: to
            # review — to check only when each has a « prénom.nom » mailbox of their own
            # (one person re-entered gives the address they gave before; a father and his
            # son each have theirs).
            return TWO_MAILBOXES if mailboxes_apart else REVIEW
    if given in AGREE and family in (FAIR, OTHER) and here and birth in (-1, OTHER):
        # One first name, two surnames at one home: a couple of Claudes, or a woman who
        # took her husband's name (to review when a birth date cannot tell). Two first
        # names spelt apart (Luc and Lucy, Michelle and Michèle), two surnames and two
        # mobiles are three differences at once: two people.
        apart = birth == OTHER or (given == CLOSE and mobiles_apart)
        if apart:
            return HOUSEHOLD
        if family == OTHER and not personal_link:
            # Surnames clearly apart (not a typo) and nothing of one person's in common (a
            # married woman keeps her mobile and mailbox): a couple of Claudes is likelier,
            # a married name not excluded — to check, not a probable duplicate.
            return TWO_SURNAMES
        return REVIEW
    return NONE


# A spelling borne by one record only, two typos at most from a first name that at least
# this many records bear, is a misspelling of it, not another person's first name.
COMMON_NAME = 3
# Two close spellings are two names when the rarer is borne by at least this share of the
# records bearing the commoner: a typo makes one given misspelling of a name on a small and
# steady share of its records (« Aiee » on 3 records, Aimé on 120), while two names each
# have their own bearers (Alex on 79, Alix on 69).
TWO_NAMES_SHARE = 0.1
# Words of an e-mail address that make it a household's, not one person's.
FAMILY_WORDS = frozenset({"famille", "fam", "family", "foyer"})


class NameCounts(dict):
    """Name → how many records bear it in either name field (``engine.name_counts``);
    ``given``, how many bear it as their first name. The common names (borne by
    ``COMMON_NAME`` records or more) are listed once for ``misspelt``."""

    def __init__(self, *args, given: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.given = given if given is not None else {}
        self.near: dict = {}  # (name, first names only?) → common names a typo away

    @cached_property
    def common(self) -> list[str]:
        return [name for name, count in self.items() if count >= COMMON_NAME]

    @cached_property
    def common_given(self) -> list[str]:
        return [name for name, count in self.given.items() if count >= COMMON_NAME]


def _given_counts(counts) -> dict:
    """First-name counts when known (a ``NameCounts``), else the counts themselves."""
    return counts.given if isinstance(counts, NameCounts) and counts.given else counts


def _common_near(name: str, counts, *, given: bool = False) -> set[str]:
    """The common names of ``counts`` (first names only if ``given``) one typo at most
    from ``name``."""
    cache = counts.near if isinstance(counts, NameCounts) else {}
    if (name, given) in cache:
        return cache[name, given]
    if isinstance(counts, NameCounts) and (counts.given or not given):
        common = counts.common_given if given else counts.common
    else:
        common = [n for n, c in counts.items() if c >= COMMON_NAME]
    found = process.extract(name, common, scorer=OSA.distance, score_cutoff=1, limit=None)
    cache[name, given] = near = {match for match, _distance, _index in found}
    return near


def _paired_first_names(first_a, last_a, first_b, last_b, swapped) -> tuple[str, str]:
    """The two first names as ``compare.names`` paired them (crossed, the worse pair)."""
    if swapped:
        pairs = ((first_a, last_b), (last_a, first_b))
        return max(pairs, key=lambda p: OSA.distance(squeeze(p[0]), squeeze(p[1])))
    return first_a, first_b


def misspelt(first_a, last_a, first_b, last_b, swapped, counts) -> bool:
    """Whether one of the two first names (as ``compare.names`` paired them; crossed, the
    worse pair) is a spelling no other record of the file bears, two typos at most from the
    other, which ``COMMON_NAME`` records or more bear (« Gréaoile » and « Grégoire »), and
    not nearer another first name of its own (« Michile » is Michèle's, not Michel's) — or
    both are rare spellings one typo from one common name (« Maritn », « Mantin »): a
    misspelling, not another person. ``counts``: name → records bearing it
    (``engine.name_counts``); without it (one pair alone), never."""
    if not counts:
        return False
    x, y = _paired_first_names(first_a, last_a, first_b, last_b, swapped)
    sx, sy = squeeze(x), squeeze(y)
    if sx == sy or len(sx) < 3 or len(sy) < 3 or gendered(x, y) or OSA.distance(sx, sy) > 2:
        return False
    rare, common = sorted((counts.get(sx, 0), counts.get(sy, 0)))
    # Typed badly twice: two spellings each one typo from one name many records bear, and
    # each too rare beside it to be a name of its own (« Maritn » and « Mantin », both
    # Martin; « aXvier » on 2 records and « Xaveir » on one, Xavier on 80), are that name.
    if len(sx) > 3 and len(sy) > 3:
        near = _common_near(sx, counts) & _common_near(sy, counts)
        if any(common < TWO_NAMES_SHARE * counts[name] for name in near):
            return True
    if rare == 1 and common >= COMMON_NAME:
        # Unless it is nearer another common first name: « Michile » two typos from Michel
        # is one from Michèle — his wife's name typed badly, not his.
        odd, known = (sx, sy) if counts.get(sx, 0) == 1 else (sy, sx)
        # (A name of its own: borne by at least ``TWO_NAMES_SHARE`` of the records bearing
        # the other — not « Geoges », a typo of Georges made thrice in a large file.)
        if OSA.distance(odd, known) == 1:
            return True
        given = _given_counts(counts)
        floor = TWO_NAMES_SHARE * given.get(known, 0)
        nearer = _common_near(odd, counts, given=True) - {known}
        return not any(given.get(name, 0) >= floor for name in nearer)
    return False


def misspelt_surname(last_a: str, last_b: str, counts) -> bool:
    """Whether one surname is a spelling no other record bears, one typo from the other,
    which ``COMMON_NAME`` records or more bear (« Peuez » and Perez, « Roox » and Roux):
    that surname typed badly. Without ``counts`` (one pair alone), never."""
    if not counts:
        return False
    sx, sy = squeeze(last_a), squeeze(last_b)
    if sx == sy or min(len(sx), len(sy)) < 4 or OSA.distance(sx, sy) != 1:
        return False
    rare, common = sorted((counts.get(sx, 0), counts.get(sy, 0)))
    return rare == 1 and common >= COMMON_NAME


def _sound(name: str) -> str:
    """A first name as it sounds, roughly: « y » as « i », « ph » as « f », « h » silent,
    « ck », « qu », « k » as « c », « -ault » as « -aut », doubled letters once (Mathys and
    Mathis, Raphaël and Rafael, Thibault and Thibaut are one name spelt two ways)."""
    text = squeeze(name).replace("ph", "f").replace("y", "i").replace("h", "")
    text = text.replace("ault", "aut")  # Thibault, Thibaut: the « l » is silent
    text = text.replace("ck", "c").replace("qu", "c").replace("k", "c")
    return re.sub(r"(.)\1+", r"\1", text)


def two_names(first_a, last_a, first_b, last_b, swapped, counts, emails=("", "")) -> bool:
    """Whether the first names (as ``compare.names`` paired them) are two first names,
    each borne by ``COMMON_NAME`` records or more and the rarer by at least
    ``TWO_NAMES_SHARE`` of the commoner's, that do not sound alike and neither of which is
    a part of the other: « Alex » and « Alix », « Alexandrie » and « Alexandria » are two
    names one letter apart, not a typo (a typo seldom makes another name many people
    bear). Without ``counts`` (one pair alone), never; nor when one record's « prénom.nom »
    mailbox (``emails``: the records' e-mails) carries the other's first name: « Émile »
    of « emilie.fernandez@ » is Émilie's copy, typed badly."""
    if not counts:
        return False
    x, y = _paired_first_names(first_a, last_a, first_b, last_b, swapped)
    sx, sy = squeeze(x), squeeze(y)
    if sx == sy or len(sx) < 3 or len(sy) < 3 or OSA.distance(sx, sy) > 2:
        return False  # far apart, they are two names without the file's word
    words_x, words_y = set(x.split()), set(y.split())
    if words_x <= words_y or words_y <= words_x:
        return False  # "Jean" and "Jean Pierre"
    given = _given_counts(counts)  # Benard is a surname, not a first name
    rare, common = sorted((given.get(sx, 0), given.get(sy, 0)))
    if rare < COMMON_NAME or rare < TWO_NAMES_SHARE * common:
        return False  # « Pal » on 4 records, Paul on 155: a typo made often, not a name
    if _sound(sx) == _sound(sy):
        return False
    for email, own, other in (
        (emails[0], (first_a, last_a), first_b),
        (emails[1], (first_b, last_b), first_a),
    ):
        if email and other and mailbox_given(email, own) == squeeze(other):
            return False
    return True


@lru_cache(maxsize=200_000)  # one record's mailbox is read once per pair it is in
def mailbox_given(email: str, names: tuple[str, ...]) -> str:
    """The given name a « prénom.nom » mailbox carries (« anastasie.albert86@ » → anastasie),
    when one of its two words is one of ``names`` (the record's own first and last names,
    a typo allowed) — else "" (a household's « famille.martin@ », a « jean45@ »)."""
    words = [w for w in re.split(r"[^a-z]+", email.split("@")[0]) if w]
    if len(words) != 2 or FAMILY_WORDS & set(words):
        return ""
    own = [squeeze(n) for n in names if len(squeeze(n)) > 2]
    # « prénom.nom » first, as French mailboxes mostly are; then « nom.prénom ».
    for given, family in (words, words[::-1]):
        if len(given) > 2 and any(OSA.distance(family, name) <= 1 for name in own):
            return given
    return ""


@lru_cache(maxsize=200_000)
def _bears(given: str, names: tuple[str, ...]) -> bool:
    """Whether one of ``names`` may be written for ``given``: the same, an initial, a
    typo or two (not a gendered pair), or a word of a compound name."""
    for name in names:
        for word in {squeeze(name), *name.split()} - {""}:
            if word == given or (len(word) == 1 and given.startswith(word)):
                return True
            if len(word) > 1 and OSA.distance(word, given) <= 2 and not gendered(word, given):
                return True
    return False


def mailboxes_apart(first_a, last_a, email_a, first_b, last_b, email_b) -> bool:
    """Whether both records give a « prénom.nom » mailbox (``mailbox_given``) carrying
    their own first name, and the two mailboxes differ (« arthur.legros@wanadoo.fr »,
    « arthur.legros28@sfr.fr »)."""
    if not email_a or not email_b or email_a == email_b:
        return False
    given_a = mailbox_given(email_a, (first_a, last_a))
    given_b = mailbox_given(email_b, (first_b, last_b))
    return bool(
        given_a
        and given_b
        and _bears(given_a, (first_a, last_a))
        and _bears(given_b, (first_b, last_b))
    )


def mailbox_names_other(first_a, last_a, email_a, first_b, last_b, email_b) -> bool:
    """Whether one record's own « prénom.nom » mailbox names someone the other record is
    not: « A. Albert » of « anastasie.albert86@ » against Alain Albert, « Lnuise » of
    « louise.bailly@ » against Louis. A copy of someone keeps their mailbox, so it names
    them; a mailbox that names the record's own first name (or its initial's) and not the
    other's is another person's."""
    if (not email_a and not email_b) or squeeze(first_a) == squeeze(first_b):
        return False  # one first name: no mailbox can name one and not the other
    for own, other, email in (
        ((first_a, last_a), (first_b, last_b), email_a),
        ((first_b, last_b), (first_a, last_a), email_b),
    ):
        given = mailbox_given(email, own) if email else ""
        if given and _bears(given, own) and not _bears(given, other):
            return True
    return False


def mobile_keys(phones) -> set[str]:
    """The French mobile numbers among phone keys (``normalize.phone``: "612345678")."""
    return {p for p in phones if len(p) == 9 and p[0] in "67"}


def mobiles_apart(phones_a, phones_b) -> bool:
    """Both records give a mobile and share none: a mobile is one person's, a landline a
    household's."""
    mobiles_a, mobiles_b = mobile_keys(phones_a), mobile_keys(phones_b)
    return bool(mobiles_a and mobiles_b and not mobiles_a & mobiles_b)


def shared_mobile(phones_a, phones_b) -> bool:
    """Both records give one mobile number in common (one person's, or a couple's phone)."""
    return bool(mobile_keys(phones_a) & mobile_keys(phones_b))


def personal_link(first_a, email_a, phones_a, first_b, email_b, phones_b) -> bool:
    """Whether two records share what is one person's: a mobile, or an e-mail address
    that carries one of their first names (« famille.martin@ » is a household's) — or a
    word of it two typos at most from one of them, when the first name was mistyped
    (« sabine.neveu@ » given by « Sbaine » and « Sabbine » Neveu)."""
    if mobile_keys(phones_a) & mobile_keys(phones_b):
        return True
    if not email_a or email_a != email_b:
        return False
    local = email_a.split("@")[0]
    if FAMILY_WORDS & set(re.split(r"[^a-z]+", local)):
        return False  # « fam.noel@ » is a household's, whoever is called Noël (or Camille)
    names = [n for n in (squeeze(first_a), squeeze(first_b)) if len(n) > 2]
    if any(name in squeeze(local) for name in names):
        return True
    words = [w for w in re.split(r"[^a-z]+", local) if len(w) > 3]
    return any(len(name) > 3 and OSA.distance(word, name) <= 2 for word in words for name in names)


def names_replaced(first_levels, last_levels, birth_levels, street_levels) -> bool:
    """Whether this file's copies of one person often carry another first name (FEBRL's
    do; a CRM's do not), from the levels of its candidate pairs (numpy arrays): see
    ``TWIN_SHARE_OF_REPLACED_NAMES``."""
    other_first = np.isin(first_levels, (FAIR, OTHER))
    together = other_first & np.isin(last_levels, AGREE) & np.isin(street_levels, AGREE)
    twin_like = int((together & (birth_levels == EXACT)).sum())
    household_like = int((together & np.isin(birth_levels, (-1, OTHER))).sum())
    return twin_like >= MIN_TWIN_LIKE and twin_like >= TWIN_SHARE_OF_REPLACED_NAMES * (
        household_like
    )

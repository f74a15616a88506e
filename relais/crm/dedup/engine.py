"""The de-duplication engine: prepare, block, compare, score, explain.

Input records are mappings with an ``id`` and any of the contact fields of ``FIELDS``
(``phone`` may be one string or a list; ``phone_mobile``/``phone_landline`` are read too;
``vin``/``plate`` may be lists). Output: ``Pair`` objects, best first, whose ``score`` is a
probability in [0, 1] (see ``relais.crm.dedup.weights``) and whose ``fields`` explain it
field by field when asked.
"""

import math
import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from relais.crm.dedup import compare as cmp
from relais.crm.dedup import normalize as norm
from relais.crm.dedup import rules
from relais.crm.dedup.blocking import candidate_pairs
from relais.crm.dedup.weights import DECISION, SURE, Weights

FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "email",
    "phone",
    "street",
    "postal_code",
    "city",
    "identifier",
    "vin",
    "plate",
)
# Labels for the explanations shown to users.
FIELD_LABELS = {
    "first_name": "Prénom",
    "last_name": "Nom",
    "birth_date": "Date de naissance",
    "email": "E-mail",
    "phone": "Téléphone",
    "street": "Adresse",
    "postal_code": "Code postal",
    "city": "Ville",
    "identifier": "Identifiant",
    "vehicle": "Véhicule (VIN, immatriculation)",
}
SCORED_FIELDS = tuple(FIELD_LABELS)
RULE_COLUMN = len(SCORED_FIELDS)  # in a ``pair_levels`` matrix, after the fields
COLUMNS = RULE_COLUMN + 1
CHUNK = 20_000  # pairs per task when comparing on several processes


@dataclass(frozen=True)
class FieldComparison:
    """One line of a pair's explanation."""

    field: str
    label: str
    value_a: str
    value_b: str
    similarity: float | None  # None: missing on one side
    level: str  # "identique", "très proche", "proche", "différent", "absent"
    weight: float  # contribution to the log2 odds (0 when missing)


@dataclass
class Pair:
    id_a: str
    id_b: str
    score: float
    sure: bool
    swapped_names: bool = False
    fields: list[FieldComparison] = field(default_factory=list)
    rule: int = rules.NONE  # the rule of ``rules`` that capped the score, if any

    @property
    def decision(self) -> str:
        """« sûr » (score ≥ SURE), « probable » (≥ DECISION: a predicted duplicate, still
        shown to a person), or « à vérifier »: under the threshold, listed because a rule
        of ``rules.TO_CHECK`` says a person must look (twins, one name at two addresses)."""
        return decision(self.score)


def decision(score: float) -> str:
    """The French word for a listed pair's score band (see ``Pair.decision``)."""
    if score >= SURE:
        return "sûr"
    return "probable" if score >= DECISION else "à vérifier"


def _listed(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple | set):
        return [v for v in value if v]
    return [value]


def prepare(record: Mapping) -> tuple:
    """The normalised tuple the engine works on: (id, first, last, birth, email, phones,
    street, postal, city, identifier, vehicles, birth_ok)."""
    phones = [
        *_listed(record.get("phone")),
        *_listed(record.get("phone_mobile")),
        *_listed(record.get("phone_landline")),
    ]
    vehicles = [
        *(norm.identifier(v) for v in _listed(record.get("vin"))),
        *(norm.identifier(p) for p in _listed(record.get("plate"))),
    ]
    birth, birth_ok = norm.birth_date(record.get("birth_date"))
    return (
        str(record["id"]),
        norm.name(record.get("first_name")),
        norm.name(record.get("last_name")),
        birth,
        norm.email(record.get("email")),
        tuple(dict.fromkeys(p for p in map(norm.phone, phones) if p)),
        norm.street(record.get("street")),
        norm.postal_code(record.get("postal_code")),
        norm.city(record.get("city")),
        norm.identifier(record.get("identifier")),
        tuple(dict.fromkeys(v for v in vehicles if v)),
        birth_ok,
    )


def similarities(
    a: tuple, b: tuple, names: Mapping[str, int] | None = None
) -> tuple[dict[str, float | None], bool, int]:
    """Field → similarity (None when missing) of two prepared records, whether the names
    matched crossed, and the rule of ``rules`` that applies (``rules.NONE`` if none).
    ``names``: how many records of the file bear each name (``name_counts``), if known."""
    first, last, swapped, misspelt = _names(a, b, names)
    sims = {
        "first_name": first,
        "last_name": last,
        "birth_date": cmp.birth_date(a[3], b[3]),
        "email": cmp.email(a[4], b[4]),
        "phone": cmp.phones(a[5], b[5]),
        "street": cmp.street(a[6], b[6]),
        "postal_code": cmp.postal_code(a[7], b[7]),
        "city": cmp.city(a[8], b[8]),
        "identifier": cmp.identifier(a[9], b[9]),
        "vehicle": cmp.identifiers(a[10], b[10]),
    }
    contact = [
        -1 if sims[name] is None else cmp.level(sims[name])
        for name in ("street", "postal_code", "city", "phone", "email", "identifier", "vehicle")
    ]
    rule = _rule(a, b, first, last, swapped, sims["birth_date"], contact, names, misspelt)
    return sims, swapped, rule


def _names(a: tuple, b: tuple, names) -> tuple:
    """``compare.names`` of two prepared records, and whether a first name is misspelt by
    the file's spellings (``rules.misspelt``). A misspelt first name or surname
    (``rules.misspelt_surname``: « Peuez », nobody's, one typo from Perez) is taken as very
    close: it is that name, not another person's or another family's."""
    first, last, swapped = cmp.names(a[1], a[2], b[1], b[2])
    if (
        not swapped
        and last is not None
        and last < 0.9
        and rules.misspelt_surname(a[2], b[2], names)
    ):
        last = 0.9
    misspelt = first is not None and rules.misspelt(a[1], a[2], b[1], b[2], swapped, names)
    if misspelt and first < 0.9:
        first = 0.9
    return first, last, swapped, misspelt


def _rule(a: tuple, b: tuple, first, last, swapped, birth, contact, names, misspelt) -> int:
    """``rules.relation`` of two prepared records, with what it reads besides the levels."""
    if first == 1.0 and last == 1.0 and birth is not None and birth >= 0.999:
        return rules.NONE  # the bulk of true pairs: nothing else to read
    return rules.relation(
        *(a[1], a[2], b[1], b[2], first, last, swapped, birth, contact, a[3], b[3]),
        mobiles_apart=rules.mobiles_apart(a[5], b[5]),
        personal_link=rules.personal_link(a[1], a[4], a[5], b[1], b[4], b[5]),
        shared_mobile=rules.shared_mobile(a[5], b[5]),
        misspelt=misspelt,
        two_names=rules.two_names(a[1], a[2], b[1], b[2], swapped, names, (a[4], b[4])),
        mailbox_other=rules.mailbox_names_other(a[1], a[2], a[4], b[1], b[2], b[4]),
        mailboxes_apart=rules.mailboxes_apart(a[1], a[2], a[4], b[1], b[2], b[4]),
    )


def _capped(total: float, rule: int, caps: Mapping[int, float] = rules.CAPS) -> float:
    """The log2 odds after the rule's cap (``caps``: rule → highest score)."""
    cap = caps.get(rule)
    if cap is None:
        return total
    return min(total, math.log2(cap / (1 - cap)))


def _logistic(log2_odds: float) -> float:
    if log2_odds > 60:
        return 1.0
    if log2_odds < -60:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** (-log2_odds))


# When the streets differ, a postal code and a town that differ too are the same fact (the
# person moved, or is someone else) said three times: with ``Weights.address_once`` (the set
# weights), counted once, by the street. Weights learned by EM keep what the file taught.
ADDRESS_DETAILS = ("city",)
STREET_COLUMN = SCORED_FIELDS.index("street")


def _weight(weights: Weights, table, name: str, lvl: int, street_level: int) -> float:
    weight = table[name][lvl]
    if weights.address_once and name in ADDRESS_DETAILS and street_level == cmp.OTHER:
        return max(weight, 0.0)
    return weight


class Scorer:
    def __init__(
        self,
        weights: Weights | None = None,
        caps: Mapping[int, float] = rules.CAPS,
        names: Mapping[str, int] | None = None,
    ):
        self.names = names
        self.weights = weights or Weights()
        self.table = self.weights.table()
        self.caps = caps

    def score(self, a: tuple, b: tuple) -> float:
        sims, _swapped, rule = similarities(a, b, self.names)
        total = self.weights.prior
        street = -1 if sims["street"] is None else cmp.level(sims["street"])
        for name, similarity in sims.items():
            if similarity is not None:
                total += _weight(self.weights, self.table, name, cmp.level(similarity), street)
        return _logistic(_capped(total, rule, self.caps))

    def explain(self, a: tuple, b: tuple, raw_a=None, raw_b=None) -> Pair:
        """The pair scored, with one ``FieldComparison`` per field. ``raw_a``/``raw_b``
        (the input mappings) give the values shown; else the normalised ones."""
        sims, swapped, rule = similarities(a, b, self.names)
        total = self.weights.prior
        street = -1 if sims["street"] is None else cmp.level(sims["street"])
        lines = []
        for name, similarity in sims.items():
            if similarity is None:
                weight, level_name = 0.0, "absent"
            else:
                lvl = cmp.level(similarity)
                weight, level_name = (
                    _weight(self.weights, self.table, name, lvl, street),
                    cmp.LEVEL_NAMES[lvl],
                )
            total += weight
            lines.append(
                FieldComparison(
                    field=name,
                    label=FIELD_LABELS[name],
                    value_a=_shown(name, a, raw_a, swapped=False),
                    value_b=_shown(name, b, raw_b, swapped=swapped),
                    similarity=None if similarity is None else round(similarity, 3),
                    level=level_name,
                    weight=round(weight, 2),
                )
            )
        capped = _capped(total, rule, self.caps)
        if capped < total:  # the cap as one more line, so that the weights still add up
            lines.append(
                FieldComparison(
                    field="rule",
                    label="Règle",
                    value_a="",
                    value_b="",
                    similarity=None,
                    level=rules.LABELS[rule],
                    weight=round(capped - total, 2),
                )
            )
        score = _logistic(capped)
        return Pair(a[0], b[0], score, score >= SURE, swapped, lines, rule)


_POSITION = {
    "first_name": 1,
    "last_name": 2,
    "birth_date": 3,
    "email": 4,
    "phone": 5,
    "street": 6,
    "postal_code": 7,
    "city": 8,
    "identifier": 9,
    "vehicle": 10,
}
_RAW_KEYS = {
    "phone": ("phone", "phone_mobile", "phone_landline"),
    "vehicle": ("vin", "plate"),
}


def _shown(name: str, prepared: tuple, raw, *, swapped: bool) -> str:
    if swapped and name in ("first_name", "last_name"):
        name = "last_name" if name == "first_name" else "first_name"
    if raw is not None:
        values = []
        for key in _RAW_KEYS.get(name, (name,)):
            values.extend(str(v) for v in _listed(raw.get(key)))
        return ", ".join(values)
    value = prepared[_POSITION[name]]
    return ", ".join(value) if isinstance(value, tuple) else str(value)


# --- the batch run, on one or several processes --------------------------------------------

_shared: dict = {}


def levels(a: tuple, b: tuple, names: Mapping[str, int] | None = None) -> list[int]:
    """Agreement level of each of ``SCORED_FIELDS`` (-1: missing on one side), then the
    rule of ``rules`` that applies; the hot loop of a large run, hence the plain tuple
    instead of ``similarities``' dict."""
    first, last, swapped, misspelt = _names(a, b, names)
    sims = (
        first,
        last,
        cmp.birth_date(a[3], b[3]),
        cmp.email(a[4], b[4]),
        cmp.phones(a[5], b[5]),
        cmp.street(a[6], b[6]),
        cmp.postal_code(a[7], b[7]),
        cmp.city(a[8], b[8]),
        cmp.identifier(a[9], b[9]),
        cmp.identifiers(a[10], b[10]),
    )
    level = cmp.level
    out = [-1 if s is None else level(s) for s in sims]
    contact = (out[5], out[6], out[7], out[4], out[3], out[8], out[9])
    out.append(_rule(a, b, first, last, swapped, sims[2], contact, names, misspelt))
    return out


def _levels_chunk(bounds: tuple[int, int]):
    records, (left, right) = _shared["records"], _shared["pairs"]
    names = _shared.get("names")
    start, end = bounds
    rows = [
        levels(records[i], records[j], names)
        for i, j in zip(left[start:end].tolist(), right[start:end].tolist(), strict=True)
    ]
    return np.array(rows, dtype=np.int8).reshape(len(rows), COLUMNS)


def name_counts(prepared) -> "rules.NameCounts":
    """How many records bear each (squeezed) name, first or last name field alike (names
    are often swapped): a spelling no other record bears is likely a typo
    (``rules.misspelt``); and, as ``given``, how many bear it as their first name (two
    well-known first names are two names: ``rules.two_names``)."""
    counts = rules.NameCounts()
    given = counts.given
    for record in prepared:
        for name in {norm.squeeze(record[1]), norm.squeeze(record[2])} - {""}:
            counts[name] = counts.get(name, 0) + 1
        first = norm.squeeze(record[1])
        if first:
            given[first] = given.get(first, 0) + 1
    return counts


def pair_levels(prepared, pairs, *, workers=1, progress=None, names=None):
    """An int8 matrix, one row per pair, one column per scored field (level or -1), then
    one for the rule of ``rules`` (``RULE_COLUMN``)."""
    total = len(pairs[0])
    _shared.update(records=prepared, pairs=pairs, names=names)
    bounds = [(start, min(start + CHUNK, total)) for start in range(0, total, CHUNK)]
    chunks = []
    try:
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")  # records shared copy-on-write
            with context.Pool(workers) as pool:
                for done, chunk in enumerate(pool.imap(_levels_chunk, bounds), 1):
                    chunks.append(chunk)
                    if progress:
                        progress("comparaison", min(done * CHUNK, total), total)
        else:
            for done, bound in enumerate(bounds, 1):
                chunks.append(_levels_chunk(bound))
                if progress:
                    progress("comparaison", min(done * CHUNK, total), total)
    finally:
        _shared.clear()
    if not chunks:
        return np.zeros((0, COLUMNS), dtype=np.int8)
    return np.concatenate(chunks)


def scores_of(matrix, weights: Weights, caps: Mapping[int, float] = rules.CAPS):
    """Scores of the rows of a ``pair_levels`` matrix (vectorised); the rule column, when
    there, caps them by ``caps``."""
    table = weights.table()
    lookup = np.zeros((len(SCORED_FIELDS), 5))  # column 4 (index -1): missing, weight 0
    for f, name in enumerate(SCORED_FIELDS):
        lookup[f, :4] = table[name]
    total = np.full(len(matrix), weights.prior, dtype=float)
    street_differs = (matrix[:, STREET_COLUMN] == cmp.OTHER) & weights.address_once
    for f, name in enumerate(SCORED_FIELDS):
        weights_of_rows = lookup[f][matrix[:, f]]
        if name in ADDRESS_DETAILS:
            weights_of_rows = np.where(
                street_differs, np.maximum(weights_of_rows, 0.0), weights_of_rows
            )
        total += weights_of_rows
    if matrix.shape[1] > RULE_COLUMN:
        for rule, cap in caps.items():
            ceiling = math.log2(cap / (1 - cap))
            capped = matrix[:, RULE_COLUMN] == rule
            total[capped] = np.minimum(total[capped], ceiling)
    return 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))


def choose_weights(
    matrix, weights: Weights | None = None, *, names_replaced: bool = False
) -> tuple[Weights, str]:
    """The default scoring (``learn=None``): weights learned on this file's candidate pairs
    by expectation–maximisation, starting from ``weights`` (the set weights), unless the
    fit is degenerate (``Weights.degenerate``), then the set weights. Returns the weights
    and a French sentence saying which and why. The rules of ``rules`` cap the score either
    way. On a file whose copies replace first names (``names_replaced``), the rules' pairs
    are not two people, so their share does not count against the fit."""
    weights = weights or Weights()
    learnt = weights.estimate(matrix, SCORED_FIELDS)
    share = 0.0
    if not names_replaced:
        kept = scores_of(matrix[:, :RULE_COLUMN], learnt) >= DECISION  # before the caps
        two_people = np.isin(matrix[:, RULE_COLUMN], rules.TWO_PEOPLE)
        share = float((kept & two_people).sum() / max(kept.sum(), 1))
    reason = learnt.degenerate(len(matrix), share)
    if reason:
        return weights, f"poids par défaut ({reason})"
    return learnt, "poids appris sur le fichier (espérance-maximisation)"


def find_duplicates(
    records: Iterable[Mapping],
    *,
    threshold: float = DECISION,
    weights: Weights | None = None,
    learn: bool | None = None,
    explain: bool = False,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    report: dict | None = None,
) -> list[Pair]:
    """Candidate duplicate pairs among ``records`` scoring at least ``threshold``, best
    first, then those a rule of ``rules.TO_CHECK`` capped under it whose evidence reached
    it (twins, one name at two addresses without a birth date), listed « à vérifier »
    (``Pair.decision``) with their capped score. ``learn``: ``None`` (default) chooses (``choose_weights``: weights learned on
    the file by expectation–maximisation unless the fit is degenerate, else the set
    weights); ``True`` always learns (``Weights.estimate``); ``False`` scores with
    ``weights`` (the set weights by default). Households, namesakes and twins are capped by
    ``rules`` whatever the weights (sent to review rather than under the threshold on a file
    whose copies replace first names: ``rules.names_replaced``). ``explain`` adds the
    field-by-field explanation of each pair (costly on large inputs). ``workers`` processes
    compare the pairs (default: one per core, at most 2, and one for small inputs).
    ``progress(stage, done, total)`` is called as work goes. ``report``, a dict, receives
    ``scoring``: which weights scored, in French."""
    raw = list(records)
    prepared = [prepare(record) for record in raw]
    if progress:
        progress("préparation", len(prepared), len(prepared))
    return find_duplicates_prepared(
        prepared,
        threshold=threshold,
        weights=weights,
        learn=learn,
        raw=raw if explain else None,
        workers=workers,
        progress=progress,
        report=report,
    )


def find_duplicates_prepared(
    prepared: list[tuple],
    *,
    threshold: float = DECISION,
    weights: Weights | None = None,
    learn: bool | None = None,
    raw: list[Mapping] | None = None,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    report: dict | None = None,
) -> list[Pair]:
    """``find_duplicates`` on records already passed through ``prepare``; explanations
    when ``raw`` (the input mappings, same order) is given."""
    left, right = pairs = candidate_pairs(prepared)
    total = len(left)
    if progress:
        progress("blocage", total, total)
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    if total < 4 * CHUNK:
        workers = 1
    names = name_counts(prepared)
    matrix = pair_levels(prepared, pairs, workers=workers, progress=progress, names=names)
    replaced = bool(total) and rules.names_replaced(
        *(matrix[:, f] for f in (0, 1, 2, STREET_COLUMN))
    )
    if learn is None:
        weights, scoring = choose_weights(matrix, weights, names_replaced=replaced)
    elif learn and total:
        weights = (weights or Weights()).estimate(matrix, SCORED_FIELDS)
        scoring = "poids appris sur le fichier (espérance-maximisation, demandé)"
    else:
        scoring = "poids fournis" if weights else "poids par défaut (demandé)"
        weights = weights or Weights()
    caps = rules.CAPS
    if replaced:
        caps = rules.REVIEW_CAPS
        scoring += (
            " ; prénoms souvent remplacés dans les copies de ce fichier : foyers et homonymes "
            "à examiner, jamais « sûrs »"
        )
    if report is not None:
        report["scoring"] = scoring
    scores = scores_of(matrix, weights, caps)
    listed = scores >= threshold
    if not replaced and threshold <= DECISION:
        # Pairs a rule sends to be checked although two people are likelier (twins, one
        # name at two addresses without a birth date): under the threshold, yet listed
        # « à vérifier » when the evidence before the cap reached it.
        to_check = np.isin(matrix[:, RULE_COLUMN], rules.TO_CHECK)
        if to_check.any():
            uncapped = scores_of(matrix[to_check][:, :RULE_COLUMN], weights)
            listed[np.nonzero(to_check)[0][uncapped >= threshold]] = True
    kept = np.nonzero(listed)[0]
    kept = kept[np.lexsort((right[kept], left[kept], -scores[kept]))]  # best first
    order = [(int(k), int(left[k]), int(right[k])) for k in kept]
    if raw is not None:
        scorer = Scorer(weights, caps, names)
        return [scorer.explain(prepared[i], prepared[j], raw[i], raw[j]) for _k, i, j in order]
    return [
        Pair(
            prepared[i][0],
            prepared[j][0],
            float(scores[k]),
            bool(scores[k] >= SURE),
            rule=int(matrix[k, RULE_COLUMN]),
        )
        for k, i, j in order
    ]


def explain_pair(record_a: Mapping, record_b: Mapping, weights: Weights | None = None) -> Pair:
    """The score and field-by-field explanation of two records (for a review screen)."""
    return Scorer(weights).explain(prepare(record_a), prepare(record_b), record_a, record_b)

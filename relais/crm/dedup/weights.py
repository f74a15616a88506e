"""Fellegi–Sunter weights of the de-duplication score.

For each field and agreement level (identical, very close, close, different — see
``relais.crm.dedup.compare``) two probabilities are set: ``m``, the chance of that level
when both records are the same person, and ``u``, its chance when they are two people who
fell in the same block. The weight of a level is ``log2(m / u)``: positive when the level
is evidence for a match, negative against. A missing field weighs 0. The score of a pair is
the logistic of the sum of its weights plus ``PRIOR`` (the log2 prior odds of a candidate
pair being a match), a probability in [0, 1].

The default values below were set from what the anomalies of real address books look like
(typos, missing fields, people who move or change phones) and checked on the FEBRL sets and
on the generated French base (see ``docs/dedup.md``). They can be replaced field by field
(``Weights(m=..., u=...)``), or estimated on a labelled sample with ``Weights.fit``.
"""

import math
from dataclasses import dataclass, field

import numpy as np

# field: (m for EXACT, CLOSE, FAIR, OTHER), (u for the same levels)
DEFAULT_M = {
    "first_name": (0.86, 0.08, 0.03, 0.03),
    "last_name": (0.86, 0.08, 0.03, 0.03),
    "birth_date": (0.86, 0.1, 0.037, 0.003),
    "email": (0.85, 0.08, 0.02, 0.05),
    "phone": (0.80, 0.06, 0.0001, 0.14),
    "street": (0.70, 0.12, 0.08, 0.10),
    "postal_code": (0.85, 0.05, 0.04, 0.06),
    "city": (0.85, 0.06, 0.03, 0.06),
    "identifier": (0.9, 0.078, 0.0001, 0.002),
    "vehicle": (0.30, 0.0001, 0.0001, 0.70),
}
DEFAULT_U = {
    "first_name": (0.03, 0.01, 0.05, 0.91),
    "last_name": (0.01, 0.004, 0.04, 0.946),
    "birth_date": (0.0005, 0.001, 0.005, 0.9935),
    "email": (0.002, 0.005, 0.01, 0.983),
    "phone": (0.001, 0.001, 0.0001, 0.998),
    "street": (0.005, 0.01, 0.05, 0.935),
    "postal_code": (0.05, 0.02, 0.15, 0.78),
    "city": (0.05, 0.02, 0.05, 0.88),
    "identifier": (0.0005, 0.001, 0.0001, 0.9984),
    "vehicle": (0.01, 0.0001, 0.0001, 0.99),
}
PRIOR = -8.0
MIN_PAIRS_TO_LEARN = 200  # fewer candidate pairs: the set weights, not EM
# Above this share of households and namesakes among the pairs EM would keep, its split is
# "same address", not "same person" (1 % on FEBRL, 80 % on a base of households).
MAX_HOUSEHOLD_SHARE = 0.05
SURE = 0.95  # at or above: a sure match
DECISION = 0.5  # at or above: a candidate pair


def _monotone(m, u) -> tuple[float, ...]:
    """``m`` raised where needed so that a closer level never weighs less than a farther
    one, once EM has converged (EM, free of that knowledge, can learn "equal birth dates" as weaker evidence than
    "one typo" on a file where most equal dates are chance)."""
    m = [float(x) for x in m]
    for lvl in range(len(m) - 2, -1, -1):
        weight = math.log2(m[lvl] / u[lvl])
        next_weight = math.log2(m[lvl + 1] / u[lvl + 1])
        if weight < next_weight:  # both levels take the mean of their weights
            mean = (weight + next_weight) / 2
            m[lvl], m[lvl + 1] = u[lvl] * 2**mean, u[lvl + 1] * 2**mean
    return tuple(m)


@dataclass
class Weights:
    m: dict = field(default_factory=lambda: dict(DEFAULT_M))
    u: dict = field(default_factory=lambda: dict(DEFAULT_U))
    prior: float = PRIOR
    # A postal code and town that differ where the street differs too add nothing against
    # (``engine.ADDRESS_DETAILS``): people move. EM-learned weights set it False.
    address_once: bool = True

    def table(self) -> dict[str, tuple[float, float, float, float]]:
        """Field → weight of each level, ``log2(m / u)``."""
        return {
            name: tuple(
                math.log2(max(m, 1e-6) / max(u, 1e-6))
                for m, u in zip(self.m[name], self.u[name], strict=True)
            )
            for name in self.m
        }

    def estimate(self, matrix, fields, *, iterations: int = 30) -> "Weights":
        """New weights estimated without labels by expectation–maximisation on the level
        matrix of the candidate pairs (rows: pairs; columns: ``fields``; -1 missing),
        starting from these. The usual Fellegi–Sunter assumption: fields independent
        given the match status. Probabilities are kept within [1e-4, 1 - 1e-4]."""
        if len(matrix) == 0:
            return self
        m = np.array([self.m[name] for name in fields], dtype=float)
        u = np.array([self.u[name] for name in fields], dtype=float)
        share = 2.0**self.prior / (1 + 2.0**self.prior)
        # Level -1 (missing) indexes column 4 of the lookups, which stays 0.
        columns = [matrix[:, f].astype(np.intp) for f in range(len(fields))]
        bins = [column + 1 for column in columns]  # bincount wants non-negative
        for _ in range(iterations):
            log_m = np.zeros((len(fields), 5))
            log_u = np.zeros((len(fields), 5))
            log_m[:, :4] = np.log(np.clip(m, 1e-4, 1))
            log_u[:, :4] = np.log(np.clip(u, 1e-4, 1))
            diff = np.full(len(matrix), math.log((1 - share) / share))
            for f, column in enumerate(columns):
                diff += log_u[f][column] - log_m[f][column]
            g = 1 / (1 + np.exp(np.clip(diff, -50, 50)))
            new_share = float(np.clip(g.mean(), 1e-6, 1 - 1e-6))
            previous = m.copy()
            for f, column in enumerate(bins):
                counts_m = np.bincount(column, weights=g, minlength=5)[1:] + 1e-3
                counts_u = np.bincount(column, weights=1 - g, minlength=5)[1:] + 1e-3
                m[f] = np.clip(counts_m / counts_m.sum(), 1e-4, 1 - 1e-4)
                u[f] = np.clip(counts_u / counts_u.sum(), 1e-4, 1 - 1e-4)
            converged = abs(new_share - share) < 1e-6 and np.abs(m - previous).max() < 1e-4
            share = new_share
            if converged:
                break
        learnt = Weights(
            m=dict(self.m),
            u=dict(self.u),
            prior=math.log2(share / (1 - share)),
            address_once=False,
        )
        for f, name in enumerate(fields):
            learnt.m[name] = _monotone(m[f], u[f])
            learnt.u[name] = tuple(float(x) for x in u[f])
        return learnt

    def degenerate(self, pairs: int, household_share: float = 0.0) -> str:
        """Why weights learned by ``estimate`` on ``pairs`` candidate pairs cannot be trusted,
        in French, or "" when they can. EM finds *a* two-class split of the pairs, not
        necessarily "same person / two people": on a base of households it learns "same
        address" instead — then ``household_share``, the share of the pairs it calls
        matches that the rules know to be two people (households, namesakes), is high —,
        and on a handful of pairs it learns noise."""
        if pairs < MIN_PAIRS_TO_LEARN:
            return f"trop peu de paires candidates ({pairs}) pour apprendre des poids"
        for name in ("first_name", "last_name"):
            if self.m[name][0] <= self.u[name][0]:
                return "les poids appris ne font pas d'un nom identique un indice de doublon"
        if self.m["birth_date"][3] > 0.5:
            return "les poids appris acceptent le plus souvent une autre date de naissance"
        if household_share > MAX_HOUSEHOLD_SHARE:
            return (
                f"{100 * household_share:.0f} % des paires que les poids appris retiendraient "
                "sont des foyers ou des homonymes"
            )
        return ""

    @classmethod
    def fit(cls, levels: list[dict[str, int | None]], labels: list[bool], smoothing=0.5):
        """m and u counted on labelled pairs (``levels``: field → level or None per pair;
        ``labels``: is it a match), with additive smoothing; the prior from the match
        share."""
        weights = cls()
        matches = sum(labels)
        for name in weights.m:
            counts = {True: [smoothing] * 4, False: [smoothing] * 4}
            for pair, label in zip(levels, labels, strict=True):
                value = pair.get(name)
                if value is not None:
                    counts[label][value] += 1
            weights.m[name] = tuple(c / sum(counts[True]) for c in counts[True])
            weights.u[name] = tuple(c / sum(counts[False]) for c in counts[False])
        share = (matches + 1) / (len(labels) + 2)
        weights.prior = math.log2(share / (1 - share))
        return weights

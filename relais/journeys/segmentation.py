"""Segmentation of publics on mixed data, with the number of segments chosen automatically.

Pure module (Polars, NumPy, scikit-learn; no Django model). The pipeline:

1. **Column kinds** (``detect_kinds``, in ``segment_features``): numeric (age, contact counts…), categorical (branch,
   region, online account…), multi-valued (``courriel|telephone``: channels used, procedures),
   free text (the words of requests); identifiers and constants are set aside with a reason.
2. **Encoding** (``encode``, in ``segment_features``): every variable becomes a block of columns scaled so that its total
   variance is 1 (times its weight), the way factor analysis of mixed data balances variables:
   numeric standardised (log first when skewed), categories one-hot and centred, multi-valued
   columns multi-hot, text as TF-IDF of French stems reduced by truncated SVD to topic axes.
3. **Number of segments** (``choose_k``): MiniBatchKMeans for each k of a range on a seeded
   sample, scored by the silhouette on a sub-sample; the best k wins.
4. **Stability**: the chosen k is refitted on bootstrap resamples with other seeds; the adjusted
   Rand index between every pair of runs (on the same evaluation persons) is returned — near 1
   the segments are real, below ~0.6 they are an artefact of the seed. Every other k tried
   gets a lighter stability measure too, shown beside its silhouette.
5. **Final fit** on everyone, started from the best sample centres; segments named S1…Sk by
   decreasing size. Rule segments (``segment_rules``) can take persons first; the rest is
   clustered. ``levels=2`` subdivides each segment when the sub-segments are stable.
6. **Profiles and persona cards** (``relais.journeys.personas``).

276,000 persons take about ten seconds of CPU (see ``bench/journeys_segments.py``).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from relais.journeys.segment_features import (  # noqa: F401 — the public API of segmentation
    MISSING,
    MULTI_SEPARATOR,
    OTHER,
    ColumnKinds,
    Encoding,
    detect_kinds,
    encode,
    person_features,
    with_event_features,
)
from relais.journeys.segment_rules import Rule, apply_rules

DEFAULT_K_RANGE = (2, 10)
SAMPLE_SIZE = 20_000  # persons used to choose k and measure stability
SILHOUETTE_SIZE = 4_000
# Stability of the k not chosen, shown beside the silhouettes: a lighter measure.
PER_K_STABILITY_SIZE = 10_000
PER_K_STABILITY_RUNS = 3


# --------------------------------------------------------------------------------------------
# Number of segments, stability, final fit


@dataclass(frozen=True)
class Stability:
    """Agreement of the segments across bootstrap resamples and seeds (adjusted Rand index)."""

    mean_ari: float
    min_ari: float
    runs: int

    @property
    def verdict(self) -> str:
        if self.mean_ari >= 0.9:
            return "très stable"
        if self.mean_ari >= 0.75:
            return "stable"
        if self.mean_ari >= 0.6:
            return "moyennement stable"
        return "instable"


@dataclass(frozen=True)
class KChoice:
    k: int
    scores: dict[int, float]  # silhouette on the evaluation sample, per k tried
    forced: bool = False
    stability: dict[int, float] = field(default_factory=dict)  # mean ARI per k tried


def _kmeans(k: int, seed: int, *, init="k-means++", n_init=3, batch_size=2048):
    from sklearn.cluster import MiniBatchKMeans

    return MiniBatchKMeans(
        n_clusters=k,
        init=init,
        n_init=n_init,
        batch_size=batch_size,
        random_state=seed,
        max_no_improvement=20,
        reassignment_ratio=0.001,
    )


def _sample(matrix: np.ndarray, size: int, seed: int) -> np.ndarray:
    n = matrix.shape[0]
    if n <= size:
        return matrix[np.random.default_rng(seed).permutation(n)]
    return matrix[np.random.default_rng(seed).choice(n, size, replace=False)]


def choose_k(
    matrix: np.ndarray,
    *,
    k_range: tuple[int, int] = DEFAULT_K_RANGE,
    seed: int = 0,
    sample_size: int = SAMPLE_SIZE,
    silhouette_size: int = SILHOUETTE_SIZE,
) -> tuple[KChoice, dict]:
    """The k of ``k_range`` (inclusive) with the best silhouette, and the fitted sample models."""
    from sklearn.metrics import silhouette_score

    sample = _sample(matrix, sample_size, seed)
    evaluation = sample[:silhouette_size]
    scores, models = {}, {}
    low, high = k_range
    for k in range(max(2, low), min(high, len(sample) - 1) + 1):
        model = _kmeans(k, seed).fit(sample)
        labels = model.predict(evaluation)
        models[k] = model
        if len(np.unique(labels)) < 2:
            scores[k] = -1.0
            continue
        scores[k] = float(silhouette_score(evaluation, labels))
    if not scores:
        raise ValueError("trop peu de personnes pour former au moins deux segments.")
    best = max(scores, key=lambda k: (round(scores[k], 6), -k))
    return KChoice(best, scores), {"sample": sample, "models": models}


def measure_stability(
    sample: np.ndarray, k: int, *, seed: int = 0, runs: int = 5, evaluation_size: int = 10_000
) -> Stability:
    """Refit ``k`` segments on ``runs`` bootstrap resamples (each with its own seed) and compare
    the labellings of the same persons pairwise with the adjusted Rand index."""
    from sklearn.metrics import adjusted_rand_score

    evaluation = sample[:evaluation_size]
    labellings = []
    for run in range(runs):
        rng = np.random.default_rng([seed, run, 1])
        resample = sample[rng.integers(0, len(sample), len(sample))]
        model = _kmeans(k, seed + 1000 * (run + 1)).fit(resample)
        labellings.append(model.predict(evaluation))
    aris = [adjusted_rand_score(a, b) for a, b in combinations(labellings, 2)]
    if not aris:
        return Stability(1.0, 1.0, runs)
    return Stability(float(np.mean(aris)), float(np.min(aris)), runs)


def cluster(
    matrix: np.ndarray,
    *,
    n_segments: int | None = None,
    k_range: tuple[int, int] = DEFAULT_K_RANGE,
    seed: int = 0,
    stability_runs: int = 5,
    sample_size: int = SAMPLE_SIZE,
    stability_all: bool = True,
) -> tuple[np.ndarray, KChoice, Stability]:
    """Labels 0…k−1 ordered by decreasing size, the choice of k and its stability.

    Runs on one thread: the same seed gives the same segments on any machine (parallel
    reductions change the last bits), and a shared server is not oversubscribed.
    """
    with threadpool_limits(limits=1):
        return _cluster(
            matrix, n_segments, k_range, seed, stability_runs, sample_size, stability_all
        )


def _cluster(matrix, n_segments, k_range, seed, stability_runs, sample_size, stability_all):
    if n_segments is not None:
        if n_segments < 2:
            raise ValueError("il faut au moins deux segments.")
        choice, fitted = choose_k(
            matrix, k_range=(n_segments, n_segments), seed=seed, sample_size=sample_size
        )
        choice = KChoice(n_segments, choice.scores, forced=True)
    else:
        choice, fitted = choose_k(matrix, k_range=k_range, seed=seed, sample_size=sample_size)
    k = choice.k
    stability = measure_stability(fitted["sample"], k, seed=seed, runs=stability_runs)
    if stability_all:
        # Shown beside the silhouettes: a k a little less separated but as stable is a sound
        # alternative for a finer segmentation (``n_segments``).
        for other in choice.scores:
            choice.stability[other] = (
                stability.mean_ari
                if other == k
                else measure_stability(
                    fitted["sample"][:PER_K_STABILITY_SIZE],
                    other,
                    seed=seed,
                    runs=PER_K_STABILITY_RUNS,
                ).mean_ari
            )
    start = fitted["models"][k].cluster_centers_
    if matrix.shape[0] > len(fitted["sample"]):
        final = _kmeans(k, seed, init=start, n_init=1, batch_size=4096).fit(matrix)
    else:
        final = fitted["models"][k]
    labels = final.predict(matrix)
    sizes = np.bincount(labels, minlength=k)
    order = sorted(range(k), key=lambda c: (-sizes[c], c))
    rank = np.empty(k, dtype=np.int32)
    rank[order] = np.arange(k)
    return rank[labels], choice, stability


_AUTOMATIC_NAME = re.compile(r"^S\d+(\.\d+)?$")
SUBDIVISION_STABILITY = 0.75
SUBDIVISION_MIN_SIZE = 50


def _subdivide(
    matrix, labels, names, parent_silhouette, *, k_range, seed, stability_runs, sample_size
):
    """Second level: each segment clustered again, kept split only when its sub-segments are
    stable and at least as well separated (silhouette) as the first level's segments."""
    names = names.copy()
    subdivisions = {}
    for label in range(int(labels.max()) + 1):
        members = np.flatnonzero(labels == label)
        parent = f"S{label + 1}"
        if len(members) < SUBDIVISION_MIN_SIZE:
            continue
        try:
            sub_labels, choice, stability = cluster(
                matrix[members],
                k_range=k_range,
                seed=seed,
                stability_runs=stability_runs,
                sample_size=sample_size,
                stability_all=False,
            )
        except ValueError:
            continue
        split = (
            stability.mean_ari >= SUBDIVISION_STABILITY
            and choice.scores[choice.k] >= parent_silhouette
        )
        subdivisions[parent] = (choice, stability, split)
        if split:
            names[members] = np.array(
                [f"{parent}.{sub + 1}" for sub in range(choice.k)], dtype=object
            )[sub_labels]
    return names, subdivisions


# --------------------------------------------------------------------------------------------


# The whole segmentation


@dataclass
class SegmentationResult:
    ids: pl.Series
    segments: pl.Series  # the segment name of every person, in the input order
    kinds: ColumnKinds
    method: str  # "classification", "règles" or "règles + classification"
    choice: KChoice | None
    stability: Stability | None
    profiles: list = field(default_factory=list)  # personas.SegmentProfile, largest first
    # levels=2: for each first-level segment, its KChoice and Stability, and whether it was split
    subdivisions: dict[str, tuple[KChoice, Stability, bool]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def k(self) -> int | None:
        return self.choice.k if self.choice else None

    def assignments(self) -> pl.DataFrame:
        return pl.DataFrame({"id": self.ids, "segment": self.segments})


def segment_publics(
    persons: pl.DataFrame,
    *,
    id_column: str,
    rules: list[Rule] | None = None,
    cluster_rest: bool = True,
    rest_name: str = "Autres",
    n_segments: int | None = None,
    k_range: tuple[int, int] = DEFAULT_K_RANGE,
    seed: int = 0,
    stability_runs: int = 5,
    sample_size: int = SAMPLE_SIZE,
    overrides: dict[str, str] | None = None,
    weights: dict[str, float] | None = None,
    roles=None,
    with_profiles: bool = True,
    levels: int = 1,
) -> SegmentationResult:
    """Segment ``persons`` (one row each, ``id_column`` their id, every other column an
    attribute): rule segments first (first match wins), the rest clustered into an automatic
    number of segments ``S1…Sk`` (or all named ``rest_name`` when ``cluster_rest`` is false).

    ``levels=2`` looks for sub-segments inside each segment (``S1.1``, ``S1.2``…), each with its
    own choice of k; a segment is subdivided only when its sub-segments are stable (mean ARI ≥
    ``SUBDIVISION_STABILITY``) and at least as well separated as the first level (silhouette),
    so a fine segmentation never rests on an artefact of the seed.
    """
    if levels not in (1, 2):
        raise ValueError("niveaux de segmentation : 1 ou 2.")
    from relais.journeys.personas import profile_segments

    if id_column not in persons.columns:
        raise ValueError(f"colonne « {id_column} » absente.")
    if persons.height == 0:
        raise ValueError("aucune personne à segmenter.")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    kinds = detect_kinds(persons, id_column=id_column, overrides=overrides)
    if rules:
        reserved = [r.name for r in rules if _AUTOMATIC_NAME.match(r.name)]
        if reserved and cluster_rest:
            raise ValueError(
                f"le nom de règle « {reserved[0]} » est réservé aux segments automatiques "
                "(S1, S2…) : choisissez-en un autre."
            )
        by_rule = apply_rules(persons, rules)
    else:
        by_rule = pl.Series("segment", [None] * persons.height, dtype=pl.String)
    rest = by_rule.is_null().to_numpy()
    timings["rules"] = time.perf_counter() - started
    segments = by_rule.to_numpy().astype(object)
    choice = stability = encoding = None
    subdivisions: dict = {}
    minimum = max(4, (n_segments or 2) + 1)
    if rest.any() and cluster_rest and not rules:
        if not kinds.used:
            ignored = ", ".join(f"{c} ({reason})" for c, reason in kinds.ignored) or "aucune"
            raise ValueError(f"aucune colonne exploitable pour segmenter (écartées : {ignored}).")
        if rest.sum() < minimum:
            raise ValueError(
                f"trop peu de personnes ({int(rest.sum())}) pour former des segments "
                f"(au moins {minimum})."
            )
    if rest.any() and cluster_rest and rest.sum() >= minimum and kinds.used:
        step = time.perf_counter()
        subset = persons.filter(pl.Series(rest)) if not rest.all() else persons
        with threadpool_limits(limits=1):  # the text's SVD too: same bits on any machine
            encoding = encode(subset, kinds, weights=weights, seed=seed)
        timings["encoding"] = time.perf_counter() - step
        step = time.perf_counter()
        labels, choice, stability = cluster(
            encoding.matrix,
            n_segments=n_segments,
            k_range=k_range,
            seed=seed,
            stability_runs=stability_runs,
            sample_size=sample_size,
        )
        timings["clustering"] = time.perf_counter() - step
        names = np.array([f"S{label + 1}" for label in range(choice.k)], dtype=object)[labels]
        if levels == 2:
            step = time.perf_counter()
            names, subdivisions = _subdivide(
                encoding.matrix,
                labels,
                names,
                choice.scores[choice.k],
                k_range=k_range,
                seed=seed,
                stability_runs=stability_runs,
                sample_size=sample_size,
            )
            timings["subdivision"] = time.perf_counter() - step
        segments[rest] = names
    elif rest.any():
        segments[rest] = rest_name
    method = (
        "règles + classification" if rules and choice else "règles" if rules else "classification"
    )
    result = SegmentationResult(
        ids=persons.get_column(id_column),
        segments=pl.Series("segment", segments.tolist(), dtype=pl.String),
        kinds=kinds,
        method=method,
        choice=choice,
        stability=stability,
        subdivisions=subdivisions,
        timings=timings,
    )
    if with_profiles:
        step = time.perf_counter()
        texts = encoding.texts if choice is not None and rest.all() else None
        result.profiles = profile_segments(
            persons, result.segments, kinds, roles=roles, text_models=texts
        )
        timings["profiles"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    return result

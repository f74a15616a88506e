"""Segmentation of publics on mixed data, with the number of segments chosen automatically.

Pure module (Polars, NumPy, scikit-learn; no Django model). The pipeline:

1. **Column kinds** (``detect_kinds``): numeric (age, contact counts…), categorical (branch,
   region, online account…), multi-valued (``courriel|telephone``: channels used, procedures),
   free text (the words of requests); identifiers and constants are set aside with a reason.
2. **Encoding** (``encode``): every variable becomes a block of columns scaled so that its total
   variance is 1 (times its weight), the way factor analysis of mixed data balances variables:
   numeric standardised (log first when skewed), categories one-hot and centred, multi-valued
   columns multi-hot, text as TF-IDF of French stems reduced by truncated SVD to topic axes.
3. **Number of segments** (``choose_k``): MiniBatchKMeans for each k of a range on a seeded
   sample, scored by the silhouette on a sub-sample; the best k wins.
4. **Stability**: the chosen k is refitted on bootstrap resamples with other seeds; the adjusted
   Rand index between every pair of runs (on the same evaluation persons) is returned — near 1
   the segments are real, below ~0.6 they are an artefact of the seed.
5. **Final fit** on everyone, started from the best sample centres; segments named S1…Sk by
   decreasing size. Rule segments (``segment_rules``) can take persons first; the rest is
   clustered.
6. **Profiles and persona cards** (``relais.journeys.personas``).

276,000 persons take a few seconds (see ``bench/journeys_segments.py``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import polars as pl

from relais.core.search import FRENCH_STOP_WORDS, stem
from relais.core.text import fold, fold_words
from relais.journeys.segment_rules import Rule, apply_rules

MULTI_SEPARATOR = "|"
MISSING = "(non renseigné)"
OTHER = "(autre)"
MAX_LEVELS = 30  # categories or multi values kept per column; the rest is OTHER
TEXT_COMPONENTS = 8
MAX_VOCABULARY = 3000
DEFAULT_K_RANGE = (2, 10)
SAMPLE_SIZE = 20_000  # persons used to choose k and measure stability
SILHOUETTE_SIZE = 4_000
# Stability of the k not chosen, shown beside the silhouettes: a lighter measure.
PER_K_STABILITY_SIZE = 10_000
PER_K_STABILITY_RUNS = 3
_WORD = r"\w+"
# Words of politeness and of asking that every request has, on top of the French stop words.
REQUEST_STOP_WORDS = frozenset(
    [
        "bonjour",
        "bonsoir",
        "merci",
        "cordialement",
        "madame",
        "monsieur",
        "svp",
        "plait",
        "comment",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "pourquoi",
        "quand",
        "pouvez",
        "pourriez",
        "peux",
        "veux",
        "voudrais",
        "souhaite",
        "faire",
        "avoir",
        "suis",
        "ai",
        "mes",
        "votre",
        "vos",
        "cette",
        "cet",
        "mais",
        "donc",
        "car",
        "encore",
        "aussi",
        "tres",
        "bien",
    ]
)


# --------------------------------------------------------------------------------------------
# Column kinds


@dataclass(frozen=True)
class ColumnKinds:
    numeric: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    multi: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    ignored: tuple[tuple[str, str], ...] = ()  # (column, reason in French)

    @property
    def used(self) -> tuple[str, ...]:
        return self.numeric + self.categorical + self.multi + self.text


KINDS = ("numeric", "categorical", "multi", "text", "ignored")


def detect_kinds(
    frame: pl.DataFrame, *, id_column: str | None = None, overrides: dict[str, str] | None = None
) -> ColumnKinds:
    """The kind of every column but the id, from its type and a sample of its values.

    ``overrides`` forces a kind (``{"code_postal": "categorical", "nom": "ignored"}``).
    """
    overrides = overrides or {}
    found: dict[str, list] = {kind: [] for kind in KINDS}
    for column in frame.columns:
        if column == id_column:
            continue
        kind = overrides.get(column)
        if kind is not None:
            if kind not in KINDS:
                raise ValueError(f"type de colonne inconnu « {kind} » pour « {column} ».")
            found[kind].append((column, "écartée à la demande") if kind == "ignored" else column)
            continue
        kind, reason = _guess_kind(frame.get_column(column))
        found[kind].append((column, reason) if kind == "ignored" else column)
    return ColumnKinds(**{kind: tuple(values) for kind, values in found.items()})


def _guess_kind(series: pl.Series) -> tuple[str, str]:
    values = series.drop_nulls()
    if series.dtype == pl.String:
        values = values.str.strip_chars().filter(values.str.strip_chars() != "")
    if values.len() == 0:
        return "ignored", "vide"
    sample = values.head(5000) if values.len() > 5000 else values
    if series.dtype == pl.Boolean:
        return "categorical", ""
    if series.dtype.is_numeric():
        return ("ignored", "constante") if sample.n_unique() < 2 else ("numeric", "")
    if series.dtype != pl.String:
        return "ignored", f"type {series.dtype} non pris en charge (convertissez-la en nombre)"
    if _as_number(sample).null_count() <= 0.05 * sample.len():
        return ("ignored", "constante") if sample.n_unique() < 2 else ("numeric", "")
    if sample.str.contains(MULTI_SEPARATOR, literal=True).mean() >= 0.05:
        return "multi", ""
    words = sample.str.count_matches(_WORD).mean() or 0
    distinct = sample.n_unique()
    if words >= 4 and (distinct > 0.2 * sample.len() or distinct > 50):
        return "text", ""
    if distinct > 0.5 * sample.len() and distinct > 50:
        return "ignored", "identifiant ou valeur presque unique"
    if distinct < 2:
        return "ignored", "constante"
    return "categorical", ""


def _as_number(series: pl.Series) -> pl.Series:
    if series.dtype.is_numeric():
        return series.cast(pl.Float64)
    return (
        series.cast(pl.String)
        .str.strip_chars()
        .str.replace(",", ".", literal=True)
        .cast(pl.Float64, strict=False)
    )


# --------------------------------------------------------------------------------------------
# Encoding


@dataclass
class TextModel:
    """A text column as a TF-IDF matrix of French stems (kept for topics in the profiles)."""

    column: str
    matrix: object  # scipy.sparse.csr_matrix, persons × stems, rows L2-normalised
    stems: list[str]
    words: list[str]  # the most frequent folded word of each stem, for display


@dataclass
class Encoding:
    matrix: np.ndarray  # persons × features, float32, every variable of total variance ≈ weight
    blocks: dict[str, slice]
    texts: dict[str, TextModel] = field(default_factory=dict)


def multi_values(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``(row, value)`` for every value of a multi-valued column (``a|b`` gives two rows)."""
    return (
        frame.select(pl.col(column).cast(pl.String).str.split(MULTI_SEPARATOR).alias("value"))
        .with_row_index("row")
        .explode("value")
        .with_columns(pl.col("value").str.strip_chars())
        .filter(pl.col("value").is_not_null() & (pl.col("value") != ""))
        .unique(["row", "value"], maintain_order=True)
    )


def category_values(frame: pl.DataFrame, column: str) -> pl.Series:
    """The column as text labels, missing values as ``MISSING``."""
    values = frame.get_column(column).cast(pl.String).str.strip_chars()
    return values.fill_null(MISSING).replace("", MISSING)


def encode(
    frame: pl.DataFrame,
    kinds: ColumnKinds,
    *,
    weights: dict[str, float] | None = None,
    seed: int = 0,
) -> Encoding:
    """The numeric matrix of the persons (see the module's docstring)."""
    weights = weights or {}
    n = frame.height
    parts: list[np.ndarray] = []
    blocks: dict[str, slice] = {}
    texts: dict[str, TextModel] = {}
    width = 0

    def add(column: str, block: np.ndarray | None) -> None:
        nonlocal width
        if block is None or block.shape[1] == 0:
            return
        parts.append(block.astype(np.float32, copy=False))
        blocks[column] = slice(width, width + block.shape[1])
        width += block.shape[1]

    for column in kinds.numeric:
        add(column, _numeric_block(frame.get_column(column), weights.get(column, 1.0)))
    for column in kinds.categorical:
        codes, levels = _codes(category_values(frame, column))
        add(column, _indicator_block(codes, len(levels), n, weights.get(column, 1.0)))
    for column in kinds.multi:
        add(column, _multi_block(frame, column, weights.get(column, 1.0)))
    for column in kinds.text:
        model = text_model(frame.get_column(column))
        if model is None:
            continue
        texts[column] = model
        add(column, _text_block(model, weights.get(column, 1.0), seed))
    if not parts:
        raise ValueError("aucune colonne exploitable pour segmenter.")
    return Encoding(np.hstack(parts), blocks, texts)


def _numeric_block(series: pl.Series, weight: float) -> np.ndarray | None:
    values = _as_number(series).to_numpy().astype(np.float64)
    present = ~np.isnan(values)
    if present.sum() < 2:
        return None
    values = np.where(present, values, np.nanmedian(values))
    if values.min() >= 0 and _skewness(values) > 1:
        values = np.log1p(values)
    std = values.std()
    if std == 0:
        return None
    z = np.clip((values - values.mean()) / std, -5, 5)
    return (z * math.sqrt(weight))[:, None]


def _skewness(values: np.ndarray) -> float:
    std = values.std()
    return 0.0 if std == 0 else float(np.mean(((values - values.mean()) / std) ** 3))


def _codes(labels: pl.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes of the ``MAX_LEVELS`` most frequent labels, the rest as ``OTHER``."""
    counts = labels.value_counts(sort=True, name="n").sort(
        ["n", labels.name], descending=[True, False]
    )
    levels = counts.get_column(labels.name).to_list()
    if len(levels) > MAX_LEVELS:
        levels = levels[: MAX_LEVELS - 1] + [OTHER]
    index = {level: i for i, level in enumerate(levels)}
    other = index.get(OTHER, 0)
    codes = labels.replace_strict(index, default=other, return_dtype=pl.Int32).to_numpy()
    return codes, levels


def _indicator_block(codes: np.ndarray, width: int, n: int, weight: float) -> np.ndarray | None:
    block = np.zeros((n, width), dtype=np.float32)
    block[np.arange(n), codes] = 1.0
    return _balanced(block, weight)


def _balanced(block: np.ndarray, weight: float, *, indicator: bool = True) -> np.ndarray | None:
    # Centred, and scaled so that the block's total variance is ``weight``: every variable
    # counts the same whatever its number of levels. A 0/1 column of mean p has variance p(1−p).
    means = block.mean(axis=0)
    variance = float(np.sum(means * (1 - means))) if indicator else float(block.var(0).sum())
    if variance <= 1e-12:
        return None
    block -= means
    block *= math.sqrt(weight / variance)
    return block


def _multi_block(frame: pl.DataFrame, column: str, weight: float) -> np.ndarray | None:
    pairs = multi_values(frame, column)
    if pairs.height == 0:
        return None
    top = (
        pairs.group_by("value")
        .len()
        .sort(["len", "value"], descending=[True, False])
        .head(MAX_LEVELS)
        .get_column("value")
        .to_list()
    )
    index = {value: i for i, value in enumerate(top)}
    kept = pairs.filter(pl.col("value").is_in(top))
    block = np.zeros((frame.height, len(top)), dtype=np.float32)
    block[
        kept.get_column("row").to_numpy(),
        kept.get_column("value").replace_strict(index, return_dtype=pl.Int32).to_numpy(),
    ] = 1.0
    return _balanced(block, weight)


def text_model(series: pl.Series, *, max_vocabulary: int = MAX_VOCABULARY) -> TextModel | None:
    """TF-IDF of the French stems of a text column, vectorised: words are extracted by Polars,
    and only distinct words go through ``fold_words`` and the Snowball stemmer."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer

    n = series.len()
    words = (
        pl.DataFrame({"text": series.cast(pl.String)})
        .with_row_index("row")
        .select("row", pl.col("text").str.extract_all(_WORD).alias("raw"))
        .explode("raw")
        .drop_nulls("raw")
    )
    if words.height == 0:
        return None
    distinct = words.get_column("raw").unique().to_list()
    folded = {raw: fold_words(raw) for raw in distinct}
    stems = {
        raw: stem(word)
        for raw, word in folded.items()
        if word
        and word not in FRENCH_STOP_WORDS
        and word not in REQUEST_STOP_WORDS
        and len(word) > 1
        and not word.isdigit()
    }
    words = words.filter(pl.col("raw").is_in(list(stems))).with_columns(
        pl.col("raw").replace_strict(stems).alias("stem"),
        pl.col("raw").replace_strict(folded).alias("word"),
    )
    document_frequency = words.unique(["row", "stem"]).group_by("stem").len()
    low, high = max(2, math.ceil(0.0005 * n)), 0.5 * n
    vocabulary = (
        document_frequency.filter((pl.col("len") >= low) & (pl.col("len") <= high))
        .sort(["len", "stem"], descending=[True, False])
        .head(max_vocabulary)
        .get_column("stem")
        .to_list()
    )
    if len(vocabulary) < 2:
        return None
    index = {s: i for i, s in enumerate(vocabulary)}
    counts = (
        words.filter(pl.col("stem").is_in(vocabulary))
        .group_by("row", "stem")
        .len()
        .with_columns(pl.col("stem").replace_strict(index, return_dtype=pl.Int32).alias("col"))
    )
    matrix = sparse.csr_matrix(
        (
            counts.get_column("len").to_numpy().astype(np.float32),
            (counts.get_column("row").to_numpy(), counts.get_column("col").to_numpy()),
        ),
        shape=(n, len(vocabulary)),
    )
    matrix = TfidfTransformer(sublinear_tf=True).fit_transform(matrix).astype(np.float32).tocsr()
    shown = (
        words.filter(pl.col("stem").is_in(vocabulary))
        .group_by("stem", "word")
        .len()
        .sort(["stem", "len", "word"], descending=[False, True, False])
        .unique("stem", keep="first", maintain_order=True)
    )
    display = dict(zip(shown.get_column("stem"), shown.get_column("word"), strict=True))
    return TextModel(series.name, matrix, vocabulary, [display[s] for s in vocabulary])


def _text_block(model: TextModel, weight: float, seed: int) -> np.ndarray | None:
    from sklearn.decomposition import TruncatedSVD

    components = min(TEXT_COMPONENTS, len(model.stems) - 1)
    svd = TruncatedSVD(n_components=components, random_state=seed)
    n = model.matrix.shape[0]
    rng = np.random.default_rng(seed)
    fit_rows = np.sort(rng.choice(n, 50_000, replace=False)) if n > 50_000 else slice(None)
    svd.fit(model.matrix[fit_rows])
    block = svd.transform(model.matrix).astype(np.float32)
    return _balanced(block, weight, indicator=False)


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
    from threadpoolctl import threadpool_limits

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


# --------------------------------------------------------------------------------------------
# Per-person features from an event log


MULTI_EVENT_FEATURES = ("canaux", "demarches")  # multi-valued even when a person has one value
EVENT_FEATURES = (
    "nb_contacts",
    "nb_dossiers",
    "contacts_par_dossier",
    "jours_actifs",
    "canaux",
    "canal_principal",
    "demarches",
)


def person_features(
    events: pl.DataFrame,
    *,
    person: str,
    case: str | None = None,
    activity: str | None = None,
    timestamp: str | None = None,
    channel: str | None = None,
) -> pl.DataFrame:
    """One row per person of an event log: ``person`` (as text) and the ``EVENT_FEATURES`` the
    given columns allow — contacts, cases, contacts per case, days between first and last
    event, channels used (multi-valued) and the main one, procedures / activities (multi)."""
    frame = events.with_columns(pl.col(person).cast(pl.String).alias("person")).filter(
        pl.col("person").is_not_null()
    )
    aggregations = [pl.len().alias("nb_contacts")]
    if case:
        aggregations.append(pl.col(case).n_unique().alias("nb_dossiers"))
    if timestamp:
        instant = _parse_instants(frame.get_column(timestamp))
        frame = frame.with_columns(instant.alias("__instant"))
        aggregations.append(
            ((pl.col("__instant").max() - pl.col("__instant").min()).dt.total_seconds() / 86_400)
            .round(1)
            .alias("jours_actifs")
        )
    for source, name in ((channel, "canaux"), (activity, "demarches")):
        if source:
            aggregations.append(
                pl.col(source)
                .cast(pl.String)
                .str.replace_all(MULTI_SEPARATOR, "/", literal=True)
                .drop_nulls()
                .unique()
                .sort()
                .str.join(MULTI_SEPARATOR)
                .alias(name)
            )
    result = frame.group_by("person").agg(aggregations)
    if case:
        result = result.with_columns(
            (pl.col("nb_contacts") / pl.col("nb_dossiers")).round(2).alias("contacts_par_dossier")
        )
    if channel:
        main = (
            frame.filter(pl.col(channel).is_not_null())
            .group_by("person", channel)
            .len()
            .sort(["person", "len", channel], descending=[False, True, False])
            .unique("person", keep="first")
            .select("person", pl.col(channel).cast(pl.String).alias("canal_principal"))
        )
        result = result.join(main, on="person", how="left")
    return result.select("person", *[c for c in EVENT_FEATURES if c in result.columns]).sort(
        "person"
    )


def _parse_instants(series: pl.Series) -> pl.Series:
    if series.dtype == pl.Datetime:
        return series.dt.replace_time_zone(None) if series.dtype.time_zone else series
    text = series.cast(pl.String).str.strip_chars()
    for fmt in (
        None,
        "%Y-%m-%d %H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y",
    ):
        try:
            parsed = text.str.to_datetime(format=fmt, strict=False, time_zone="UTC")
        except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError):
            continue
        if parsed.null_count() < series.len():
            return parsed.dt.replace_time_zone(None)
    return pl.Series(series.name, [None] * series.len(), dtype=pl.Datetime("us"))


def with_event_features(
    persons: pl.DataFrame, features: pl.DataFrame, *, id_column: str
) -> tuple[pl.DataFrame, dict[str, str]]:
    """``persons`` with the event features joined on the id (a name already taken by a person
    column gets the prefix ``evt_``; persons without events have zero contacts), and the kinds
    to force for them (``overrides`` of ``segment_publics``)."""
    renamed = {
        c: (f"evt_{c}" if c in persons.columns else c) for c in features.columns if c != "person"
    }
    features = features.rename(renamed)
    joined = persons.with_columns(pl.col(id_column).cast(pl.String).alias("__key")).join(
        features.rename({"person": "__key"}), on="__key", how="left", maintain_order="left"
    )
    counts = [renamed[c] for c in ("nb_contacts", "nb_dossiers") if c in renamed]
    overrides = {renamed[c]: "multi" for c in MULTI_EVENT_FEATURES if c in renamed}
    return joined.with_columns(pl.col(c).fill_null(0) for c in counts).drop("__key"), overrides


def folded_name(column: str) -> str:
    """A column name as compared by the role patterns (``Canal préféré`` → ``canal prefere``)."""
    return fold_words(column) or fold(column)


__all__ = [
    "ColumnKinds",
    "Encoding",
    "KChoice",
    "SegmentationResult",
    "Stability",
    "choose_k",
    "cluster",
    "detect_kinds",
    "encode",
    "measure_stability",
    "person_features",
    "segment_publics",
    "with_event_features",
]

"""Features of persons for the segmentation: column kinds, balanced encoding, event features.

Pure module (Polars, NumPy, scikit-learn). Every variable becomes a block of columns scaled so
that its total variance is 1 (times its weight), the way factor analysis of mixed data balances
variables: numeric standardised (log first when skewed), categories one-hot and centred,
multi-valued columns (``courriel|telephone``) multi-hot, text as TF-IDF of French stems reduced
by truncated SVD to topic axes. ``person_features`` turns an event log into per-person columns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from relais.core.search import FRENCH_STOP_WORDS, stem
from relais.core.text import fold_words

MULTI_SEPARATOR = "|"
MISSING = "(non renseigné)"
OTHER = "(autre)"
MAX_LEVELS = 30  # categories or multi values kept per column; the rest is OTHER
TEXT_COMPONENTS = 8
MAX_VOCABULARY = 3000
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
    # Rows spread over the whole file, not its first ones (a file may be sorted).
    sample = values.gather_every(values.len() // 5000) if values.len() > 10_000 else values
    if series.dtype == pl.Boolean:
        return "categorical", ""
    if series.dtype.is_integer() and sample.len() > 50 and sample.n_unique() == sample.len():
        return "ignored", "identifiant numérique probable (toutes les valeurs diffèrent)"
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
    """TF-IDF of the French stems of a text column (sublinear tf, smooth idf, rows L2-normalised,
    as scikit-learn's ``TfidfTransformer(sublinear_tf=True)``), vectorised: each distinct text
    is tokenised once by Polars, and only distinct words go through ``fold_words`` and the
    Snowball stemmer; document frequencies count every person."""
    from scipy import sparse

    n = series.len()
    documents = (
        pl.DataFrame({"text": series.cast(pl.String)})
        .with_row_index("row")
        .filter(pl.col("text").is_not_null())
        .group_by("text", maintain_order=True)
        .agg(pl.col("row"))
        .with_row_index("doc")
    )
    if documents.height == 0:
        return None
    persons_of = documents.select("doc", pl.col("row").list.len().alias("persons"))
    words = (
        documents.select("doc", pl.col("text").str.extract_all(_WORD).alias("raw"))
        .explode("raw")
        .drop_nulls("raw")
        # Numbers (file numbers, amounts, years) and single letters are no topic: left out
        # before folding, which is per distinct word.
        .filter((pl.col("raw").str.len_chars() > 1) & ~pl.col("raw").str.contains(r"^\d+$"))
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
    lexicon = pl.DataFrame(
        {
            "raw": list(stems),
            "stem": list(stems.values()),
            "word": [folded[raw] for raw in stems],
        },
        schema={"raw": pl.String, "stem": pl.String, "word": pl.String},
    )
    words = words.join(lexicon, on="raw", how="inner", maintain_order="left")
    document_frequency = (
        words.unique(["doc", "stem"])
        .join(persons_of, on="doc")
        .group_by("stem")
        .agg(pl.col("persons").sum().alias("df"))
    )
    low, high = max(2, math.ceil(0.0005 * n)), 0.5 * n
    vocabulary_frame = (
        document_frequency.filter((pl.col("df") >= low) & (pl.col("df") <= high))
        .sort(["df", "stem"], descending=[True, False])
        .head(max_vocabulary)
    )
    vocabulary = vocabulary_frame.get_column("stem").to_list()
    if len(vocabulary) < 2:
        return None
    index = {s: i for i, s in enumerate(vocabulary)}
    idf = np.log((1 + n) / (1 + vocabulary_frame.get_column("df").to_numpy())) + 1
    kept = words.filter(pl.col("stem").is_in(vocabulary))
    counts = (
        kept.group_by("doc", "stem")
        .len()
        .with_columns(pl.col("stem").replace_strict(index, return_dtype=pl.Int32).alias("col"))
    )
    columns = counts.get_column("col").to_numpy()
    values = (1 + np.log(counts.get_column("len").to_numpy())) * idf[columns]
    unique_matrix = sparse.csr_matrix(
        (values, (counts.get_column("doc").to_numpy(), columns)),
        shape=(documents.height + 1, len(vocabulary)),  # the last row: persons without text
    )
    norms = np.sqrt(np.asarray(unique_matrix.multiply(unique_matrix).sum(axis=1)).ravel())
    unique_matrix = sparse.diags(1 / np.where(norms > 0, norms, 1)) @ unique_matrix
    rows = documents.select("doc", "row").explode("row")
    of_person = np.full(n, documents.height, dtype=np.int64)
    of_person[rows.get_column("row").to_numpy()] = rows.get_column("doc").to_numpy()
    matrix = unique_matrix.tocsr()[of_person].astype(np.float32)
    shown = (
        kept.join(persons_of, on="doc")
        .group_by("stem", "word")
        .agg(pl.col("persons").sum())
        .sort(["stem", "persons", "word"], descending=[False, True, False])
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
        instant = parse_instants(frame.get_column(timestamp))
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


def parse_instants(series: pl.Series) -> pl.Series:
    """Instants in UTC (naive): ISO 8601 with or without offset, or French day-first dates —
    the format that reads the most values wins; none at all is an error in French."""
    if isinstance(series.dtype, pl.Datetime):
        return (
            series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            if (series.dtype.time_zone)
            else series
        )
    text = series.cast(pl.String).str.strip_chars()
    best = None
    for fmt in (
        None,
        "%Y-%m-%d %H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y",
    ):
        try:
            parsed = text.str.to_datetime(format=fmt, strict=False, time_zone="UTC")
        except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError):
            continue
        if best is None or parsed.null_count() < best.null_count():
            best = parsed
    present = text.drop_nulls().filter(text.drop_nulls() != "")
    if best is None or (present.len() and best.null_count() == series.len()):
        example = present[0] if present.len() else ""
        raise ValueError(
            f"colonne « {series.name} » : aucune date lisible (par exemple « {example} »)."
        )
    return best.dt.replace_time_zone(None)


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

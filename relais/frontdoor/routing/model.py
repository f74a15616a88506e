"""The routing model: the network's rules and a classifier trained on labelled questions.

Features of a question: TF-IDF of its stemmed words (one and two words) and of the character
n-grams (2 to 5) of its folded text, plus, in the default ``"features"`` combination, the rule
evidence for each body (the log of its summed phrase weights). One logistic regression per body
(one-vs-rest, so a question may belong to several bodies) gives a score; a Platt sigmoid fitted
on out-of-fold scores (5 folds) turns it into a calibrated probability. The ``"blend"``
combination instead fits the text-only classifier and learns the sigmoid on two inputs, its
out-of-fold score and the rule evidence. ``bench.frontdoor_routing`` measures both.

Everything is deterministic: fixed folds, the liblinear solver, examples in a canonical order.
``model.version`` is a hash of the examples, the rules, the catalogue, the parameters and the
scikit-learn version. ``default_model()`` trains on ``data/training.csv`` at first use (a few
seconds) and keeps the model in memory, keyed by the data files' hashes, and on disk under
``VAR_DIR/routing/<version>.joblib`` for the next processes (a file of another version is never
used); ``train`` retrains with confirmed routings (a human override, a "pas pour moi").
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import sklearn
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from relais.core.text import fold_words

from .phrases import STOP_WORDS, Text
from .rules import (
    CATALOGUE_PATH,
    DATA_DIR,
    RULES_PATH,
    Catalogue,
    RuleMatch,
    RuleSet,
    file_digest,
    load_catalogue,
    load_rules,
)

TRAINING_PATH = DATA_DIR / "training.csv"
COMBINATIONS = ("features", "blend", "classifier", "rules")
# A body with fewer confirmed examples than this is scored by its rules alone.
MIN_POSITIVES = 3
FOLDS = 5
MIN_SHOWN_CHARS = 4  # shortest character n-gram shown among the strongest terms
# Stems never shown alone among the strongest terms.
UNINFORMATIVE = STOP_WORDS | frozenset(
    [
        "ai",
        "alor",
        "bonjour",
        "c",
        "ca",
        "cel",
        "est",
        "et",
        "il",
        "j",
        "je",
        "jai",
        "m",
        "me",
        "n",
        "ne",
        "nos",
        "notr",
        "nou",
        "on",
        "qu",
        "que",
        "qui",
        "s",
        "si",
        "son",
        "t",
        "vos",
        "votr",
        "vous",
    ]
)
# Changes with the way a model is built, so that a model of another engine has another version.
ENGINE = "tfidf-words-chars/logreg-liblinear-dual-balanced-seed0/platt-oof-5/critical-net"


@dataclass(frozen=True)
class Params:
    combination: str = "features"  # see COMBINATIONS
    C: float = 30.0  # inverse regularisation of each body's logistic regression
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    rule_scale: float = 0.5  # weight of the rule features next to the TF-IDF ones
    label_threshold: float = 0.6  # a body whose probability reaches it is competent
    abstain_below: float = 0.6  # under this confidence, the dispatcher decides
    extra_weight: float = 2.0  # sample weight of a confirmed routing added by ``train``
    balanced: bool = True  # weigh each body's rare positives up
    critical_features: str = "all"  # the net reads "words" (stems) or "all" the features
    critical_threshold: float = 0.7  # classifier's probability that flags an event rules missed
    phrase_features: bool = True  # also one indicator feature per rule phrase


@dataclass(frozen=True)
class Example:
    """A labelled question. ``bodies``: the competent bodies; ``refused``: bodies known not
    to be competent ("pas pour moi") when the competent one is not known yet."""

    text: str
    bodies: tuple[str, ...] = ()
    critical: tuple[str, ...] | None = ()  # None: not known (a confirmed routing)
    refused: tuple[str, ...] = ()
    weight: float = 1.0


def _codes(value: str) -> tuple[str, ...]:
    return tuple(code.strip().upper() for code in (value or "").split("|") if code.strip())


def read_examples(path: Path = TRAINING_PATH) -> list[Example]:
    """The labelled questions of a CSV with columns ``text``, ``bodies`` (codes separated by
    ``|``) and ``critical`` (critical-event codes, possibly empty)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [
            Example(
                text=row["text"], bodies=_codes(row["bodies"]), critical=_codes(row.get("critical"))
            )
            for row in csv.DictReader(handle)
            if row.get("text", "").strip()
        ]


def examples_from_pairs(pairs: Iterable[tuple[str, Sequence[str]]], weight: float) -> list[Example]:
    """``(text, codes)`` pairs as examples; a code written ``-CODE`` is a refusal ("pas pour
    moi") of that body."""
    examples = []
    for text, codes in pairs:
        codes = [c.strip().upper() for c in codes if c and c.strip()]
        examples.append(
            Example(
                text=text,
                bodies=tuple(c for c in codes if not c.startswith("-")),
                refused=tuple(c[1:] for c in codes if c.startswith("-")),
                critical=None,
                weight=weight,
            )
        )
    return examples


def _canonical(examples: Sequence[Example]) -> list[Example]:
    """One example per folded text, the last one given winning (an override replaces the
    original label), in a stable order."""
    by_text: dict[str, Example] = {}
    for example in examples:
        key = fold_words(example.text)
        if key:
            by_text[key] = example
    return [by_text[key] for key in sorted(by_text)]


def _stemmed(text: Text) -> str:
    return " ".join(text.stems)


def stems_of(text: str) -> str:
    """The stems of ``text`` as the word vectorizer reads them (the costly step: cache it)."""
    return _stemmed(Text.of(text))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class BodyModel:
    """One body's classifier and calibration."""

    code: str
    classifier: LogisticRegression | None  # None: too few examples, rules alone
    calibration: LogisticRegression | None
    positives: int


@dataclass
class Scored:
    """What the model computed for one question."""

    text: Text
    probabilities: dict[str, float]
    rule_matches: list[RuleMatch]
    rule_scores: dict[str, float]
    decision_scores: dict[str, float]
    features: sparse.csr_matrix | None
    critical_probability: float = 0.0  # the classifier's, rules aside
    critical_guess: str = ""  # the most likely event by the classifier


@dataclass
class Model:
    """A trained routing model (see the module's docstring)."""

    params: Params
    rules: RuleSet
    catalogue: Catalogue
    examples: list[Example]
    version: str
    bodies: tuple[str, ...]
    word_vectorizer: TfidfVectorizer | None = None
    char_vectorizer: TfidfVectorizer | None = None
    body_models: dict[str, BodyModel] = field(default_factory=dict)
    critical_model: BodyModel | None = None
    critical_codes: LogisticRegression | None = None

    # --- features ---------------------------------------------------------------------------

    def _rule_features(self, scores: list[dict[str, float]]) -> np.ndarray:
        return (
            np.array([[math.log1p(s.get(code, 0.0)) for code in self.bodies] for s in scores])
            * self.params.rule_scale
        )

    def _phrase_index(self) -> dict[tuple[str, str], int]:
        # Built once per model (it was rebuilt for every question routed).
        cached = getattr(self, "_cached_phrase_index", None)
        if cached is not None:
            return cached
        self._cached_phrase_index = {
            (body.code, phrase.source): index
            for index, (body, phrase) in enumerate(
                (body, phrase) for body in self.rules.bodies for phrase, _w in body.phrases
            )
        }
        return self._cached_phrase_index

    def _features(
        self,
        texts: list[Text],
        rule_scores: list[dict[str, float]],
        matches: list[list[RuleMatch]] | None = None,
    ):
        word = self.word_vectorizer.transform([_stemmed(t) for t in texts])
        char = self.char_vectorizer.transform([" ".join(t.words) for t in texts])
        blocks = [word, char]
        if self.params.combination == "features":
            blocks.append(sparse.csr_matrix(self._rule_features(rule_scores)))
            if self.params.phrase_features:
                index = self._phrase_index()
                indicator = sparse.lil_matrix((len(texts), len(index)))
                for row, found in enumerate(matches or []):
                    for match in found:
                        indicator[row, index[(match.body, match.phrase)]] = self.params.rule_scale
                blocks.append(indicator.tocsr())
        return sparse.hstack(blocks, format="csr")

    def _critical_features(self, features):
        # "words": stems only (measured worse than all the features on the probe set).
        if self.params.critical_features == "words":
            return features[:, : len(self.word_vectorizer.vocabulary_)]
        return features

    def feature_names(self) -> list[str]:
        names = [f"w:{n}" for n in self.word_vectorizer.get_feature_names_out()]
        names += [f"c:{n}" for n in self.char_vectorizer.get_feature_names_out()]
        if self.params.combination == "features":
            names += [f"r:{code}" for code in self.bodies]
            if self.params.phrase_features:
                names += [f"p:{body}:{phrase}" for body, phrase in self._phrase_index()]
        return names

    def word_vectors(self, texts: Sequence[str], *, stemmed: bool = False):
        """The TF-IDF vectors (L2-normalised, sparse rows) of the stemmed words of ``texts``
        (already stemmed with ``stems_of`` when ``stemmed``): the model's own vocabulary, for
        finding similar questions ("par analogie")."""
        if self.word_vectorizer is None:
            return None
        return self.word_vectorizer.transform(
            list(texts) if stemmed else [stems_of(t) for t in texts]
        )

    # --- scoring ----------------------------------------------------------------------------

    def score(self, text: str) -> Scored:
        return self.score_many([text])[0]

    def score_many(self, texts: Sequence[str]) -> list[Scored]:
        prepared = [Text.of(t) for t in texts]
        matches = [self.rules.match(t) for t in prepared]
        rule_scores = [self.rules.scores(m) for m in matches]
        features = None
        if self.word_vectorizer is not None and self.params.combination != "rules":
            features = self._features(prepared, rule_scores, matches)
        rule_matrix = self._rule_features(rule_scores)
        results = []
        columns: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for index, code in enumerate(self.bodies):
            body = self.body_models.get(code)
            if body is None or body.classifier is None or features is None:
                raw = np.array([math.log1p(s.get(code, 0.0)) for s in rule_scores])
                columns[code] = (raw, _rules_probability(raw))
                continue
            decision = _decision(body.classifier, features)
            inputs = self._calibration_inputs(decision, rule_matrix[:, index])
            columns[code] = (decision, _positive_probability(body.calibration, inputs))
        critical_p = np.zeros(len(prepared))
        guesses = [""] * len(prepared)
        if features is not None and self.critical_model is not None:
            net_features = self._critical_features(features)
            decision = _decision(self.critical_model.classifier, net_features)
            critical_p = _positive_probability(
                self.critical_model.calibration, decision.reshape(-1, 1)
            )
            if self.critical_codes is not None:
                guesses = [str(code) for code in _predict(self.critical_codes, net_features)]
        for row, text in enumerate(prepared):
            results.append(
                Scored(
                    text=text,
                    probabilities={code: float(columns[code][1][row]) for code in self.bodies},
                    rule_matches=matches[row],
                    rule_scores=rule_scores[row],
                    decision_scores={code: float(columns[code][0][row]) for code in self.bodies},
                    features=features[row] if features is not None else None,
                    critical_probability=float(critical_p[row]),
                    critical_guess=guesses[row],
                )
            )
        return results

    def _calibration_inputs(self, decision: np.ndarray, rules: np.ndarray) -> np.ndarray:
        if self.params.combination == "blend":
            return np.column_stack([decision, rules])
        return decision.reshape(-1, 1)

    def strongest_terms(self, scored: Scored, code: str, limit: int = 5) -> list[tuple[str, float]]:
        """The features that pushed ``code``'s score up most for this question, as words of
        the question where possible."""
        body = self.body_models.get(code)
        if body is None or body.classifier is None or scored.features is None:
            return []
        row = scored.features
        contributions = row.multiply(body.classifier.coef_[0]).tocsr()
        names = self._names()
        words_by_stem: dict[str, str] = {}
        for word, stem_ in zip(scored.text.words, scored.text.stems, strict=True):
            words_by_stem.setdefault(stem_, word)
        seen: dict[str, float] = {}
        order = np.argsort(-contributions.data, kind="stable")[: 20 * limit]
        for position in order:
            value = float(contributions.data[position])
            if value <= 0:
                break
            name = names[contributions.indices[position]]
            kind, _, term = name.partition(":")
            if kind == "w":
                if all(part in UNINFORMATIVE for part in term.split()):
                    continue  # "de la" explains nothing to a referent
                label = " ".join(words_by_stem.get(part, part) for part in term.split())
            elif kind == "c":
                if len(term.strip()) < MIN_SHOWN_CHARS:
                    continue  # "…on…" tells a referent nothing
                label = f"…{term.strip()}…"
            elif kind == "p":
                body_code, _, phrase = term.partition(":")
                label = f"règle « {phrase} » ({self.rules.name(body_code)})"
            else:
                label = f"règles {self.rules.name(term)}"
            if label not in seen:
                seen[label] = round(value, 3)
            if len(seen) >= limit:
                break
        return list(seen.items())

    def _names(self) -> list[str]:
        cached = getattr(self, "_cached_names", None)
        if cached is None:
            cached = self.feature_names()
            self._cached_names = cached
        return cached


# Scoring one question at a time (the intake of every request) spent most of its time in
# scikit-learn's input validation, run again for each of the seven fitted estimators. The
# arithmetic below is exactly scikit-learn's (``decision_function``: X @ coef.T + intercept;
# binary ``predict_proba``: expit of it; ``predict``: sign or argmax), on inputs the model
# built itself, so the decisions are bit for bit the same.


def _decision(classifier: LogisticRegression, features) -> np.ndarray:
    coef = classifier.coef_
    scores = features @ (coef.T if coef.ndim == 2 else coef)
    if sparse.issparse(scores):
        scores = scores.toarray()
    scores = np.asarray(scores) + classifier.intercept_
    return scores.reshape(-1) if scores.ndim > 1 and scores.shape[1] == 1 else scores


def _positive_probability(classifier: LogisticRegression, inputs: np.ndarray) -> np.ndarray:
    if len(classifier.classes_) > 2:
        return classifier.predict_proba(inputs)[:, 1]
    return expit(_decision(classifier, inputs))


def _predict(classifier: LogisticRegression, features) -> np.ndarray:
    scores = _decision(classifier, features)
    indices = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
    return classifier.classes_.take(indices, axis=0)


def _rules_probability(raw: np.ndarray) -> np.ndarray:
    # A body known only by its rules (no confirmed routing yet): no evidence is a low
    # probability, one strong phrase about one half, more phrases more.
    return 1.0 - np.exp(-0.6 * np.expm1(raw))


# --- training -------------------------------------------------------------------------------


def _version(examples: Sequence[Example], params: Params, rules: RuleSet, catalogue: Catalogue):
    digest = hashlib.sha256()
    payload = {
        "params": params.__dict__,
        "rules": rules.digest,
        "catalogue": catalogue.digest,
        "sklearn": sklearn.__version__,
        "engine": ENGINE,
        "examples": [
            [e.text, list(e.bodies), e.critical, list(e.refused), e.weight] for e in examples
        ],
    }
    digest.update(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode())
    return "routing-" + digest.hexdigest()[:12]


DECISION_PARAMS = ("abstain_below", "label_threshold", "critical_threshold")


def _decision_only(old: Params, new: Params) -> bool:
    """Whether ``new`` differs from ``old`` in decision thresholds only."""
    return replace(old, **{name: getattr(new, name) for name in DECISION_PARAMS}) == new


def _classifier(params: Params) -> LogisticRegression:
    return LogisticRegression(
        C=params.C,
        solver="liblinear",
        dual=True,
        class_weight="balanced" if params.balanced else None,
        max_iter=2000,
        random_state=0,  # liblinear's dual solver shuffles: fixed for a deterministic model
    )


def _calibrator() -> LogisticRegression:
    return LogisticRegression(C=100.0, solver="lbfgs", max_iter=1000)


def train(
    examples: Sequence[Example] = (),
    *,
    base: Model | None = None,
    params: Params | None = None,
    rules: RuleSet | None = None,
    catalogue: Catalogue | None = None,
) -> Model:
    """A model trained on ``base``'s examples (if any) followed by ``examples``; for the same
    folded text the later label wins, so a human override replaces the original one."""
    params = params or (base.params if base else Params())
    rules = rules or (base.rules if base else load_rules())
    catalogue = catalogue or (base.catalogue if base else load_catalogue())
    if params.combination not in COMBINATIONS:
        raise ValueError(f"combinaison inconnue : {params.combination}")
    unchanged = base is not None and rules is base.rules and catalogue is base.catalogue
    if unchanged and not examples and _decision_only(base.params, params):
        # Thresholds change decisions, not what was learnt: no refit.
        return replace(
            base,
            params=params,
            version=_version(base.examples, params, base.rules, base.catalogue),
        )
    data = _canonical([*(base.examples if base else []), *examples])
    known = set(rules.codes)
    seen = {code for e in data for code in e.bodies}
    bodies = tuple(rules.codes) + tuple(sorted(seen - known))
    model = Model(
        params=params,
        rules=rules,
        catalogue=catalogue,
        examples=data,
        version=_version(data, params, rules, catalogue),
        bodies=bodies,
    )
    if params.combination == "rules" or not data:
        return model
    texts = [Text.of(e.text) for e in data]
    model.word_vectorizer = TfidfVectorizer(
        analyzer="word",
        ngram_range=params.word_ngrams,
        sublinear_tf=True,
        tokenizer=str.split,
        token_pattern=None,
        lowercase=False,
    ).fit([_stemmed(t) for t in texts])
    model.char_vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=params.char_ngrams, sublinear_tf=True, min_df=2
    ).fit([" ".join(t.words) for t in texts])
    matches = [rules.match(t) for t in texts]
    rule_scores = [rules.scores(m) for m in matches]
    features = model._features(texts, rule_scores, matches)
    rule_matrix = model._rule_features(rule_scores)
    weights = np.array([e.weight for e in data])
    folds = list(KFold(n_splits=FOLDS, shuffle=True, random_state=0).split(np.arange(len(data))))
    for index, code in enumerate(bodies):
        labels = np.array([1 if code in e.bodies else 0 for e in data])
        # An example says nothing about a body it neither names nor refuses when it names no
        # body at all (a bare "pas pour moi"): it is left out of that body's training.
        usable = np.array([bool(e.bodies) or code in e.refused for e in data])
        positives = int(labels[usable].sum())
        if positives < MIN_POSITIVES or positives == int(usable.sum()):
            model.body_models[code] = BodyModel(code, None, None, positives)
            continue
        rows = np.flatnonzero(usable)
        out_of_fold = np.zeros(len(data))
        for train_rows, test_rows in folds:
            train_rows = np.intersect1d(train_rows, rows)
            test_rows = np.intersect1d(test_rows, rows)
            if len(set(labels[train_rows])) < 2 or not len(test_rows):
                continue
            fold_classifier = _classifier(params).fit(
                features[train_rows], labels[train_rows], sample_weight=weights[train_rows]
            )
            out_of_fold[test_rows] = fold_classifier.decision_function(features[test_rows])
        classifier = _classifier(params).fit(
            features[rows], labels[rows], sample_weight=weights[rows]
        )
        calibration = _calibrator().fit(
            model._calibration_inputs(out_of_fold[rows], rule_matrix[rows, index]), labels[rows]
        )
        model.body_models[code] = BodyModel(code, classifier, calibration, positives)
    _train_critical(model, data, features, weights, folds)
    return model


def _train_critical(model: Model, data, features, weights, folds) -> None:
    """A classifier of "critical or not" (calibrated like the bodies) and one of which event,
    a safety net for the phrasings the catalogue's triggers miss."""
    features = model._critical_features(features)
    known = np.array([e.critical is not None for e in data])
    labels = np.array([1 if e.critical else 0 for e in data])
    rows = np.flatnonzero(known)
    positives = int(labels[rows].sum())
    if positives < MIN_POSITIVES or positives == len(rows):
        return
    out_of_fold = np.zeros(len(data))
    for train_rows, test_rows in folds:
        train_rows = np.intersect1d(train_rows, rows)
        test_rows = np.intersect1d(test_rows, rows)
        if len(set(labels[train_rows])) < 2 or not len(test_rows):
            continue
        fold = _classifier(model.params).fit(
            features[train_rows], labels[train_rows], sample_weight=weights[train_rows]
        )
        out_of_fold[test_rows] = fold.decision_function(features[test_rows])
    classifier = _classifier(model.params).fit(
        features[rows], labels[rows], sample_weight=weights[rows]
    )
    calibration = _calibrator().fit(out_of_fold[rows].reshape(-1, 1), labels[rows])
    model.critical_model = BodyModel("CRITICAL", classifier, calibration, positives)
    critical_rows = [i for i in rows if data[i].critical]
    codes = [data[i].critical[0] for i in critical_rows]
    if len(set(codes)) >= 2:
        model.critical_codes = LogisticRegression(C=model.params.C, max_iter=2000).fit(
            features[critical_rows], codes
        )


# --- the default model ----------------------------------------------------------------------

_LOCK = threading.Lock()
_CACHE: dict[tuple, Model] = {}


def default_model(params: Params | None = None) -> Model:
    """The model trained on the shipped examples and rules, trained once per process and per
    content of ``data/`` (editing a rule or an example retrains it at the next call)."""
    params = params or Params()
    key = (
        file_digest(TRAINING_PATH),
        file_digest(RULES_PATH),
        file_digest(CATALOGUE_PATH),
        params,
    )
    with _LOCK:
        model = _CACHE.get(key)
        if model is None:
            model = _from_disk(params) or train(read_examples(), params=params)
            _to_disk(model)
            _CACHE.clear()
            _CACHE[key] = model
        return model


def _disk_path(version: str) -> Path | None:
    """Where the default model of ``version`` is kept between processes: ``VAR_DIR/routing``
    when Django is configured (read at call time, never at import)."""
    try:
        from django.conf import settings

        if not settings.configured or not getattr(settings, "VAR_DIR", None):
            return None
        return Path(settings.VAR_DIR) / "routing" / f"{version}.joblib"
    except Exception:  # noqa: BLE001 - no Django, no disk cache
        return None


def _expected_version(params: Params) -> str:
    return _version(_canonical(read_examples()), params, load_rules(), load_catalogue())


def _from_disk(params: Params) -> Model | None:
    """The default model saved by an earlier process, if it is exactly the one ``train`` would
    build now (same version); anything else is ignored and retrained."""
    path = _disk_path(_expected_version(params))
    if path is None or not path.exists():
        return None
    try:
        model = load_model(path)
    except Exception:  # noqa: BLE001 - a damaged or foreign file: train again
        return None
    return model if model.version == path.stem else None


def _to_disk(model: Model) -> None:
    path = _disk_path(model.version)
    if path is None or path.exists():
        return
    with contextlib.suppress(OSError):  # a read-only disk costs a retraining, nothing more
        save_model(model, path)


def train_model(
    extra_examples: Sequence[tuple[str, Sequence[str]]], *, base: Model | None = None
) -> Model:
    """The default model retrained with confirmed routings ``(text, [codes])``: a human
    override or the bodies that finally took the request. ``-CODE`` marks a refusal ("pas pour
    moi"). Confirmed routings weigh ``Params.extra_weight`` times a shipped example."""
    base = base or default_model()
    extra = examples_from_pairs(extra_examples, weight=base.params.extra_weight)
    return train(extra, base=base)


def with_params(model: Model, **changes) -> Model:
    """``model``'s examples and rules retrained with other parameters (for the benchmark)."""
    return train((), base=model, params=replace(model.params, **changes))


def save_model(model: Model, path: Path) -> Path:
    """Write ``model`` to ``path`` (joblib), e.g. under ``var/`` after a retraining job; the
    file holds code objects of scikit-learn: load only files Relais wrote itself."""
    import joblib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    joblib.dump(model, temporary)
    temporary.replace(path)
    return path


def load_model(path: Path) -> Model:
    """A model written by ``save_model`` (``ValueError`` if the file holds something else)."""
    import joblib

    model = joblib.load(Path(path))
    if not isinstance(model, Model):
        raise ValueError(f"{path} ne contient pas un modèle d'orientation")
    return model

"""Profiles of segments and the persona card (French) written from each profile.

A profile says who is in a segment and how it differs from everyone: size and share, typical
values (medians, most frequent categories, each with its *lift* — share in the segment divided
by share overall), channel mix, main needs (procedures, motives), topics of the requests
(French stems found more often than elsewhere) and pain points (friction counters above the
average, complaint words). The persona card is plain text made only from those figures: nothing
in it is invented but the first name.

Which columns hold channels, needs, friction counters or the age is guessed from their names
(``Roles.detect``) and can be given explicitly.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field

import numpy as np
import polars as pl

from relais.core.text import fold_words
from relais.journeys.segment_features import (
    MISSING,
    OTHER,
    ColumnKinds,
    _as_number,
    category_values,
    multi_values,
    text_model,
)

_CHANNEL = re.compile(r"canal|canaux|channel")
_NEEDS = re.compile(r"demarche|procedure|besoin|motif|prestation|activit|raison")
_PAIN = re.compile(
    r"relance|repet|reclam|attente|delai|incident|erreur|echec|insatisf|contacts par dossier"
)
_AGE = re.compile(r"^age$|^age |\bage$")
# Stems of words that say something went wrong, for pain points taken from the text of requests.
PAIN_STEMS = (
    "relanc",
    "attent",
    "retard",
    "erreur",
    "incompr",
    "bloqu",
    "perdu",
    "toujour",
    "urgent",
    "rappel",
    "reclam",
    "delai",
    "problem",
    "impossibl",
    "aucun",
    "jam",
    "refus",
    "oubli",
)
_BARE_VALUES = {"oui", "non", "vrai", "faux", "true", "false", "yes", "no", "o", "n"}
PERSONA_NAMES = (
    "Camille",
    "Dominique",
    "Claude",
    "Sacha",
    "Maxime",
    "Charlie",
    "Morgan",
    "Lou",
    "Andréa",
    "Alix",
    "Eden",
    "Noa",
)


@dataclass(frozen=True)
class Roles:
    """Columns that play a part in the profile; ``None`` means guessed from the names."""

    channel: tuple[str, ...] | None = None
    needs: tuple[str, ...] | None = None
    pain: tuple[str, ...] | None = None
    age: str | None = None

    def resolved(self, kinds: ColumnKinds) -> Roles:
        def pick(given, pattern, pool):
            if given is not None:
                return tuple(c for c in given if c in pool)
            return tuple(c for c in pool if pattern.search(fold_words(c).replace("_", " ")))

        labelled = kinds.categorical + kinds.multi
        age = self.age
        if age is None:
            age = next(
                (c for c in kinds.numeric if _AGE.search(fold_words(c).replace("_", " "))), None
            )
        return Roles(
            channel=pick(self.channel, _CHANNEL, labelled),
            needs=pick(self.needs, _NEEDS, labelled),
            pain=pick(self.pain, _PAIN, kinds.numeric + labelled),
            age=age,
        )


@dataclass(frozen=True)
class ValueShare:
    value: str
    share: float  # of the segment's persons
    lift: float  # share in the segment / share overall


@dataclass(frozen=True)
class NumericSummary:
    median: float | None
    mean: float | None
    overall_median: float | None
    overall_mean: float | None
    effect: float  # (segment mean − overall mean) / overall standard deviation


@dataclass
class SegmentProfile:
    name: str
    size: int
    share: float
    numeric: dict[str, NumericSummary] = field(default_factory=dict)
    categories: dict[str, list[ValueShare]] = field(default_factory=dict)
    channel_mix: list[ValueShare] = field(default_factory=list)
    channel_column: str = ""
    channel_is_multi: bool = False  # shares of persons using each channel (sum over 100 %)
    needs: list[ValueShare] = field(default_factory=list)
    topics: list[ValueShare] = field(default_factory=list)
    pain_points: list[str] = field(default_factory=list)
    traits: list[str] = field(default_factory=list)
    title: str = ""
    persona: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def profile_segments(
    persons: pl.DataFrame,
    segments: pl.Series,
    kinds: ColumnKinds,
    *,
    roles: Roles | None = None,
    top: int = 5,
    text_models: dict | None = None,
) -> list[SegmentProfile]:
    """One profile per segment, largest first; every profile carries its persona card.

    ``text_models`` are the TF-IDF models of the encoding, reused when they cover the same rows.
    """
    roles = (roles or Roles()).resolved(kinds)
    labels = segments.cast(pl.String).fill_null("(sans segment)")
    frame = persons.with_columns(labels.alias("__segment"))
    sizes = frame.group_by("__segment").len().sort(["len", "__segment"], descending=[True, False])
    n = frame.height
    profiles = {
        name: SegmentProfile(name=name, size=size, share=size / n)
        for name, size in sizes.iter_rows()
    }
    size_of = {name: p.size for name, p in profiles.items()}

    for column in kinds.numeric:
        _numeric(frame, column, profiles)
    for column in kinds.categorical:
        shares = _shares(frame.select("__segment", category_values(frame, column).alias("value")))
        _attach(profiles, column, shares, size_of, n)
    row_segment = frame.get_column("__segment")
    for column in kinds.multi:
        pairs = multi_values(frame, column)
        pairs = pairs.with_columns(row_segment.gather(pairs.get_column("row")).alias("__segment"))
        _attach(profiles, column, _shares(pairs.select("__segment", "value")), size_of, n)
    for column in kinds.text:
        model = (text_models or {}).get(column) or text_model(frame.get_column(column))
        _topics(model, row_segment, profiles, top=top)

    for index, profile in enumerate(profiles.values()):
        _channels_and_needs(profile, roles, top)
        profile.channel_is_multi = profile.channel_column in kinds.multi
        _pain_points(profile, roles)
        profile.traits = _traits(profile, roles)
        head = "; ".join(profile.traits[:2])
        profile.title = f"{profile.name} — {head}" if head else profile.name
        profile.persona = persona_card(profile, roles, index)
    return list(profiles.values())


def _numeric(frame: pl.DataFrame, column: str, profiles: dict) -> None:
    values = _as_number(frame.get_column(column))
    overall_mean, overall_median, std = values.mean(), values.median(), values.std()
    stats = (
        frame.select("__segment", values.alias("v"))
        .group_by("__segment")
        .agg(pl.col("v").median().alias("median"), pl.col("v").mean().alias("mean"))
    )
    for name, median, mean in stats.iter_rows():
        effect = 0.0
        if mean is not None and overall_mean is not None and std:
            effect = (mean - overall_mean) / std
        profiles[name].numeric[column] = NumericSummary(
            median, mean, overall_median, overall_mean, float(effect)
        )


def _shares(pairs: pl.DataFrame) -> pl.DataFrame:
    return pairs.group_by("__segment", "value").len()


def _attach(profiles: dict, column: str, counts: pl.DataFrame, size_of: dict, n: int) -> None:
    overall = dict(counts.group_by("value").agg(pl.col("len").sum()).iter_rows())
    rows = counts.sort(["__segment", "len", "value"], descending=[False, True, False])
    for name, group in rows.group_by("__segment", maintain_order=True):
        segment = name[0]
        items = []
        for _, value, count in group.iter_rows():
            share = count / size_of[segment]
            base = overall[value] / n
            items.append(ValueShare(value, share, share / base if base else 0.0))
        profiles[segment].categories[column] = items


def _topics(model, row_segment: pl.Series, profiles: dict, *, top: int) -> None:
    from scipy import sparse

    if model is None:
        return
    present = model.matrix.copy()
    present.data[:] = 1.0
    names = list(profiles)
    index = {name: i for i, name in enumerate(names)}
    rows = row_segment.replace_strict(index, return_dtype=pl.Int32).to_numpy()
    indicator = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, np.arange(len(rows)))),
        shape=(len(names), len(rows)),
    )
    counts = np.asarray((indicator @ present).todense())
    overall = counts.sum(axis=0) / len(rows)
    for i, name in enumerate(names):
        share = counts[i] / profiles[name].size
        lift = np.divide(share, overall, out=np.zeros_like(share), where=overall > 0)
        # Frequent in the segment and more frequent than elsewhere; ties by the word.
        score = share * np.log1p(np.maximum(lift - 1, 0)) + 1e-9 * share
        order = sorted(range(len(share)), key=lambda j: (-score[j], model.words[j]))
        profiles[name].topics = [
            ValueShare(model.words[j], float(share[j]), float(lift[j]))
            for j in order[: max(top * 3, 15)]
            if share[j] > 0
        ]


def _channels_and_needs(profile: SegmentProfile, roles: Roles, top: int) -> None:
    for column in roles.channel:
        if column in profile.categories:
            shown = [v for v in _meaningful(profile.categories[column]) if v.share >= 0.01]
            profile.channel_mix = shown[:top]
            profile.channel_column = column
            break
    needs = []
    for column in roles.needs:
        needs.extend(v for v in _meaningful(profile.categories.get(column, [])) if v.share >= 0.05)
    needs.sort(key=lambda v: (-v.share, v.value))
    profile.needs = needs[:top]


def _meaningful(values: list[ValueShare]) -> list[ValueShare]:
    return [v for v in values if v.value not in (MISSING, OTHER)]


def _pain_points(profile: SegmentProfile, roles: Roles) -> None:
    points = []
    for column in roles.pain:
        summary = profile.numeric.get(column)
        if summary and summary.mean is not None and summary.overall_mean:
            ratio = summary.mean / summary.overall_mean
            if ratio >= 1.2:
                points.append(
                    f"{label(column)} : {fr_number(summary.mean)} en moyenne, "
                    f"×{fr_number(ratio)} par rapport à l'ensemble"
                )
        for value in _meaningful(profile.categories.get(column, []))[:1]:
            if value.lift >= 1.2:
                points.append(f"{label(column)} : « {value.value} » ({fr_percent(value.share)})")
    for topic in profile.topics:
        stemmed = fold_words(topic.value)
        if topic.lift >= 1.0 and stemmed.startswith(PAIN_STEMS):
            points.append(
                f"demandes qui parlent de « {topic.value} » ({fr_percent(topic.share)}, "
                f"×{fr_number(topic.lift)})"
            )
    profile.pain_points = points[:6]


def _traits(profile: SegmentProfile, roles: Roles) -> list[str]:
    scored = []
    for column, values in profile.categories.items():
        for value in _meaningful(values):
            if value.share >= 0.2 and value.lift >= 1.25:
                scored.append(
                    (
                        value.share * math.log(value.lift),
                        f"{label(column)} : {value.value} ({fr_percent(value.share)}, "
                        f"×{fr_number(value.lift)})",
                    )
                )
    for column, summary in profile.numeric.items():
        if abs(summary.effect) >= 0.5 and summary.median is not None:
            word = "élevé" if summary.effect > 0 else "faible"
            scored.append(
                (
                    abs(summary.effect) * 0.35,
                    f"{label(column)} {word} : médiane {fr_number(summary.median)} "
                    f"(ensemble {fr_number(summary.overall_median)})",
                )
            )
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [text for _, text in scored[:5]]


def persona_card(profile: SegmentProfile, roles: Roles, index: int = 0) -> str:
    """The persona of a segment, in French, from its profile only."""
    first_name = PERSONA_NAMES[index % len(PERSONA_NAMES)]
    who = [first_name]
    if roles.age and roles.age in profile.numeric:
        age = profile.numeric[roles.age].median
        if age is not None:
            who.append(f"{round(age)} ans")
    for column, values in profile.categories.items():
        if column in roles.channel or column in roles.needs or column in roles.pain:
            continue
        main = _meaningful(values)
        if main and main[0].share >= 0.5 and main[0].lift >= 1.1:
            value = main[0].value
            bare = fold_words(value) in _BARE_VALUES or len(value) <= 3
            who.append(f"{label(column)} : {value}" if bare else value)
    lines = [
        f"Persona « {first_name} » — segment {profile.name}",
        ", ".join(who[:5]) + ".",
        f"{fr_percent(profile.share)} des publics ({fr_int(profile.size)} personnes).",
    ]
    if profile.traits:
        lines.append("Ce qui distingue ce segment : " + " ; ".join(profile.traits) + ".")
    if profile.channel_mix:
        head = (
            "Canaux utilisés (part des personnes)"
            if profile.channel_is_multi
            else f"Canal ({profile.channel_column})"
        )
        lines.append(f"{head} : " + _listing(profile.channel_mix) + ".")
    if profile.needs:
        lines.append("Besoins principaux : " + _listing(profile.needs) + ".")
    if profile.topics:
        words = ", ".join(f"« {t.value} »" for t in profile.topics[:5])
        lines.append(f"Sujets qui reviennent dans ses demandes : {words}.")
    if profile.pain_points:
        lines.append("Points de douleur : " + " ; ".join(profile.pain_points) + ".")
    else:
        lines.append("Points de douleur : aucun signal au-dessus de la moyenne dans les données.")
    return "\n".join(lines)


def _listing(values: list[ValueShare]) -> str:
    return ", ".join(f"{v.value} {fr_percent(v.share)}" for v in values)


def fr_int(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def fr_number(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value - round(value)) < 0.05 and (abs(value) >= 10 or value == round(value)):
        return fr_int(round(value))
    return f"{value:.1f}".replace(".", ",")


def fr_percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def label(column: str) -> str:
    """A column name as read in a sentence: ``nb_relances`` → ``nb relances``."""
    return " ".join(column.replace("_", " ").split())

"""Low-data mode of failure demand: contacts recorded for a few weeks, extrapolated to the year.

Staff record a sample of contacts (channel, reason, value or failure, see ``failure_demand``);
with the yearly volume of each channel (e.g. 51,436 calls, 76,892 e-mails), the share of each
category in the sample gives a yearly estimate, with Wilson's 95 % interval on the share and
every line of the arithmetic written out for the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import polars as pl

from relais.core.text import fold_words

FAILURE = "échec"
NO_CHANNEL = "(canal inconnu)"
Z95 = 1.959963984540054


@dataclass(frozen=True)
class ExtrapolatedLine:
    channel: str
    category: str  # a rule name, or "échec" / "valeur" for the totals of the channel
    sample_count: int
    sample_total: int  # contacts recorded on the channel
    share: float
    yearly_volume: float  # contacts a year on the channel (given, or annualised sample)
    volume_source: str  # "volume annuel fourni" or "échantillon annualisé"
    estimate: float  # yearly_volume × share
    low: float  # 95 % interval (Wilson) on the share, times the volume
    high: float
    arithmetic: str


@dataclass
class Extrapolation:
    weeks: float
    lines: list[ExtrapolatedLine] = field(default_factory=list)
    yearly_contacts: float = 0.0
    yearly_failure: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def failure_share(self) -> float:
        return self.yearly_failure / self.yearly_contacts if self.yearly_contacts else 0.0

    def text(self) -> str:
        """The arithmetic, line by line, in French."""
        out = [line.arithmetic for line in self.lines]
        out.append(
            f"Total : {_fr(self.yearly_failure)} contacts d'échec sur {_fr(self.yearly_contacts)} "
            f"par an, soit {_pct(self.failure_share)}."
        )
        return "\n".join(out + self.notes)


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion."""
    if total == 0:
        return 0.0, 0.0
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def extrapolate(
    sample: pl.DataFrame,
    *,
    weeks: float,
    yearly_volumes: dict[str, float],
    channel: str = "channel",
    category: str = "rule",
    demand: str | None = "demand",
) -> Extrapolation:
    """Estimate yearly contacts per channel and category from ``weeks`` of recorded contacts.

    For each channel: share of the category in the sample × the channel's yearly volume
    (``yearly_volumes``, e.g. 51,436 calls); a channel without a yearly volume is annualised
    from the sample (count × 52 / weeks), said so in its line. The interval is Wilson's 95 %
    interval on the share, times the volume (the volume is taken as exact).
    """
    if weeks <= 0:
        raise ValueError("le nombre de semaines relevées doit être positif.")
    for needed in (channel, category):
        if needed not in sample.columns:
            raise ValueError(f"colonne « {needed} » absente de l'échantillon.")
    volumes = {fold_words(k): (k, float(v)) for k, v in yearly_volumes.items()}
    frame = sample.with_columns(pl.col(channel).cast(pl.String).fill_null(NO_CHANNEL))
    result = Extrapolation(weeks=weeks)
    counts = frame.group_by(channel, category).len().sort([channel, category])
    totals = dict(frame.group_by(channel).len().iter_rows())
    failure_by_channel = {}
    if demand and demand in frame.columns:
        failure_by_channel = dict(
            frame.filter(pl.col(demand) == FAILURE).group_by(channel).len().iter_rows()
        )
    for name in sorted(totals):
        total = totals[name]
        given = volumes.get(fold_words(name))
        if given:
            volume, source = given[1], "volume annuel fourni"
        else:
            volume, source = total * 52 / weeks, "échantillon annualisé"
            result.notes.append(
                f"{name} : pas de volume annuel, {total} × 52 / {weeks:g} semaines = "
                f"{_fr(volume)} contacts par an (échantillon annualisé)."
            )
        result.yearly_contacts += volume
        rows = counts.filter(pl.col(channel) == name)
        for _, label, count in rows.iter_rows():
            result.lines.append(_line(name, str(label), count, total, volume, source))
        if demand and demand in frame.columns:
            failures = failure_by_channel.get(name, 0)
            line = _line(name, FAILURE, failures, total, volume, source)
            result.lines.append(line)
            result.yearly_failure += line.estimate
        coverage = total * 52 / weeks / volume if volume else 0
        if given:
            result.notes.append(
                f"{name} : {total} contacts relevés en {weeks:g} semaines, soit {_fr(total * 52 / weeks)} "
                f"par an au même rythme pour {_fr(volume)} reçus ({_pct(coverage)} relevés)."
            )
    return result


def _line(channel, label, count, total, volume, source) -> ExtrapolatedLine:
    share = count / total if total else 0.0
    low, high = wilson(count, total)
    estimate = volume * share
    arithmetic = (
        f"{channel} — {label} : {count} sur {total} contacts relevés = {_pct(share)} ; "
        f"{_fr(volume)} contacts par an ({source}) × {_pct(share)} = {_fr(estimate)} par an "
        f"(IC 95 % : {_fr(volume * low)} – {_fr(volume * high)})."
    )
    return ExtrapolatedLine(
        channel=channel,
        category=label,
        sample_count=count,
        sample_total=total,
        share=share,
        yearly_volume=volume,
        volume_source=source,
        estimate=estimate,
        low=volume * low,
        high=volume * high,
        arithmetic=arithmetic,
    )


def _pct(share: float) -> str:
    return f"{share * 100:.1f}".replace(".", ",") + " %"


def _fr(value: float) -> str:
    return f"{round(value):,}".replace(",", " ")

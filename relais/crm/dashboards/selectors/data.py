"""What a widget shows (``WidgetData``, its ``Series``) and how its figures are written."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats

EURO = "€"
CENT = Decimal("0.01")
PERCENT = "%"


# --- figures ----------------------------------------------------------------------------------


@dataclass
class Series:
    name: str
    values: list


@dataclass
class WidgetData:
    """What a widget shows, in one shape for the chart, the table alternative and the CSV.

    ``labels`` and ``series`` feed the chart (one value per label in each series); ``columns``
    and ``rows`` are the table (and the CSV), derived from them unless a widget gives its own.
    ``headline`` is the big figure of a KPI tile.
    """

    label_header: str
    labels: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    unit: str = ""
    stacked: bool = False
    headline: object = None
    headline_unit: str = ""
    headline_caption: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    numeric_columns: list[int] | None = None  # right-aligned in the table; default: all but 1st

    def __post_init__(self):
        if self.numeric_columns is None:
            self.numeric_columns = list(range(1, len(self.columns or self.series) + 1))
        if not self.columns:
            self.columns = [self.label_header, *[s.name for s in self.series]]
        if not self.rows:
            self.rows = [
                [label, *[s.values[i] for s in self.series]] for i, label in enumerate(self.labels)
            ]

    @property
    def empty(self) -> bool:
        return not any(value for s in self.series for value in s.values)

    @property
    def display_rows(self) -> list[list[str]]:
        return [[display(value, self.unit) for value in row] for row in self.rows]

    @property
    def display_headline(self) -> str:
        if self.headline is None:
            return ""
        return display(self.headline, self.headline_unit)

    def as_json(self) -> dict:
        """The chart's data for the browser (numbers as numbers)."""
        return {
            "labels": self.labels,
            "series": [
                {"name": s.name, "values": [_number(v) for v in s.values]} for s in self.series
            ],
            "unit": self.unit,
            "stacked": self.stacked,
            "headline": self.display_headline,
            "headline_caption": self.headline_caption,
            "columns": self.columns,
            "rows": self.display_rows,
            "notes": self.notes,
            "empty": self.empty,
        }


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def display(value, unit: str = "") -> str:
    """A figure as French readers write it: ``12 345,60 €``, ``42,5 %``, ``1 234``."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "" if value is None else str(value)
    if unit == EURO:
        return f"{formats.number_format(value, 2, use_l10n=True, force_grouping=True)}\u00a0{EURO}"
    if unit == PERCENT:
        return f"{formats.number_format(value, 1, use_l10n=True, force_grouping=True)}\u00a0%"
    return formats.number_format(value, 0, use_l10n=True, force_grouping=True)

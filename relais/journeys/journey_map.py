"""The journey map as plain data for the template: steps in chronological columns under their
phases, one swimlane per channel, duration bars, the emotion curve's SVG coordinates and the
pain points. No query: reads a journey loaded by ``selectors.journey_get``."""

import math
from dataclasses import dataclass, field

from relais.journeys.bpmn import ordered_steps
from relais.journeys.models import Channel, DurationUnit

COLUMN_WIDTH = 140  # SVG units per step column
CURVE_HEIGHT = 120
CURVE_MARGIN = 20


def duration_label(step) -> str:
    if step.duration_value is None:
        return "—"
    if step.duration_unit == DurationUnit.DAYS:
        return f"{step.duration_value} j"
    if step.duration_value >= 60:
        hours, minutes = divmod(step.duration_value, 60)
        return f"{hours} h {minutes:02d}" if minutes else f"{hours} h"
    return f"{step.duration_value} min"


@dataclass
class MapColumn:
    index: int
    phase: object
    step: object
    duration: str
    bar_percent: int
    x: int
    y: int


@dataclass
class JourneyMap:
    columns: list[MapColumn]
    phases: list[tuple[object, int]]
    lanes: list[tuple[str, list]]
    svg_width: int
    svg_height: int = CURVE_HEIGHT
    points: str = ""
    zero_y: int = CURVE_HEIGHT // 2
    pain_points: list = field(default_factory=list)
    total_minutes: int = 0
    total_days: int = 0

    @property
    def empty(self) -> bool:
        return not self.columns


def _y(emotion: int) -> int:
    usable = CURVE_HEIGHT - 2 * CURVE_MARGIN
    return CURVE_MARGIN + round((2 - emotion) / 4 * usable)


def journey_map(journey) -> JourneyMap:
    pairs = ordered_steps(journey)
    longest = max((step.duration_minutes or 0 for _p, step in pairs), default=0)
    columns = []
    for index, (phase, step) in enumerate(pairs):
        minutes = step.duration_minutes or 0
        # A log scale: a 10-minute call and a 30-day wait both show.
        percent = round(100 * math.log1p(minutes) / math.log1p(longest)) if longest else 0
        columns.append(
            MapColumn(
                index=index,
                phase=phase,
                step=step,
                duration=duration_label(step),
                bar_percent=max(percent, 2 if minutes else 0),
                x=index * COLUMN_WIDTH + COLUMN_WIDTH // 2,
                y=_y(step.emotion),
            )
        )
    phases = []
    for column in columns:
        if phases and phases[-1][0] is column.phase:
            phases[-1] = (column.phase, phases[-1][1] + 1)
        else:
            phases.append((column.phase, 1))
    lanes = []
    for value, label in Channel.choices:
        cells = [column.step if column.step.channel == value else None for column in columns]
        if any(cells):
            lanes.append((label, cells))
    return JourneyMap(
        columns=columns,
        phases=phases,
        lanes=lanes,
        svg_width=max(len(columns), 1) * COLUMN_WIDTH,
        points=" ".join(f"{c.x},{c.y}" for c in columns),
        zero_y=_y(0),
        pain_points=[(c, c.step.pain_point_list) for c in columns if c.step.pain_point_list],
        total_minutes=sum(
            s.duration_minutes or 0 for _p, s in pairs if s.duration_unit == DurationUnit.MINUTES
        ),
        total_days=sum(
            s.duration_value or 0 for _p, s in pairs if s.duration_unit == DurationUnit.DAYS
        ),
    )

"""Placing widgets on the twelve-column grid: the keyboard moves, and collision handling.

Pure functions over ``Box`` values, so that the rules are tested without a database. They
follow what GridStack does in the browser (with ``float: true``): a widget moved onto others
pushes them down, never sideways, and nothing overlaps afterwards.
"""

from dataclasses import dataclass

from relais.crm.models.dashboards import GRID_COLUMNS, MAX_HEIGHT, MAX_ROWS

WIDTH_STEP = 3  # "Agrandir"/"Réduire" go by quarters of the grid
MIN_WIDTH = 3
MIN_HEIGHT = 2

DIRECTIONS = ("up", "down", "left", "right", "wider", "narrower", "taller", "shorter")


@dataclass
class Box:
    key: object
    x: int
    y: int
    w: int
    h: int

    def overlaps(self, other: "Box") -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )

    def shares_columns(self, other: "Box") -> bool:
        return self.x < other.x + other.w and other.x < self.x + self.w


def first_overlap(boxes: list[Box]) -> tuple[Box, Box] | None:
    for index, box in enumerate(boxes):
        for other in boxes[index + 1 :]:
            if box.overlaps(other):
                return box, other
    return None


def settle(boxes: list[Box], first: list[Box]) -> None:
    """Keep the boxes of ``first`` where they are (in that order of precedence) and push every
    other box that collides down below what it collides with."""
    placed: list[Box] = []
    others = sorted((b for b in boxes if b not in first), key=lambda b: (b.y, b.x))
    for box in [*first, *others]:
        while True:
            hits = [p for p in placed if box.overlaps(p)]
            if not hits:
                break
            box.y = max(p.y + p.h for p in hits)
        placed.append(box)


def move(boxes: list[Box], target: Box, direction: str) -> None:
    """Apply one keyboard move to ``target`` (one of ``boxes``), then settle the others.

    Up and down swap the widget with its nearest neighbour in that direction (or shift it by
    one row when there is none); left and right shift it by its own width and put what was
    there in its former place; the four resizes change the width by quarters of the grid or
    the height by one row.
    """
    if direction not in DIRECTIONS:
        raise ValueError(direction)
    others = [b for b in boxes if b is not target]
    first = [target]
    if direction == "up":
        above = [b for b in others if b.shares_columns(target) and b.y + b.h <= target.y]
        if above:
            nearest = max(above, key=lambda b: (b.y + b.h, b.y))
            target.y = nearest.y
        else:
            target.y = max(0, target.y - 1)
    elif direction == "down":
        below = [b for b in others if b.shares_columns(target) and b.y >= target.y + target.h]
        if below:
            nearest = min(below, key=lambda b: (b.y, b.x))
            nearest.y, target.y = target.y, target.y + nearest.h
            first = [nearest, target]
        else:
            target.y = min(MAX_ROWS, target.y + 1)
    elif direction in ("left", "right"):
        old_x = target.x
        step = -target.w if direction == "left" else target.w
        target.x = min(max(0, target.x + step), GRID_COLUMNS - target.w)
        for other in others:
            if other.overlaps(target):
                other.x = min(old_x, GRID_COLUMNS - other.w)
    elif direction in ("wider", "narrower"):
        if direction == "wider":
            target.w = min(GRID_COLUMNS, (target.w // WIDTH_STEP + 1) * WIDTH_STEP)
        else:
            target.w = max(MIN_WIDTH, -(-target.w // WIDTH_STEP) * WIDTH_STEP - WIDTH_STEP)
        target.x = min(target.x, GRID_COLUMNS - target.w)
    elif direction == "taller":
        target.h = min(MAX_HEIGHT, target.h + 1)
    else:
        target.h = max(MIN_HEIGHT, target.h - 1)
    settle(boxes, first)

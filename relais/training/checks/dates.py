"""Dates as trainers and learners type them, read the French way."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from relais.core.text import fold

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %m %Y")
_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}  # fmt: skip
_TODAY_WORDS = ("$today", "aujourd'hui", "aujourdhui")


def parse_date(text: str) -> datetime.date | None:
    """A date typed by a French learner: 15/06/2025, 2025-06-15, 15 juin 2025, 1er juin 2025."""
    # Folded (core's ``fold``: case and accents) with its runs of spaces made one.
    text = " ".join(fold(text).split()).replace("1er", "1")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    match = re.fullmatch(r"(?:[a-z]+ )?(\d{1,2}) ([a-z]+) (\d{4})", text)
    if match and match.group(2) in _MONTHS:
        try:
            return datetime.date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
        except ValueError:
            return None
    return None


def today_or_date(value: str) -> datetime.date | None:
    """``parse_date``, or today for « $today » / « aujourd'hui »."""
    if value.strip().lower() in _TODAY_WORDS:
        return timezone.localdate()
    return parse_date(value)

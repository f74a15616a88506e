"""How the journey pages write figures and read the one-per-line fields."""

import pytest

from relais.journeys.models import Step
from relais.journeys.templatetags.journeys_tags import seconds, share


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "—"), (0, "0\u00a0%"), (0.8, "80\u00a0%"), (0.054, "5,4\u00a0%"), (1, "100\u00a0%")],
    ids=["none", "zero", "eighty", "small", "all"],
)
def test_share(value, expected):
    assert share(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "—"),
        (42, "42\u00a0s"),
        (720, "12\u00a0min"),
        (3 * 3600 + 300, "3\u00a0h\u00a005"),
        (2.5 * 86400, "2,5\u00a0j"),
        (-90, "-2\u00a0min"),
    ],
    ids=["none", "seconds", "minutes", "hours", "days", "negative-wait"],
)
def test_seconds(value, expected):
    assert seconds(value) == expected


def test_lines_drop_bullets_and_blanks_but_keep_signs():
    text = "- Attente\n\n• Courrier peu clair\n-2 jours de délai\n  * Relances  \n"
    assert Step.lines(text) == ["Attente", "Courrier peu clair", "-2 jours de délai", "Relances"]

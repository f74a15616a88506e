"""Figures of the journey pages written the French way."""

from django import template

register = template.Library()


@register.filter
def share(value) -> str:
    """0.8 → « 80 % » (one decimal under 10 %); ``None`` → « — »."""
    if value is None:
        return "—"
    percent = value * 100
    text = f"{percent:.1f}" if 0 < abs(percent) < 10 else f"{percent:.0f}"
    return text.replace(".", ",") + "\u00a0%"


@register.filter
def seconds(value) -> str:
    """A duration in seconds, readable: « 45 s », « 12 min », « 3 h 05 », « 2,5 j »."""
    if value is None:
        return "—"
    value = float(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value < 60:
        text = f"{value:.0f}\u00a0s"
    elif value < 3600:
        text = f"{value / 60:.0f}\u00a0min"
    elif value < 86400:
        hours, rest = divmod(round(value / 60), 60)
        text = f"{hours}\u00a0h\u00a0{rest:02d}"
    else:
        text = f"{value / 86400:.1f}".replace(".", ",") + "\u00a0j"
    return sign + text

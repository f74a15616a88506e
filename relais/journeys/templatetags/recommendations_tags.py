"""Figures of the recommendation and deliverable pages, written the French way."""

from django import template

register = template.Library()


@register.filter
def num(value, digits=0) -> str:
    """1234.5 → « 1 234 » (``|num:1`` → « 1 234,5 »); ``None`` → « — »."""
    if value is None or value == "":
        return "—"
    text = f"{float(value):,.{int(digits)}f}"
    return text.replace(",", "\u202f").replace(".", ",")


@register.filter
def signed(value, digits=0) -> str:
    """A change: « +3 », « −1,5 », « 0 »."""
    if value is None:
        return "—"
    value = float(value)
    text = num(abs(value), digits)
    if round(value, int(digits)) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    return num(float(value) * 100) + "\u00a0%"


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key, key)

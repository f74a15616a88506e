"""The registry of interaction event codes: what happened, in words that never change.

An event code (``crm.invoice.issued``, ``community.answer.posted``) names a kind of touchpoint
whatever the language of the person who recorded it; the display text stays in ``topic``.
Each app registers its codes from its ``AppConfig.ready()``, with the outcome codes its rows
may carry, and core never names an app::

    register_event_codes(
        "crm",
        {"crm.invoice.issued": _("Facture émise")},
        outcomes={"apv": _("Après-vente (APV)")},
    )

Outcome codes belong to the app of the event code: ``outcome_label("apv",
event_code="crm.invoice.issued")`` reads the ``crm`` table.
"""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Core's own codes: a touchpoint recorded with no more precise kind (rows of the first log).
RECORDED = "core.interaction.recorded"
CORE_EVENT_CODES = {RECORDED: _("Interaction enregistrée")}

_EVENT_CODES: dict[str, tuple[str, str]] = {}  # code -> (app_label, label)
_OUTCOMES: dict[str, dict[str, str]] = {}  # app_label -> {outcome code: label}


def _register(app_label: str, code: str, label, table: dict, what: str) -> None:
    previous = table.get(code)
    if previous is not None and previous != (app_label, label):
        raise ImproperlyConfigured(f"The {what} {code!r} is already registered.")
    table[code] = (app_label, label)


def register_event_codes(
    app_label: str, codes: Mapping[str, str], *, outcomes: Mapping[str, str] | None = None
) -> None:
    """Register ``app_label``'s event codes (``{code: display label}``) and outcome codes.

    Every event code starts with ``app_label.`` and is registered once: a code already held
    (by another app, or with another label) is refused with ``ImproperlyConfigured``. Calling
    again with the very same codes changes nothing, since Django may run ``ready()`` twice.
    """
    if not app_label or "." in app_label:
        raise ImproperlyConfigured(f"Invalid app label for event codes: {app_label!r}")
    for code in codes:
        rest = code.removeprefix(f"{app_label}.")
        if rest == code or not rest or any(not part for part in rest.split(".")):
            raise ImproperlyConfigured(f"Event code {code!r} must start with {app_label!r}.")
        if code != code.strip().lower() or " " in code:
            raise ImproperlyConfigured(f"Event code {code!r} must be lower case, without spaces.")
    for code, label in codes.items():
        _register(app_label, code, label, _EVENT_CODES, "event code")
    if outcomes:
        table = _OUTCOMES.setdefault(app_label, {})
        for code, label in outcomes.items():
            if table.get(code, label) != label:
                raise ImproperlyConfigured(f"The outcome {code!r} of {app_label} is registered.")
            table[code] = label


def is_event_code(code: str) -> bool:
    """Whether ``code`` is registered."""
    return code in _EVENT_CODES


def event_codes() -> dict[str, str]:
    """Every registered code with its display label, sorted by code."""
    return {code: _EVENT_CODES[code][1] for code in sorted(_EVENT_CODES)}


def event_label(code: str) -> str:
    """The display label of ``code`` in the active language; an unknown code as it is."""
    entry = _EVENT_CODES.get(code)
    return str(entry[1]) if entry else code


def outcome_label(outcome: str, *, event_code: str) -> str:
    """The display label of ``outcome`` for a row of ``event_code``; an unregistered outcome
    (free text) as it is."""
    entry = _EVENT_CODES.get(event_code)
    app_label = entry[0] if entry else event_code.partition(".")[0]
    label = _OUTCOMES.get(app_label, {}).get(outcome)
    return str(label) if label is not None else outcome

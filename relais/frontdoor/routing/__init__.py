"""Explained routing of the front door's requests (issue 10, point 4) and detection of critical
events (point 8): a pure engine, no database.

``route(text, *, model=None) -> RoutingDecision`` gives the competent bodies best first with a
calibrated probability, a confidence, whether to leave the decision to the dispatcher
(``abstain``), the critical events detected and an explanation; ``explanation_text`` says it in
French. ``train_model([(text, [codes]), …])`` retrains with confirmed routings. Rules, the
critical-event catalogue and the training questions are data files in ``data/``.
"""

from .engine import RoutingDecision, decide, explanation_text, route, route_many
from .model import (
    Example,
    Model,
    Params,
    default_model,
    load_model,
    read_examples,
    save_model,
    stems_of,
    train,
    train_model,
)
from .rules import ChecklistStep, CriticalEvent, load_catalogue, load_rules

__all__ = [
    "ChecklistStep",
    "CriticalEvent",
    "Example",
    "Model",
    "Params",
    "bodies",
    "RoutingDecision",
    "critical_event",
    "critical_events",
    "decide",
    "default_model",
    "explanation_text",
    "load_catalogue",
    "load_model",
    "load_rules",
    "read_examples",
    "route",
    "route_many",
    "save_model",
    "stems_of",
    "train",
    "train_model",
]


def bodies() -> list[tuple[str, str, str]]:
    """The bodies of the rules: ``(code, name, description)``, in the rules' order."""
    return [(body.code, body.name, body.description) for body in load_rules().bodies]


def critical_events() -> tuple[CriticalEvent, ...]:
    """The catalogue of critical events (for the form's choice and the alerts)."""
    return load_catalogue().events


def critical_event(code: str) -> CriticalEvent:
    """One critical event of the catalogue by its code (``KeyError`` if unknown)."""
    return load_catalogue().get(code)

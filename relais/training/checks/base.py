"""The registry of exercise check types, and what every type shares.

A check type is a small class (Wagtail's action classes are the model): ``validate`` turns a
trainer's raw check into its normalised form or raises ``CheckError`` in French, ``grade``
runs it on a learner's sandbox, ``describe`` says in French how it scores, for the trainer's
preview. Each type names the fields of the trainers' form it uses, so the form offers every
registered type without knowing any of them. Adding a type means writing a class and
decorating it with ``@register``; the grading loop never names a type.

Target kinds (what record an exercise draws for each learner) are registered the same way
when they are not a plain customer query (the sales exercises' target area).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_NUMBER = 100_000


class CheckError(ValueError):
    """A check that is not valid (French message)."""


class TargetKindMismatch(CheckError):
    """A check whose type needs another target kind than the exercise's (French message)."""


@dataclass(frozen=True)
class Verdict:
    """One check's grade: ``earned`` points (None: all or nothing on ``ok``), and why."""

    ok: bool
    message: str
    earned: int | None = None


@dataclass
class GradingContext:
    """What every check of one grading sees: the sandbox, the learner's target record (a
    customer, a lead, an area code or None), when the exercise started, the typed answer,
    and a cache the checks of one grading share (an expected set, a chosen campaign)."""

    workspace: object
    target: dict
    record: object
    since: object
    answer: str = ""
    placeholders: dict = field(default_factory=dict)  # {cible}, {depuis}
    cache: dict = field(default_factory=dict)

    def fill(self, text: str) -> str:
        """A trainer's text with its placeholders filled in (``fill_placeholders``)."""
        return fill_placeholders(text, self.placeholders)


# « de » before a vowel or a mute h is elided: « d'Andrée », « d'Hélène » (never « de Andrée »).
_ELIDABLE = re.compile(r"(?i)^[aeiouyhàâäéèêëîïôöùûü]")


def fill_placeholders(text: str, placeholders: dict) -> str:
    """``text`` with each ``{name}`` replaced by its value, « de {cible} » elided as French
    writes it when the value starts with a vowel or a mute h."""
    for key, value in placeholders.items():
        placeholder = "{" + key + "}"
        if _ELIDABLE.match(value or ""):
            text = text.replace("de " + placeholder, "d'" + value)
            text = text.replace("De " + placeholder, "D'" + value)
        text = text.replace(placeholder, value)
    return text


class CheckType:
    """A kind of check. Subclasses set ``name`` and ``label`` and implement the three verbs."""

    name: str = ""
    label: str = ""
    # Fields of the trainers' check form this type reads (see ``relais.training.forms``).
    form_fields: tuple[str, ...] = ()
    # The form field a trainer must fill for this type, and the French message if not.
    form_required: tuple[str, str] | None = None
    # The exercise target kind this type needs ("" when any target, or none, will do).
    target_kind: str = ""
    # False: this type is graded all or nothing; True: ``Verdict.earned`` gives partial credit.
    partial_credit: bool = False

    def validate(self, check: dict, out: dict) -> dict:
        """Complete ``out`` (type, label, points, missing already set) from the raw ``check``;
        raise ``CheckError`` with a French message when something is not allowed."""
        raise NotImplementedError

    def grade(self, check: dict, context: GradingContext) -> Verdict:
        """Grade one validated ``check`` on the learner's sandbox."""
        raise NotImplementedError

    def describe(self, check: dict) -> str:
        """How a validated ``check`` is scored, in French, for the trainer's preview."""
        raise NotImplementedError

    def from_form(self, data: dict) -> dict:
        """The raw check fields of this type from the trainers' form's cleaned data."""
        return {}

    def form_initial(self, check: dict) -> dict:
        """The trainers' form's initial data for a stored check of this type."""
        return {}


_CHECK_TYPES: dict[str, CheckType] = {}


def register(cls: type[CheckType]) -> type[CheckType]:
    """Class decorator: make ``cls`` a check type known to validation, grading and the form."""
    if not cls.name or cls.name in _CHECK_TYPES:
        raise ValueError(f"check type {cls.name!r} has no name or is already registered")
    _CHECK_TYPES[cls.name] = cls()
    return cls


def check_type(name) -> CheckType:
    """The registered type called ``name``, or ``CheckError`` in French."""
    try:
        return _CHECK_TYPES[name]
    except (KeyError, TypeError):
        raise CheckError(_("Type de vérification inconnu : %(t)s.") % {"t": name}) from None


def check_types() -> list[CheckType]:
    """Every registered type, in registration order (the form's order)."""
    return list(_CHECK_TYPES.values())


def as_int(value, name: str, *, allow_none: bool = True) -> int | None:
    """A whole number between 0 and 100,000 typed by a trainer, or ``CheckError``."""
    if value in (None, ""):
        if allow_none:
            return None
        raise CheckError(_("« %(name)s » est obligatoire.") % {"name": name})
    if isinstance(value, bool):  # JSON true is not a number of points
        raise CheckError(_("« %(name)s » doit être un nombre entier.") % {"name": name})
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise CheckError(_("« %(name)s » doit être un nombre entier.") % {"name": name}) from None
    if number < 0 or number > MAX_NUMBER:
        raise CheckError(_("« %(name)s » doit être compris entre 0 et 100 000.") % {"name": name})
    return number


# -- target kinds that are not a customer query -------------------------------------------------


@dataclass(frozen=True)
class TargetKind:
    """A target an exercise draws per sandbox by its own rule. ``pick(workspace, salt)``
    returns the target dict (``{}`` when none), whose ``kind`` is ``stored_as``;
    ``resolve(target, workspace)`` the record, or None when it no longer exists; ``missing``
    the French message when it is gone (``%(c)s``: the target's label)."""

    name: str
    stored_as: str
    label: str
    pick: Callable
    resolve: Callable
    missing: str


_TARGET_KINDS: dict[str, TargetKind] = {}


def register_target_kind(kind: TargetKind) -> None:
    _TARGET_KINDS[kind.name] = kind


def target_kind(name) -> TargetKind | None:
    return _TARGET_KINDS.get(name)


def registered_target_kinds() -> list[TargetKind]:
    return list(_TARGET_KINDS.values())


def target_kind_stored_as(stored_as) -> TargetKind | None:
    """The registered kind whose targets are stored with ``kind`` == ``stored_as``."""
    return next((k for k in _TARGET_KINDS.values() if k.stored_as == stored_as), None)

"""Rule-based segments: an ordered list of named conditions, the first that matches wins.

Rules are data an analyst edits, in two equivalent forms:

* text, one rule per line — ``Nom du segment : condition et condition …``::

      Jeunes plasticiens : age < 30 et branche = "Arts graphiques et plastiques"
      Sans compte en ligne : compte_en_ligne = non
      Relanceurs : canaux contient telephone et nb_contacts >= 5
      Autres : *

  Operators: ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``dans [a, "b c"]``, ``hors [..]``,
  ``contient`` (a piece of text, or one value of a multi-valued column such as
  ``courriel|telephone``), ``est vide``, ``n'est pas vide``; ``*`` matches everyone. Text is
  compared without case or accents (``Ile-de-France`` = ``Île-de-France``). A value with spaces
  or with the word « et » is written between quotes. Lines starting with ``#`` are comments; the
  same name on several lines means « or ».
* JSON — ``[{"name": "…", "when": [{"column": "age", "op": "<", "value": 30}]}]``.

Evaluation is one vectorised Polars expression, so rules cost nothing at national scale.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from relais.core.text import fold

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "dans", "hors", "contient", "vide", "non vide")
_COMPARISONS = {"<", "<=", ">", ">="}
_OP_WORDS = {
    "est vide": "vide",
    "n'est pas vide": "non vide",
    "n’est pas vide": "non vide",
    "non vide": "non vide",
    "vide": "vide",
}
_CONDITION = re.compile(
    r"""^\s*(?P<column>"[^"]+"|`[^`]+`|[^\s=!<>]+)\s*
        (?P<op><=|>=|!=|=|<|>|\bdans\b|\bhors\b|\bcontient\b|n['’]est\s+pas\s+vide|est\s+vide|non\s+vide)
        \s*(?P<value>.*?)\s*$""",
    re.VERBOSE | re.IGNORECASE,
)


class RuleError(ValueError):
    """A rule that cannot be read or applied; the message is in French and names the line."""


@dataclass(frozen=True)
class Condition:
    column: str
    op: str
    value: object = None

    def __post_init__(self):
        if self.op not in OPERATORS:
            raise RuleError(f"opérateur inconnu « {self.op} » (attendus : {', '.join(OPERATORS)}).")


@dataclass(frozen=True)
class Rule:
    """Persons matching every condition (none: everyone) belong to segment ``name``."""

    name: str
    conditions: tuple[Condition, ...] = field(default_factory=tuple)

    @classmethod
    def from_dict(cls, data: dict) -> Rule:
        if not isinstance(data, dict) or not str(data.get("name", "")).strip():
            raise RuleError("chaque règle doit avoir un nom (« name »).")
        conditions = []
        for item in data.get("when") or []:
            if not isinstance(item, dict) or "column" not in item or "op" not in item:
                raise RuleError(
                    f"règle « {data['name']} » : chaque condition a « column » et « op »."
                )
            conditions.append(Condition(str(item["column"]), str(item["op"]), item.get("value")))
        return cls(str(data["name"]).strip(), tuple(conditions))

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "when": [{"column": c.column, "op": c.op, "value": c.value} for c in self.conditions],
        }


def parse_rules(source: str) -> list[Rule]:
    """Rules from their text form or their JSON form (a list of objects)."""
    stripped = source.strip()
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise RuleError(f"JSON illisible ligne {exc.lineno} : {exc.msg}.") from None
        if not isinstance(data, list):
            raise RuleError("le JSON des règles doit être une liste.")
        return [Rule.from_dict(item) for item in data]
    rules = []
    for number, line in enumerate(source.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line[0] in "\"'" and line.find(line[0], 1) > 0:
            # A quoted name may hold a colon: « "Seniors : 65 ans et plus" : age >= 65 ».
            end = line.find(line[0], 1)
            rest = line[end + 1 :].lstrip()
            name, sep, body = line[: end + 1], rest[:1], rest[1:]
            sep = sep if sep == ":" else ""
        else:
            name, sep, body = line.partition(":")
        if not sep or not name.strip():
            raise RuleError(f"ligne {number} : « nom : conditions » attendu.")
        body, name = body.strip(), _unquoted(name.strip())
        if body in ("*", ""):
            rules.append(Rule(name, ()))
            continue
        conditions = tuple(
            _parse_condition(part, number) for part in _split_outside_quotes(body, " et ")
        )
        rules.append(Rule(name, conditions))
    if not rules:
        raise RuleError("aucune règle.")
    return rules


def _unquoted(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].strip()
    return text


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts, current, quote, depth, i = [], [], "", 0, 0
    lowered = text.lower()
    while i < len(text):
        char = text[i]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'`" and (i == 0 or not text[i - 1].isalnum()):
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0 and lowered.startswith(separator, i):
            parts.append("".join(current))
            current, i = [], i + len(separator)
            continue
        current.append(char)
        i += 1
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _parse_condition(text: str, number: int) -> Condition:
    match = _CONDITION.match(text)
    if not match:
        raise RuleError(f"ligne {number} : condition illisible « {text} ».")
    column = match["column"].strip('"`')
    op = re.sub(r"\s+", " ", match["op"].lower())
    op = _OP_WORDS.get(op, op)
    raw = match["value"]
    if op in ("vide", "non vide"):
        if raw:
            raise RuleError(f"ligne {number} : « {op} » n'attend pas de valeur.")
        return Condition(column, op)
    if not raw:
        raise RuleError(f"ligne {number} : valeur manquante après « {match['op']} ».")
    if op in ("dans", "hors"):
        if not (raw.startswith("[") and raw.endswith("]")):
            raise RuleError(f"ligne {number} : « {op} » attend une liste [a, b].")
        items = _split_outside_quotes(raw[1:-1], ",")
        return Condition(column, op, [_literal(item) for item in items])
    return Condition(column, op, _literal(raw))


def _literal(raw: str):
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return raw


def _folded(frame: pl.DataFrame, column: str) -> pl.Expr:
    # Folding goes through the one helper (relais.core.text.fold), on distinct values only.
    values = frame.get_column(column).cast(pl.String).drop_nulls().unique().to_list()
    mapping = {v: fold(v).strip() for v in values}
    return pl.col(column).cast(pl.String).replace_strict(mapping, default=None)


def _condition_expr(frame: pl.DataFrame, condition: Condition) -> pl.Expr:
    column, op, value = condition.column, condition.op, condition.value
    if column not in frame.columns:
        raise RuleError(f"la règle cite la colonne « {column} », absente des données.")
    dtype = frame.schema[column]
    raw = pl.col(column)
    if op == "vide":
        return raw.is_null() | (raw.cast(pl.String).str.strip_chars() == "")
    if op == "non vide":
        return raw.is_not_null() & (raw.cast(pl.String).str.strip_chars() != "")
    numeric = dtype.is_numeric()
    if op in _COMPARISONS or (numeric and op in ("=", "!=")):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise RuleError(
                f"« {column} {op} {value} » : un nombre est attendu pour comparer."
            ) from None
        target = raw.cast(pl.Float64, strict=False)
        comparisons = {
            "<": target < number,
            "<=": target <= number,
            ">": target > number,
            ">=": target >= number,
            "=": target == number,
            "!=": target != number,
        }
        return comparisons[op].fill_null(False)
    text = _folded(frame, column)
    if op in ("dans", "hors"):
        items = [fold(str(v)).strip() for v in (value if isinstance(value, list) else [value])]
        found = text.is_in(items).fill_null(False)
        return found if op == "dans" else ~found
    target = fold(str(value)).strip()
    if op == "contient":
        return text.str.contains(target, literal=True).fill_null(False)
    if op == "=":
        return (text == target).fill_null(False)
    return (text != target).fill_null(True)


def apply_rules(frame: pl.DataFrame, rules: Iterable[Rule]) -> pl.Series:
    """The segment of every row: the name of the first matching rule, null when none matches."""
    rules = list(rules)
    if not rules:
        return pl.Series("segment", [None] * frame.height, dtype=pl.String)
    expr = None
    for rule in rules:
        condition = pl.lit(True)
        for item in rule.conditions:
            condition = condition & _condition_expr(frame, item)
        expr = (pl.when(condition) if expr is None else expr.when(condition)).then(
            pl.lit(rule.name)
        )
    # ``with_columns`` broadcasts a rule without conditions (a literal) to every row.
    expr = expr.otherwise(pl.lit(None, dtype=pl.String)).alias("__rule_segment")
    return frame.with_columns(expr).get_column("__rule_segment").alias("segment")

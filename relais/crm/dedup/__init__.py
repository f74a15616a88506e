"""De-duplication of contacts: blocking, fuzzy comparison, Fellegi–Sunter scoring with
explanations. See ``docs/dedup.md``."""

from relais.crm.dedup.engine import (
    FIELDS,
    FieldComparison,
    Pair,
    explain_pair,
    find_duplicates,
    prepare,
)
from relais.crm.dedup.weights import DECISION, SURE, Weights

__all__ = [
    "DECISION",
    "FIELDS",
    "SURE",
    "FieldComparison",
    "Pair",
    "Weights",
    "explain_pair",
    "find_duplicates",
    "prepare",
]

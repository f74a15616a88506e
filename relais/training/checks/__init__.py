"""Exercise check types: a registry of small classes (see ``relais.training.checks.base``).

The built-in types register here, in the order the trainers' form offers them: records that
exist (count), the learner's typed answer, then the sales tools (segment, campaign, merges).
"""

from relais.training.checks.answers import AnswerCheck
from relais.training.checks.base import (
    CheckError,
    CheckType,
    GradingContext,
    TargetKindMismatch,
    Verdict,
    check_type,
    check_types,
    fill_placeholders,
    register,
    registered_target_kinds,
    target_kind,
    target_kind_stored_as,
)
from relais.training.checks.records import CountCheck
from relais.training.checks.sales import CampaignCheck, MergesCheck, SegmentCheck

for _check in (CountCheck, AnswerCheck, SegmentCheck, CampaignCheck, MergesCheck):
    register(_check)

__all__ = [
    "CheckError",
    "CheckType",
    "GradingContext",
    "TargetKindMismatch",
    "Verdict",
    "check_type",
    "check_types",
    "fill_placeholders",
    "register",
    "registered_target_kinds",
    "target_kind",
    "target_kind_stored_as",
]

"""The check language of exercises, and the engine that runs it on a learner's sandbox.

An exercise's ``checks`` is a JSON list of checks, each ``{"type": …, "points": …,
"label": …}`` plus the fields of its type. The types are a registry of small classes
(``relais.training.checks``: count, answer, segment, campaign, merges); this module
validates a list of checks, draws each learner's target, and runs the grading loop without
naming any type.

``label``/``missing`` may use ``{cible}`` (the target's name) and ``{depuis}`` (the day the
exercise was started).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.crm.models import Customer, CustomerKind, InvoiceKind, Lead, LeadStatus, Vehicle
from relais.training.checks import (
    CheckError,
    GradingContext,
    TargetKindMismatch,
    check_type,
    fill_placeholders,
    registered_target_kinds,
    target_kind,
    target_kind_stored_as,
)
from relais.training.checks.answers import ANSWERS, next_service_date
from relais.training.checks.base import as_int
from relais.training.checks.dates import parse_date
from relais.training.checks.records import ENTITIES, OPERATORS

__all__ = [
    "ANSWERS",
    "ENTITIES",
    "MAX_CHECKS",
    "OPERATORS",
    "CheckError",
    "Outcome",
    "TargetKindMismatch",
    "grade",
    "parse_date",
    "render_instructions",
    "target_kinds",
    "target_pick",
    "target_record",
    "validate_check",
    "validate_checks",
]

# Targets drawn among a sandbox's customers or leads (others register in ``checks``).
TARGET_KINDS = {
    "customer": gettext_lazy("un client particulier"),
    "customer_with_vehicle": gettext_lazy("un client particulier ayant un véhicule immatriculé"),
    "customer_with_visits": gettext_lazy("un client ayant au moins deux passages en après-vente"),
    "prospect": gettext_lazy("un prospect (sans facture)"),
    "open_lead": gettext_lazy("un lead non traité"),
}

MAX_CHECKS = 20
LABEL_LENGTH = 300


def target_kinds() -> dict:
    """Every target kind an exercise may draw, kind -> French description."""
    return {**TARGET_KINDS, **{k.name: k.label for k in registered_target_kinds()}}


# -- validation -------------------------------------------------------------------------------


def validate_check(check, *, exercise_target_kind: str | None = None) -> dict:
    """Return a normalised copy of ``check`` or raise ``CheckError`` (French message).

    With ``exercise_target_kind``, also refuse a check whose type needs another target.
    """
    if not isinstance(check, dict):
        raise CheckError(_("Chaque vérification doit être un objet."))
    kind = check_type(check.get("type", "count"))
    out = {
        "type": kind.name,
        "label": str(check.get("label", ""))[:LABEL_LENGTH],
        "points": as_int(check.get("points", 1), "points", allow_none=False),
    }
    if check.get("missing"):
        out["missing"] = str(check["missing"])[:LABEL_LENGTH]
    out = kind.validate(check, out)
    if (
        exercise_target_kind is not None
        and kind.target_kind
        and exercise_target_kind != kind.target_kind
    ):
        raise TargetKindMismatch(
            _("Une vérification « %(t)s » demande la cible « %(k)s » pour l'exercice.")
            % {"t": kind.label, "k": target_kinds()[kind.target_kind]}
        )
    return out


def validate_checks(checks, *, exercise_target_kind: str | None = None) -> list[dict]:
    """Validate every check of an exercise (at least one, at most ``MAX_CHECKS``)."""
    if not isinstance(checks, list) or not checks:
        raise CheckError(_("Un exercice a besoin d'au moins une vérification."))
    if len(checks) > MAX_CHECKS:
        raise CheckError(_("Pas plus de %(n)d vérifications.") % {"n": MAX_CHECKS})
    return [validate_check(c, exercise_target_kind=exercise_target_kind) for c in checks]


def describe(check: dict) -> str:
    """How a validated check scores, in French, for the trainer's preview."""
    return check_type(check.get("type", "count")).describe(check)


# -- targets ----------------------------------------------------------------------------------


def _target_candidates(kind: str, workspace):
    customers = Customer.objects.in_workspace(workspace).select_related("person", "company")
    if kind == "customer":
        return customers.filter(kind=CustomerKind.INDIVIDUAL)
    if kind == "customer_with_vehicle":
        ids = Vehicle.objects.in_workspace(workspace).exclude(plate="").values("customer_id")
        return customers.filter(kind=CustomerKind.INDIVIDUAL, pk__in=ids)
    if kind == "customer_with_visits":
        return customers.annotate(
            visits=Count("invoices", filter=Q(invoices__kind=InvoiceKind.AFTER_SALES))
        ).filter(visits__gte=2)
    if kind == "prospect":
        return customers.filter(kind=CustomerKind.INDIVIDUAL, status="prospect")
    if kind == "open_lead":
        return Lead.objects.in_workspace(workspace).filter(
            customer__isnull=True, status__in=[LeadStatus.NEW, LeadStatus.CONTACTED]
        )
    raise CheckError(_("Type de cible inconnu : %(k)s.") % {"k": kind})


def target_pick(*, kind: str, workspace, salt: str) -> dict:
    """Pick one record of ``workspace`` for an exercise, the same one for the same ``salt``.

    Returns ``{}`` when the sandbox holds no suitable record.
    """
    registered = target_kind(kind)
    if registered is not None:
        return registered.pick(workspace, salt)
    queryset = _target_candidates(kind, workspace)
    candidates = list(queryset.order_by("pk").values_list("pk", flat=True))
    if not candidates:
        return {}
    start = int(hashlib.sha256(salt.encode()).hexdigest(), 16) % len(candidates)
    record = None
    for offset in range(len(candidates)):
        candidate = queryset.get(pk=candidates[(start + offset) % len(candidates)])
        # Two visits on the same day give no interval: walk on to a customer who has one.
        if kind != "customer_with_visits" or next_service_date(candidate) is not None:
            record = candidate
            break
    if record is None:
        return {}
    model = "lead" if kind == "open_lead" else "customer"
    return {"kind": model, "id": str(record.public_id), "label": _label(record)}


def _label(record) -> str:
    if isinstance(record, Lead):
        return " ".join(p for p in (record.first_name, record.last_name.upper()) if p)
    return record.display_name


def target_record(target: dict, workspace):
    """The record ``target`` names in ``workspace`` (None when it no longer exists)."""
    if not target:
        return None
    registered = target_kind_stored_as(target.get("kind"))
    if registered is not None:
        return registered.resolve(target, workspace)
    model = Lead if target.get("kind") == "lead" else Customer
    return model.objects.in_workspace(workspace).filter(public_id=target.get("id")).first()


def _target_missing_message(target: dict, label: str) -> str:
    registered = target_kind_stored_as(target.get("kind"))
    template = registered.missing if registered else None
    template = template or _("La fiche cible (%(c)s) n'existe plus dans votre base.")
    return str(template) % {"c": label}


# -- grading ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    score: int
    max_score: int
    feedback: list  # [{"label", "ok", "points", "earned", "message"}]

    @property
    def passed(self) -> bool:
        return self.max_score > 0 and self.score == self.max_score


def _placeholders(target: dict, since, *, empty_target: str = "") -> dict:
    return {
        "cible": (target or {}).get("label", "") or empty_target,
        "depuis": timezone.localtime(since).strftime("%d/%m/%Y") if since else "",
    }


# Kept under its old name: the tests of elision import it from here.
_fmt = fill_placeholders


def grade(*, checks: list, workspace, target: dict, since, answer: str = "") -> Outcome:
    """Run ``checks`` on ``workspace`` and say, per check, what is done and what is missing."""
    record = target_record(target, workspace)
    context = GradingContext(
        workspace=workspace,
        target=target or {},
        record=record,
        since=since,
        answer=answer,
        placeholders=_placeholders(target, since),
    )
    score = max_score = 0
    feedback = []
    for raw in checks:
        check = validate_check(raw)
        points = check["points"]
        max_score += points
        if target and record is None:
            ok, message, earned = (
                False,
                _target_missing_message(target, context.placeholders["cible"]),
                0,
            )
        else:
            verdict = check_type(check["type"]).grade(check, context)
            ok, message = verdict.ok, verdict.message
            # Partial credit where the type gives it; otherwise all or nothing.
            earned = verdict.earned if verdict.earned is not None else (points if ok else 0)
        score += earned
        feedback.append(
            {
                "label": context.fill(check["label"]),
                "ok": ok,
                "points": points,
                "earned": earned,
                "message": message,
            }
        )
    return Outcome(score=score, max_score=max_score, feedback=feedback)


def render_instructions(text: str, *, target: dict, since) -> str:
    """An exercise's instructions for one learner: ``{cible}`` and ``{depuis}`` filled in."""
    return fill_placeholders(
        text, _placeholders(target, since, empty_target=_("(aucune fiche disponible)"))
    )

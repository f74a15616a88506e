"""The **answer** check: the learner types a value that the sandbox must confirm.

``{"type": "answer", "compute": "next_service_date", "points": 2, "label": "…"}``: the
learner's typed answer must equal a value computed from the sandbox for the exercise's target
(dates, plates and text compared format-tolerantly).
"""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.text import fold
from relais.crm.models import Invoice, InvoiceKind, Lead, Vehicle
from relais.crm.selectors import visit_frequency
from relais.training.checks.base import CheckError, CheckType, GradingContext, Verdict
from relais.training.checks.dates import parse_date

ANSWERS = {
    "next_service_date": gettext_lazy("date du prochain entretien prévu de la cible"),
    "vehicle_plate": gettext_lazy("immatriculation d'un véhicule de la cible"),
    "postal_code": gettext_lazy("code postal de la cible"),
    "vehicle_count": gettext_lazy("nombre de véhicules de la cible"),
}
# How much of a wrong answer the feedback repeats.
_ECHO_LENGTH = 60


def next_service_date(customer) -> datetime.date | None:
    """When the customer's after-sales visits say the next one is due (None: no interval)."""
    visits = list(
        Invoice.objects.filter(
            customer=customer, kind=InvoiceKind.AFTER_SALES, workspace_id=customer.workspace_id
        ).values_list("issued_on", flat=True)
    )
    return visit_frequency(visits).next_expected_visit


def _plates(customer) -> list[str]:
    return [
        p for p in Vehicle.objects.filter(customer=customer).values_list("plate", flat=True) if p
    ]


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", fold(text))


def answer_matches(compute: str, customer, answer: str) -> tuple[bool, str]:
    """Whether ``answer`` is right; and the expected value, shown once the learner found it."""
    if compute == "next_service_date":
        expected = next_service_date(customer)
        given = parse_date(answer)
        shown = expected.strftime("%d/%m/%Y") if expected else ""
        return expected is not None and given == expected, shown
    if compute == "vehicle_plate":
        plates = _plates(customer)
        return _compact(answer) in {_compact(p) for p in plates} and bool(answer), ", ".join(plates)
    if compute == "postal_code":
        expected = customer.contact.postal_code
        return bool(expected) and _compact(answer) == _compact(expected), expected
    if compute == "vehicle_count":
        expected = Vehicle.objects.filter(customer=customer).count()
        return _compact(answer) == str(expected), str(expected)
    return False, ""


class AnswerCheck(CheckType):
    name = "answer"
    label = gettext_lazy("Réponse de l'apprenant")
    form_required = ("compute", gettext_lazy("Choisissez la réponse attendue."))
    form_fields = ("compute",)

    def validate(self, check: dict, out: dict) -> dict:
        if check.get("compute") not in ANSWERS:
            raise CheckError(_("Calcul de réponse inconnu : %(c)s.") % {"c": check.get("compute")})
        out["compute"] = check["compute"]
        return out

    def grade(self, check: dict, context: GradingContext) -> Verdict:
        customer = context.record
        if isinstance(customer, Lead):
            customer = customer.customer
        ok, expected = (False, "")
        if customer is not None:
            ok, expected = answer_matches(check["compute"], customer, context.answer)
        if ok:
            return Verdict(True, _("Bonne réponse : %(v)s.") % {"v": expected})
        if not context.answer.strip():
            return Verdict(False, _("Vous n'avez pas encore saisi de réponse."))
        return Verdict(
            False,
            _("La réponse « %(a)s » n'est pas la bonne.")
            % {"a": context.answer.strip()[:_ECHO_LENGTH]},
        )

    def describe(self, check: dict) -> str:
        return _("Réponse saisie par l'apprenant : %(c)s") % {"c": ANSWERS[check["compute"]]}

    def from_form(self, data: dict) -> dict:
        return {"compute": data.get("compute")}

    def form_initial(self, check: dict) -> dict:
        return {"compute": check.get("compute", "")}

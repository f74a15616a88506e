"""The declarative check language of exercises, and the engine that runs it on a sandbox.

An exercise's ``checks`` is a JSON list; each item is one of:

* a **count** check — ``{"type": "count", "entity": "activity", "scope": "target",
  "since": true, "filters": [{"field": "kind", "op": "exact", "value": "appointment"}],
  "min": 1, "max": null, "points": 2, "label": "…", "missing": "…"}``: the number of
  ``entity`` rows of the learner's sandbox matching every filter must lie in ``[min, max]``;
* a **segment**, **campaign** or **merges** check — the sales-tool exercises, graded against
  the school base's hidden identities (see ``relais.training.sales_grading``);
* an **answer** check — ``{"type": "answer", "compute": "next_service_date", "points": 2,
  "label": "…"}``: the learner's typed answer must equal a value computed from the sandbox
  for the exercise's target (dates, plates and text compared format-tolerantly).

Only whitelisted entities, fields and operators are accepted (``validate_checks``), every
query goes through the ORM scoped to the sandbox workspace, and values are bound parameters:
nothing a trainer or learner types reaches SQL as text.

``label``/``missing`` may use ``{cible}`` (the target's name) and ``{depuis}`` (the day the
exercise was started).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.contacts.validators import normalize_plate
from relais.core.text import phone_key
from relais.crm.models import (
    Activity,
    Customer,
    CustomerKind,
    Invoice,
    InvoiceKind,
    Lead,
    LeadStatus,
    MileageReading,
    Note,
    Vehicle,
)
from relais.crm.selectors import visit_frequency
from relais.training import sales_grading
from relais.training.sales_grading import fold

# -- whitelist --------------------------------------------------------------------------------

TEXT, DATE, DATETIME, NUMBER, BOOL = "text", "date", "datetime", "number", "bool"

_CONTACT = {
    "phone_mobile": ("téléphone mobile", TEXT),
    "phone_landline": ("téléphone fixe", TEXT),
    "email": ("e-mail", TEXT),
    "street": ("rue", TEXT),
    "postal_code": ("code postal", TEXT),
    "city": ("ville", TEXT),
    "consent_email": ("accepte les e-mails", BOOL),
    "consent_sms": ("accepte les SMS", BOOL),
}


@dataclass(frozen=True)
class Entity:
    model: type
    label: str
    customer_path: str  # how a row reaches its customer ("" for the customer itself)
    fields: dict  # name -> (French label, type)
    stamp_paths: tuple = ("",)  # rows whose created_at/updated_at tell "changed since"


ENTITIES: dict[str, Entity] = {
    "customer": Entity(
        Customer,
        "fiche client",
        "",
        {
            "kind": ("type (individual / company)", TEXT),
            "status": ("statut (prospect / customer)", TEXT),
            "source": ("source", TEXT),
            "dealership": ("concession", TEXT),
            "person__civility": ("civilité", TEXT),
            "person__first_name": ("prénom", TEXT),
            "person__last_name": ("nom", TEXT),
            "person__birth_date": ("date de naissance", DATE),
            "person__profession": ("profession", TEXT),
            **{f"person__{k}": (f"{v[0]} (particulier)", v[1]) for k, v in _CONTACT.items()},
            "company__legal_name": ("raison sociale", TEXT),
            "company__siret": ("SIRET", TEXT),
            "company__naf_code": ("code NAF", TEXT),
            **{f"company__{k}": (f"{v[0]} (société)", v[1]) for k, v in _CONTACT.items()},
        },
        ("", "person__", "company__"),
    ),
    "vehicle": Entity(
        Vehicle,
        "véhicule",
        "customer",
        {
            "make": ("marque", TEXT),
            "model": ("modèle", TEXT),
            "energy": ("énergie", TEXT),
            "plate": ("immatriculation", TEXT),
            "vin": ("VIN", TEXT),
            "first_registration_date": ("1re immatriculation", DATE),
        },
    ),
    "mileage": Entity(
        MileageReading,
        "relevé kilométrique",
        "vehicle__customer",
        {"read_on": ("date du relevé", DATE), "mileage": ("kilométrage", NUMBER)},
    ),
    "invoice": Entity(
        Invoice,
        "facture",
        "customer",
        {
            "kind": ("type (vn / vo / apv / parts)", TEXT),
            "number": ("numéro", TEXT),
            "issued_on": ("date de facture", DATE),
            "mileage": ("kilométrage", NUMBER),
        },
    ),
    "activity": Entity(
        Activity,
        "activité",
        "customer",
        {
            "kind": ("type (call / email / appointment …)", TEXT),
            "subject": ("objet", TEXT),
            "body": ("compte rendu", TEXT),
            "outcome": ("résultat", TEXT),
            "occurred_at": ("date", DATETIME),
            "next_follow_up_on": ("date de prochaine relance", DATE),
        },
    ),
    "note": Entity(
        Note,
        "note",
        "customer",
        {
            "wished_vehicles": ("véhicules souhaités", TEXT),
            "projects": ("projets", TEXT),
            "body": ("note libre", TEXT),
            "household_size": ("personnes au foyer", NUMBER),
            "daily_mileage_km": ("kilométrage journalier", NUMBER),
        },
    ),
    "lead": Entity(
        Lead,
        "lead",
        "customer",
        {
            "status": ("statut (new / contacted / converted / lost)", TEXT),
            "lead_type": ("type de lead", TEXT),
            "first_name": ("prénom", TEXT),
            "last_name": ("nom", TEXT),
        },
    ),
}

OPERATORS = {
    "exact": _("est égal à"),
    "iexact": _("est égal à (sans casse)"),
    "icontains": _("contient"),
    "gte": _("est supérieur ou égal à"),
    "lte": _("est inférieur ou égal à"),
    "isnull": _("est vide (oui/non)"),
    "in": _("fait partie de (liste séparée par des virgules)"),
    "working_day": _("tombe un jour ouvré (oui/non)"),
}

ANSWERS = {
    "next_service_date": _("date du prochain entretien prévu de la cible"),
    "vehicle_plate": _("immatriculation d'un véhicule de la cible"),
    "postal_code": _("code postal de la cible"),
    "vehicle_count": _("nombre de véhicules de la cible"),
}

TARGET_KINDS = {
    "customer": _("un client particulier"),
    "customer_with_vehicle": _("un client particulier ayant un véhicule immatriculé"),
    "customer_with_visits": _("un client ayant au moins deux passages en après-vente"),
    "prospect": _("un prospect (sans facture)"),
    "open_lead": _("un lead non traité"),
}

# Targets of the built-in sales-tool exercises only: not offered in the trainers' form.
BUILTIN_TARGET_KINDS = {
    sales_grading.AREA_TARGET_KIND: _(
        "le département (2 premiers chiffres du code postal) où la cible « véhicule de plus de "
        "4 ans, sans passage atelier "
        "depuis 12 mois » compte le plus de clients"
    ),
}

MAX_CHECKS = 20
_PHONE_FIELDS = ("phone_mobile", "phone_landline")


class CheckError(ValueError):
    """A check that is not valid (French message)."""


# -- validation -------------------------------------------------------------------------------


def _as_int(value, name: str, *, allow_none=True):
    if value in (None, ""):
        if allow_none:
            return None
        raise CheckError(_("« %(name)s » est obligatoire.") % {"name": name})
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise CheckError(_("« %(name)s » doit être un nombre entier.") % {"name": name}) from None
    if number < 0 or number > 100_000:
        raise CheckError(_("« %(name)s » doit être compris entre 0 et 100 000.") % {"name": name})
    return number


def validate_check(check) -> dict:
    """Return a normalised copy of ``check`` or raise ``CheckError``."""
    if not isinstance(check, dict):
        raise CheckError(_("Chaque vérification doit être un objet."))
    kind = check.get("type", "count")
    label = str(check.get("label", ""))[:300]
    out = {
        "type": kind,
        "label": label,
        "points": _as_int(check.get("points", 1), "points", allow_none=False),
    }
    if check.get("missing"):
        out["missing"] = str(check["missing"])[:300]
    if kind in sales_grading.SALES_CHECK_TYPES:
        try:
            return sales_grading.validate_sales_check(check, out)
        except sales_grading.SalesCheckError as exc:
            raise CheckError(str(exc)) from None
    if kind == "answer":
        if check.get("compute") not in ANSWERS:
            raise CheckError(_("Calcul de réponse inconnu : %(c)s.") % {"c": check.get("compute")})
        out["compute"] = check["compute"]
        return out
    if kind != "count":
        raise CheckError(_("Type de vérification inconnu : %(t)s.") % {"t": kind})
    entity = ENTITIES.get(check.get("entity"))
    if entity is None:
        raise CheckError(_("Élément inconnu : %(e)s.") % {"e": check.get("entity")})
    out["entity"] = check["entity"]
    out["scope"] = "target" if check.get("scope") == "target" else "all"
    out["since"] = bool(check.get("since"))
    filters = check.get("filters") or []
    if not isinstance(filters, list) or len(filters) > 10:
        raise CheckError(_("Les conditions doivent être une liste (10 au plus)."))
    out["filters"] = []
    for item in filters:
        if not isinstance(item, dict):
            raise CheckError(_("Chaque condition doit être un objet."))
        field, op = item.get("field"), item.get("op", "exact")
        if field not in entity.fields:
            raise CheckError(
                _("Le champ « %(f)s » n'existe pas pour « %(e)s ».")
                % {"f": field, "e": entity.label}
            )
        if op not in OPERATORS:
            raise CheckError(_("Opérateur inconnu : %(o)s.") % {"o": op})
        value = item.get("value", "")
        value = "" if value is None else str(value)[:200]
        _convert(value, entity.fields[field][1], op)  # raises on a bad value
        out["filters"].append({"field": field, "op": op, "value": value})
    out["min"] = _as_int(check.get("min", 1), "minimum")
    out["max"] = _as_int(check.get("max"), "maximum")
    if out["min"] is not None and out["max"] is not None and out["min"] > out["max"]:
        raise CheckError(_("Le minimum dépasse le maximum."))
    return out


def validate_checks(checks) -> list[dict]:
    if not isinstance(checks, list) or not checks:
        raise CheckError(_("Un exercice a besoin d'au moins une vérification."))
    if len(checks) > MAX_CHECKS:
        raise CheckError(_("Pas plus de %(n)d vérifications.") % {"n": MAX_CHECKS})
    return [validate_check(c) for c in checks]


# -- values -----------------------------------------------------------------------------------

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %m %Y")
_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}  # fmt: skip


def parse_date(text: str) -> datetime.date | None:
    """A date typed by a French learner: 15/06/2025, 2025-06-15, 15 juin 2025, 1er juin 2025."""
    text = fold(text).replace("1er", "1")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    match = re.fullmatch(r"(?:[a-z]+ )?(\d{1,2}) ([a-z]+) (\d{4})", text)
    if match and match.group(2) in _MONTHS:
        try:
            return datetime.date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
        except ValueError:
            return None
    return None


def _today_or_date(value: str) -> datetime.date | None:
    if value.strip().lower() in ("$today", "aujourd'hui", "aujourdhui"):
        return timezone.localdate()
    return parse_date(value)


def _convert(value: str, kind: str, op: str):
    """Turn a trainer's text value into the Python value the lookup needs."""
    if op in ("isnull", "working_day") or kind == BOOL:
        v = fold(value)
        if v in ("oui", "yes", "true", "1", "vrai"):
            return True
        if v in ("non", "no", "false", "0", "faux", ""):
            return False
        raise CheckError(_("Valeur attendue : oui ou non (reçu « %(v)s »).") % {"v": value})
    if op == "in":
        return [part.strip() for part in value.split(",") if part.strip()]
    if kind in (DATE, DATETIME):
        day = _today_or_date(value)
        if day is None:
            raise CheckError(_("Date non reconnue : « %(v)s » (format JJ/MM/AAAA).") % {"v": value})
        return day
    if kind == NUMBER:
        try:
            return int(value)
        except ValueError:
            raise CheckError(_("Nombre attendu : « %(v)s ».") % {"v": value}) from None
    return value


def _is_working_day(day: datetime.date) -> bool:
    from relais.crm.calendar import is_working_day

    return is_working_day(day)


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
    if kind == sales_grading.AREA_TARGET_KIND:
        # Not drawn: every sales exercise of a sandbox names the same area.
        area = sales_grading.area_pick(workspace)
        return {"kind": "area", "id": area, "label": area} if area else {}
    queryset = _target_candidates(kind, workspace)
    candidates = list(queryset.order_by("pk").values_list("pk", flat=True))
    if not candidates:
        return {}
    start = int(hashlib.sha256(salt.encode()).hexdigest(), 16) % len(candidates)
    record = None
    for offset in range(len(candidates)):
        candidate = queryset.get(pk=candidates[(start + offset) % len(candidates)])
        # Two visits on the same day give no interval: walk on to a customer who has one.
        if kind != "customer_with_visits" or _next_service_date(candidate) is not None:
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
    if not target:
        return None
    if target.get("kind") == "area":
        area = target.get("id", "")
        return area if sales_grading.area_exists(workspace, area) else None
    model = Lead if target.get("kind") == "lead" else Customer
    return model.objects.in_workspace(workspace).filter(public_id=target.get("id")).first()


# -- answers ----------------------------------------------------------------------------------


def _next_service_date(customer) -> datetime.date | None:
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
        expected = _next_service_date(customer)
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


# -- grading ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    score: int
    max_score: int
    feedback: list  # [{"label", "ok", "points", "earned", "message"}]

    @property
    def passed(self) -> bool:
        return self.max_score > 0 and self.score == self.max_score


# « de » before a vowel or a mute h is elided: « d'Andrée », « d'Hélène » (never « de Andrée »).
_ELIDABLE = re.compile(r"(?i)^[aeiouyhàâäéèêëîïôöùûü]")


def _fmt(text: str, context: dict) -> str:
    for key, value in context.items():
        placeholder = "{" + key + "}"
        if _ELIDABLE.match(value or ""):
            text = text.replace("de " + placeholder, "d'" + value)
            text = text.replace("De " + placeholder, "D'" + value)
        text = text.replace(placeholder, value)
    return text


def _count_query(check: dict, *, workspace, target_record, since):
    entity = ENTITIES[check["entity"]]
    qs = entity.model.objects.in_workspace(workspace)
    if check["scope"] == "target":
        if target_record is None:
            return None
        if isinstance(target_record, Lead):
            if entity.model is Lead:
                qs = qs.filter(pk=target_record.pk)
            elif target_record.customer_id:
                path = entity.customer_path or "pk"
                qs = qs.filter(**{path: target_record.customer_id})
            else:
                return qs.none(), []
        else:
            path = entity.customer_path or "pk"
            qs = qs.filter(**{path: target_record.pk})
    if check["since"] and since is not None:
        changed = Q()
        for prefix in entity.stamp_paths:
            changed |= Q(**{f"{prefix}created_at__gt": since})
            changed |= Q(**{f"{prefix}updated_at__gt": since})
        qs = qs.filter(changed)
    python_filters = []
    for item in check["filters"]:
        kind = entity.fields[item["field"]][1]
        value = _convert(item["value"], kind, item["op"])
        if item["op"] == "working_day" or (
            item["field"].endswith(_PHONE_FIELDS) and item["op"] in ("exact", "iexact", "icontains")
        ):
            # Phones are compared on their digits (06 12… = +33 6 12…); working days need the
            # holiday calendar: both are decided in Python on the rows the query kept.
            python_filters.append((item["field"], item["op"], value))
            continue
        if item["field"].endswith("plate") and item["op"] in ("exact", "iexact"):
            value = _plate(value)
        lookup = item["field"] if item["op"] == "exact" else f"{item['field']}__{item['op']}"
        if kind == DATETIME and item["op"] in ("exact", "gte", "lte"):
            lookup = f"{item['field']}__date" + ("" if item["op"] == "exact" else f"__{item['op']}")
        qs = qs.filter(**{lookup: value})
    return qs, python_filters


def _plate(value: str) -> str:
    try:
        return normalize_plate(value)
    except ValidationError:
        return value


def _python_match(actual, op: str, wanted) -> bool:
    if op == "working_day":
        if isinstance(actual, datetime.datetime):
            actual = timezone.localtime(actual).date()
        return actual is not None and _is_working_day(actual) == wanted
    have, want = phone_key(actual), phone_key(wanted)
    if op == "icontains":
        return bool(want) and want in have
    return have == want


def _count(qs_and_filters) -> int:
    qs, python_filters = qs_and_filters
    if not python_filters:
        return qs.count()
    fields = list(dict.fromkeys(f for f, _o, _v in python_filters))
    return sum(
        all(_python_match(row[f], op, wanted) for f, op, wanted in python_filters)
        for row in qs.values(*fields)[:5000]
    )


def grade(*, checks: list, workspace, target: dict, since, answer: str = "") -> Outcome:
    """Run ``checks`` on ``workspace`` and say, per check, what is done and what is missing."""
    record = target_record(target, workspace)
    context = {
        "cible": (target or {}).get("label", ""),
        "depuis": timezone.localtime(since).strftime("%d/%m/%Y") if since else "",
    }
    score = max_score = 0
    feedback = []
    sales = sales_grading.Grader(
        workspace=workspace, area=record if isinstance(record, str) else ""
    )
    for raw in checks:
        check = validate_check(raw)
        points = check["points"]
        max_score += points
        label = _fmt(check["label"], context)
        earned = None
        if target and record is None:
            ok, message = (
                False,
                (
                    _("Plus aucun client n'a un code postal commençant par %(c)s dans votre base.")
                    if target.get("kind") == "area"
                    else _("La fiche cible (%(c)s) n'existe plus dans votre base.")
                )
                % {"c": context["cible"]},
            )
        elif check["type"] in sales_grading.SALES_CHECK_TYPES:
            earned, ok, message = sales.grade(check)
        elif check["type"] == "answer":
            customer = record
            if isinstance(customer, Lead):
                customer = customer.customer
            if customer is None:
                ok, expected = False, ""
            else:
                ok, expected = answer_matches(check["compute"], customer, answer)
            if ok:
                message = _("Bonne réponse : %(v)s.") % {"v": expected}
            elif not answer.strip():
                message = _("Vous n'avez pas encore saisi de réponse.")
            else:
                message = _("La réponse « %(a)s » n'est pas la bonne.") % {"a": answer.strip()[:60]}
        else:
            query = _count_query(check, workspace=workspace, target_record=record, since=since)
            found = 0 if query is None else _count(query)
            low, high = check["min"], check["max"]
            ok = (low is None or found >= low) and (high is None or found <= high)
            if ok:
                message = _("Fait (%(n)d trouvé(s)).") % {"n": found}
            elif check.get("missing"):
                message = _fmt(check["missing"], context)
            elif low is not None and found < low:
                message = _("Manquant : %(n)d trouvé(s), au moins %(m)d attendu(s).") % {
                    "n": found,
                    "m": low,
                }
            else:
                message = _("Trop d'éléments : %(n)d trouvé(s), au plus %(m)d attendu(s).") % {
                    "n": found,
                    "m": high,
                }
        if earned is None:  # sales-tool checks give partial credit; the others all or nothing
            earned = points if ok else 0
        score += earned
        feedback.append(
            {"label": label, "ok": ok, "points": points, "earned": earned, "message": message}
        )
    return Outcome(score=score, max_score=max_score, feedback=feedback)


def render_instructions(text: str, *, target: dict, since) -> str:
    return _fmt(
        text,
        {
            "cible": (target or {}).get("label", "") or _("(aucune fiche disponible)"),
            "depuis": timezone.localtime(since).strftime("%d/%m/%Y") if since else "",
        },
    )

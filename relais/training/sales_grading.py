"""Grading of the sales-tool exercises: build a target, send a campaign, merge duplicates.

These checks compare what the learner built with tools of issue 4 (a saved segment, a sent
campaign, customer merges) against a truth computed here, directly with the ORM, on the
learner's sandbox:

* a **segment** check — ``{"type": "segment", "rule": "saved" | "customers", "name": "…",
  "target": "<TARGET_RULES key>", "points": 4, "label": "…"}``: a segment of that name
  exists; its customers (``segment_customers``) are the rule's customers in the exercise's
  exercise's target area (partial credit on precision and recall);
* a **campaign** check — ``{"type": "campaign", "rule": "sent" | "recipients" | "consent",
  "channel": "email", "target": "…", …}``: a sent campaign on the channel; its included
  recipients are the target minus those without consent or address; nobody without consent;
* a **merges** check — ``{"type": "merges", "rule": "merged" | "no_wrong_merge", …}``:
  merges are right when both records carried the same hidden ``Customer.identity_key`` (set
  by the school-database generator), wrong otherwise; undone merges do not count.

Feedback gives counts (missing, extra, left), never which customers: the identity keys stay
hidden. Every query is restricted to the sandbox workspace.

The rules are data (``TARGET_RULES``, ``CHANNELS``) and small functions; ``Grader`` keeps
what several checks of one grading share (the expected set, the chosen campaign).
"""

from __future__ import annotations

import calendar
import datetime
from collections import Counter

from django.core.exceptions import FieldError, ValidationError
from django.core.validators import validate_email
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.text import fold as core_fold
from relais.crm.models import (
    Campaign,
    CampaignRecipient,
    Customer,
    CustomerMerge,
    Invoice,
    InvoiceKind,
    Segment,
    Vehicle,
)

SEGMENT_RULES = {"saved": _("segment enregistré"), "customers": _("clients du segment")}
CAMPAIGN_RULES = {
    "sent": _("campagne envoyée sur le bon canal"),
    "recipients": _("destinataires de la campagne"),
    "consent": _("consentement respecté"),
}
MERGE_RULES = {"merged": _("doublons fusionnés"), "no_wrong_merge": _("aucune fusion erronée")}
SALES_CHECK_TYPES = {"segment": SEGMENT_RULES, "campaign": CAMPAIGN_RULES, "merges": MERGE_RULES}

# Target rules: customers of the target area whose vehicle is older than ``years`` years and
# who have had no after-sales visit (APV invoice) for ``months`` months, never-seen included.
TARGET_RULES = {
    "vehicule-ancien-sans-atelier": {
        "label": _("véhicule de plus de 4 ans et aucun passage atelier depuis 12 mois"),
        "years": 4,
        "months": 12,
    }
}
# Channel -> the contact fields that allow a message: consent, then every address field.
CHANNELS = {
    "email": ("consent_email", ("email",)),
    "sms": ("consent_sms", ("phone_mobile",)),
    "letter": ("consent_mail", ("street", "postal_code", "city")),
}
CHANNEL_LABELS = {"email": _("e-mail"), "sms": _("SMS"), "letter": _("courrier")}
# Each wrong merge (two different people made one) cancels this many right ones.
WRONG_MERGE_PENALTY = 2
AREA_TARGET_KIND = "sales_target_area"
# The target area is a département: the first two characters of the postcode.
AREA_LENGTH = 2
# A campaign being sent has its recipients frozen already: it counts as sent.
SENT_STATUSES = ("sending", "sent")


class SalesCheckError(ValueError):
    """A sales-tool check that is not valid (French message)."""


def validate_sales_check(check: dict, out: dict) -> dict:
    """Complete ``out`` (type, label, points already set) with the sales-tool fields."""
    kind = out["type"]
    rules = SALES_CHECK_TYPES[kind]
    rule = check.get("rule")
    if rule not in rules:
        raise SalesCheckError(_("Règle inconnue : %(r)s.") % {"r": rule})
    out["rule"] = rule
    if kind in ("segment", "campaign"):
        target = check.get("target")
        if target not in TARGET_RULES:
            raise SalesCheckError(_("Cible inconnue : %(t)s.") % {"t": target})
        out["target"] = target
    if kind == "segment":
        name = str(check.get("name", "")).strip()[:120]
        if not name:
            raise SalesCheckError(_("Indiquez le nom du segment attendu."))
        out["name"] = name
    if kind == "campaign":
        if check.get("channel") not in CHANNELS:
            raise SalesCheckError(_("Canal inconnu : %(c)s.") % {"c": check.get("channel")})
        out["channel"] = check["channel"]
    return out


def describe(check: dict) -> str:
    """How a sales-tool check is scored, for the trainer's preview ("" for other checks)."""
    kind = check.get("type")
    if kind not in SALES_CHECK_TYPES:
        return ""
    rule = SALES_CHECK_TYPES[kind].get(check.get("rule"), "")
    target = TARGET_RULES.get(check.get("target"), {}).get("label", "")
    if kind == "segment":
        text = _("Segment « %(n)s » : %(r)s") % {"n": check.get("name", ""), "r": rule}
        if check.get("rule") == "customers":
            text += " — " + _("comparés à la cible (%(t)s) ; crédit partiel") % {"t": target}
        return text
    if kind == "campaign":
        channel = CHANNEL_LABELS.get(check.get("channel"), "")
        text = _("Campagne par %(c)s : %(r)s") % {"c": channel, "r": rule}
        if check.get("rule") == "recipients":
            text += " — " + _(
                "cible (%(t)s) sans les clients qui refusent ou n'ont pas d'adresse ; crédit "
                "partiel"
            ) % {"t": target}
        return text
    if check.get("rule") == "merged":
        return _(
            "Fusions : %(r)s, comparés aux identités réelles de la base ; chaque fusion erronée "
            "annule %(p)d fusions réussies"
        ) % {"r": rule, "p": WRONG_MERGE_PENALTY}
    return _("Fusions : %(r)s") % {"r": rule}


# -- dates and names ---------------------------------------------------------------------------


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def fold(text) -> str:
    """A learner's answer or a name, folded (core's ``fold``) with its runs of spaces made one."""
    return " ".join(core_fold(text).split())


# -- the truth ---------------------------------------------------------------------------------


def _in_area(area: str) -> Q:
    return Q(person__postal_code__startswith=area) | Q(company__postal_code__startswith=area)


def _recent_visits(workspace, *, today: datetime.date, months: int):
    # "In the last N months", bounds included, as the segment builder reads it.
    return Invoice.objects.in_workspace(workspace).filter(
        kind=InvoiceKind.AFTER_SALES,
        issued_on__gte=months_before(today, months),
        issued_on__lte=today,
    )


def _rule_customers(workspace, *, rule: str, today: datetime.date):
    """The customers of ``workspace`` that ``rule`` selects, wherever they live."""
    params = TARGET_RULES[rule]
    old = Vehicle.objects.in_workspace(workspace).filter(
        first_registration_date__lt=months_before(today, 12 * params["years"])
    )
    recent = _recent_visits(workspace, today=today, months=params["months"])
    return (
        Customer.objects.in_workspace(workspace)
        .filter(pk__in=old.values("customer_id"))
        .exclude(pk__in=recent.values("customer_id"))
    )


def expected_customers(workspace, *, rule: str, area: str, today: datetime.date) -> set[int]:
    """The primary keys of the customers ``rule`` selects in ``area`` on ``today``."""
    customers = _rule_customers(workspace, rule=rule, today=today).filter(_in_area(area))
    return set(customers.values_list("pk", flat=True))


def area_pick(workspace, *, rule: str = "vehicule-ancien-sans-atelier", today=None) -> str:
    """The postcode area of ``workspace`` where ``rule`` selects the most customers ("" if
    none)

    The same for every exercise of a sandbox, so that the campaign targets the segment built
    in the previous exercise."""
    # Grouped in the database: a base of 100,000 customers gives a few hundred rows.
    rows = (
        _rule_customers(workspace, rule=rule, today=today or timezone.localdate())
        .annotate(
            area=Substr(Coalesce("person__postal_code", "company__postal_code"), 1, AREA_LENGTH)
        )
        .order_by()
        .values("area")
        .annotate(n=Count("pk"))
        .values_list("area", "n")
    )
    counts: Counter = Counter()
    for area, n in rows:
        if len((area or "").strip()) == AREA_LENGTH:
            counts[area] += n
    if not counts:
        return ""
    return min(counts, key=lambda c: (-counts[c], fold(c), c))


def area_exists(workspace, area: str) -> bool:
    return bool(area) and Customer.objects.in_workspace(workspace).filter(_in_area(area)).exists()


def _reachable(workspace, pks, channel: str) -> set[int]:
    """Those of ``pks`` whose contact accepts ``channel`` and has an address for it."""
    consent, address = CHANNELS[channel]
    fields = [consent, *address]
    reachable = set()
    rows = (
        Customer.objects.in_workspace(workspace)
        .filter(pk__in=list(pks))
        .values("pk", "person_id", *(f"{c}__{f}" for c in ("person", "company") for f in fields))
    )
    for row in rows:
        contact = "person" if row["person_id"] else "company"
        values = [row[f"{contact}__{f}"] for f in address]
        if row[f"{contact}__{consent}"] and all(_valid_address(channel, v) for v in values):
            reachable.add(row["pk"])
    return reachable


def _valid_address(channel: str, value) -> bool:
    value = (value or "").strip()
    if not value:
        return False
    if channel == "email":
        try:
            validate_email(value)
        except ValidationError:
            return False
    return True


# -- scores ------------------------------------------------------------------------------------


def _fail(message: str) -> tuple[int, bool, str]:
    return 0, False, message


def _share(points: int, fraction: float) -> int:
    """Partial credit: full points only for a perfect answer."""
    if fraction >= 1:
        return points
    return max(0, min(points - 1, round(points * fraction)))


def _f1(got: set, expected: set) -> float:
    hits = len(got & expected)
    if not hits:
        return 0.0
    precision, recall = hits / len(got), hits / len(expected)
    return 2 * precision * recall / (precision + recall)


def _gap_message(got: set, expected: set, *, what: str) -> str:
    hits = len(got & expected)
    return _(
        "%(what)s : %(n)d client(s) pour %(e)d attendu(s) — %(h)d juste(s), "
        "%(m)d manquant(s), %(x)d en trop."
    ) % {
        "what": what,
        "n": len(got),
        "e": len(expected),
        "h": hits,
        "m": len(expected - got),
        "x": len(got - expected),
    }


class Grader:
    """Grades the sales-tool checks of one exercise on one sandbox; shares work between
    checks (expected sets, the chosen campaign, the merge tally)."""

    def __init__(self, *, workspace, area: str):
        self.workspace = workspace
        self.area = area
        self._cache: dict = {}

    def grade(self, check: dict) -> tuple[int, bool, str]:
        """``(earned, ok, message)`` for one validated check."""
        return getattr(self, f"_{check['type']}")(check)

    # segment ----------------------------------------------------------------------------

    def _segment(self, check):
        points, name = check["points"], check["name"]
        segments = list(Segment.objects.in_workspace(self.workspace).order_by("pk"))
        segment = next((s for s in segments if fold(s.name) == fold(name)), None)
        if segment is None:
            message = _(
                "Aucun segment nommé « %(n)s » dans votre base : construisez la cible, puis "
                "enregistrez-la sous ce nom."
            ) % {"n": name}
            if segments:
                message += " " + _("Vos segments : %(l)s.") % {
                    "l": ", ".join(f"« {s.name} »" for s in segments[:5])
                }
            return _fail(message)
        if check["rule"] == "saved":
            return points, True, _("Segment « %(n)s » enregistré.") % {"n": segment.name}
        if not self.area:
            return _fail(_("Aucune zone cible dans votre base : prévenez votre formateur."))
        expected = expected_customers(
            self.workspace, rule=check["target"], area=self.area, today=timezone.localdate()
        )
        if not expected:
            return _fail(
                _(
                    "La cible attendue est vide dans votre base : réinitialisez-la ou prévenez "
                    "votre formateur."
                )
            )
        got = self._segment_members(segment)
        if got is None:
            return _fail(
                _(
                    "Le segment « %(n)s » ne peut pas être calculé : ouvrez-le et corrigez ses "
                    "conditions."
                )
                % {"n": segment.name},
            )
        if got == expected:
            return (
                points,
                True,
                _("Votre segment « %(n)s » contient exactement les %(e)d clients attendus.")
                % {"n": segment.name, "e": len(expected)},
            )
        what = _("Segment « %(n)s »") % {"n": segment.name}
        return _share(points, _f1(got, expected)), False, _gap_message(got, expected, what=what)

    def _segment_members(self, segment) -> set[int] | None:
        from relais.crm.segments.query import segment_customers

        try:
            members = segment_customers(segment)
            return set(
                members.filter(workspace=self.workspace).order_by().values_list("pk", flat=True)
            )
        except (FieldError, ValidationError, ValueError, KeyError, TypeError, LookupError):
            return None

    # campaign ---------------------------------------------------------------------------

    def _campaign_choice(self, check):
        """``(campaign, included, expected, neutral)`` for the learner's best sent campaign on
        the channel, or ``None``. ``neutral``: recipients whose consent changed after the
        send (an unsubscription, say), judged neither way."""
        key = ("campaign", check["channel"], check["target"])
        if key in self._cache:
            return self._cache[key]
        choice = None
        if self.area:
            sent = Campaign.objects.filter(
                workspace=self.workspace, channel=check["channel"], status__in=SENT_STATUSES
            ).order_by("-sent_at", "-pk")
            best = -1.0
            for campaign in sent[:50]:
                day = timezone.localdate(campaign.sent_at) if campaign.sent_at else None
                day = day or timezone.localdate()
                included = set(
                    CampaignRecipient.objects.filter(
                        workspace=self.workspace, campaign=campaign, excluded_reason=""
                    ).values_list("customer_id", flat=True)
                )
                neutral = self._neutral(campaign, included)
                target = expected_customers(
                    self.workspace, rule=check["target"], area=self.area, today=day
                )
                expected = _reachable(self.workspace, target, check["channel"]) - neutral
                score = _f1(included - neutral, expected) if expected else 0.0
                if score > best:
                    best, choice = score, (campaign, included, expected, neutral)
        self._cache[key] = choice
        return choice

    def _neutral(self, campaign, included) -> set[int]:
        """Recipients judged neither way: those who shared an address with another one (the
        channel sends once per address) and those whose consent changed after the send
        (they unsubscribed, say: consent is judged as it was when the campaign left)."""
        rows = CampaignRecipient.objects.filter(workspace=self.workspace, campaign=campaign)
        neutral = set(
            rows.filter(Q(excluded_reason="duplicate") | Q(unsubscribed=True)).values_list(
                "customer_id", flat=True
            )
        )
        if campaign.sent_at and included:
            neutral |= set(
                Customer.objects.in_workspace(self.workspace)
                .filter(pk__in=list(included))
                .filter(
                    Q(person__consent_updated_at__gt=campaign.sent_at)
                    | Q(company__consent_updated_at__gt=campaign.sent_at)
                )
                .values_list("pk", flat=True)
            )
        return neutral

    def _campaign(self, check):
        points, channel = check["points"], check["channel"]
        choice = self._campaign_choice(check)
        if choice is None:
            return _fail(self._no_campaign_message(check))
        campaign, included, expected, neutral = choice
        if check["rule"] == "sent":
            return (
                points,
                True,
                _("Campagne « %(n)s » envoyée par %(c)s.")
                % {
                    "n": campaign.name,
                    "c": CHANNEL_LABELS[channel],
                },
            )
        if check["rule"] == "consent":
            allowed = _reachable(self.workspace, included, channel) | neutral
            refused = included - allowed
            if refused:
                return _fail(
                    _(
                        "La campagne « %(n)s » a été envoyée à %(r)d client(s) sans consentement ou "
                        "sans adresse pour ce canal."
                    )
                    % {"n": campaign.name, "r": len(refused)},
                )
            if not included:
                return _fail(
                    _("La campagne « %(n)s » n'a aucun destinataire.") % {"n": campaign.name}
                )
            return (
                points,
                True,
                _("Aucun destinataire sans consentement : les refus ont été respectés."),
            )
        if not expected:
            return _fail(
                _(
                    "La cible attendue est vide dans votre base : réinitialisez-la ou prévenez "
                    "votre formateur."
                )
            )
        got = included - neutral
        if got == expected:
            return (
                points,
                True,
                _("Les %(e)d destinataires attendus ont reçu la campagne, et eux seuls.")
                % {"e": len(expected)},
            )
        what = _("Campagne « %(n)s »") % {"n": campaign.name}
        return _share(points, _f1(got, expected)), False, _gap_message(got, expected, what=what)

    def _no_campaign_message(self, check) -> str:
        other = (
            Campaign.objects.filter(workspace=self.workspace, status__in=SENT_STATUSES)
            .exclude(channel=check["channel"])
            .first()
        )
        wanted = CHANNEL_LABELS[check["channel"]]
        if other is not None:
            return _(
                "Votre campagne « %(n)s » est partie par %(o)s : il fallait l'envoyer par %(c)s."
            ) % {"n": other.name, "o": CHANNEL_LABELS.get(other.channel, other.channel),
                 "c": wanted}  # fmt: skip
        drafts = Campaign.objects.filter(
            workspace=self.workspace, channel=check["channel"]
        ).exclude(status__in=SENT_STATUSES)
        if drafts.exists():
            return _(
                "Votre campagne par %(c)s n'est pas encore envoyée : terminez-la et "
                "cliquez sur « Envoyer »."
            ) % {"c": wanted}
        return _("Aucune campagne par %(c)s envoyée dans votre base.") % {"c": wanted}

    # merges -----------------------------------------------------------------------------

    def _merge_tally(self):
        """``(right, wrong, duplicates at the start, duplicates left)``."""
        if "merges" in self._cache:
            return self._cache["merges"]
        live = Counter(
            dict(
                Customer.objects.in_workspace(self.workspace)
                .exclude(identity_key="")
                .values_list("identity_key")
                .annotate(n=Count("pk"))
                .order_by()
                .values_list("identity_key", "n")
            )
        )
        absorbed: Counter = Counter()
        right = wrong = 0
        merges = CustomerMerge.objects.filter(
            workspace=self.workspace, survivor__workspace=self.workspace, undone_at__isnull=True
        ).values_list("absorbed_identity_key", "survivor__identity_key")
        for absorbed_key, survivor_key in merges:
            if not absorbed_key or not survivor_key:
                continue  # records typed by the learner: no truth to compare with
            absorbed[absorbed_key] += 1
            if absorbed_key == survivor_key:
                right += 1
            else:
                wrong += 1
        keys = set(live) | set(absorbed)
        at_start = sum(max(0, live[k] + absorbed[k] - 1) for k in keys)
        left = sum(max(0, n - 1) for n in live.values())
        self._cache["merges"] = (right, wrong, at_start, left)
        return self._cache["merges"]

    def _merges(self, check):
        points = check["points"]
        right, wrong, at_start, left = self._merge_tally()
        if check["rule"] == "no_wrong_merge":
            if wrong:
                return _fail(
                    _(
                        "%(w)d fusion(s) de fiches de personnes différentes (des homonymes ?) : "
                        "annulez-les depuis l'historique des fusions."
                    )
                    % {"w": wrong},
                )
            if not right:
                return _fail(_("Aucune fusion enregistrée dans votre base."))
            return points, True, _("Aucune fusion erronée.")
        if not at_start:
            return _fail(
                _(
                    "Votre base ne contient aucun doublon à fusionner : réinitialisez-la ou "
                    "prévenez votre formateur."
                )
            )
        if not right and not wrong:
            return _fail(
                _(
                    "Aucune fusion enregistrée : il reste %(l)d doublon(s) à fusionner (utilisez "
                    "l'outil de dédoublonnage)."
                )
                % {"l": left},
            )
        fraction = max(0, right - WRONG_MERGE_PENALTY * wrong) / at_start
        message = _("%(r)d doublon(s) fusionné(s) sur %(d)d ; il en reste %(l)d.") % {
            "r": right,
            "d": at_start,
            "l": left,
        }
        if wrong:
            message += " " + _(
                "%(w)d fusion(s) erronée(s) : chacune annule %(p)d fusion(s) réussie(s)."
            ) % {"w": wrong, "p": WRONG_MERGE_PENALTY}
        ok = fraction >= 1
        return _share(points, fraction), ok, message

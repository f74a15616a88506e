"""The sales-tool checks: build a target (**segment**), send a **campaign**, **merges**.

They compare what the learner built with the sales tools against the truth computed by
``relais.training.sales_grading`` on the learner's sandbox, and give partial credit:

* ``{"type": "segment", "rule": "saved" | "customers", "name": "…", "target": "<rule>"}``:
  a segment of that name exists; its customers are the rule's customers in the exercise's
  target area;
* ``{"type": "campaign", "rule": "sent" | "recipients" | "consent", "channel": "email",
  "target": "<rule>"}``: a sent campaign on the channel; its included recipients are the
  target minus those without consent or address; nobody without consent;
* ``{"type": "merges", "rule": "merged" | "no_wrong_merge"}``: merges are right when both
  records carried the same hidden identity, wrong otherwise; undone merges do not count.

Feedback gives counts (missing, extra, left), never which customers: the identity keys stay
hidden. Each type's rules are a table (rule -> label, method), so a rule is one entry and one
method.
"""

from __future__ import annotations

from django.core.exceptions import FieldError, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.text import fold_words
from relais.crm.models import Campaign, CampaignRecipient, Customer, Segment
from relais.training import sales_grading as truth
from relais.training.checks.base import (
    CheckError,
    CheckType,
    GradingContext,
    TargetKind,
    Verdict,
    register_target_kind,
)

SEGMENT_NAME_LENGTH = 120
# How many of the learner's segments a "not found" message lists.
_SEGMENTS_LISTED = 5
# How many of the learner's sent campaigns are compared with the target.
_CAMPAIGNS_COMPARED = 50


def _fail(message: str) -> Verdict:
    return Verdict(False, message, 0)


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


def _empty_target() -> Verdict:
    return _fail(
        _(
            "La cible attendue est vide dans votre base : réinitialisez-la ou prévenez "
            "votre formateur."
        )
    )


def _area(context: GradingContext) -> str:
    return context.record if isinstance(context.record, str) else ""


class _SalesCheck(CheckType):
    """What the three sales-tool types share: a rule among ``rules``, partial credit."""

    partial_credit = True
    form_required = ("rule", gettext_lazy("Choisissez la règle de la vérification."))
    rules: dict = {}
    # Fields of the form, and of the check, beyond ``rule``.
    form_fields = ("rule",)

    def validate(self, check: dict, out: dict) -> dict:
        rule = check.get("rule")
        if rule not in self.rules:
            raise CheckError(_("Règle inconnue : %(r)s.") % {"r": rule})
        out["rule"] = rule
        return out

    def grade(self, check: dict, context: GradingContext) -> Verdict:
        return getattr(self, f"grade_{check['rule']}")(check, context)

    def rule_label(self, check: dict) -> str:
        return str(self.rules.get(check.get("rule"), ""))

    def from_form(self, data: dict) -> dict:
        # The form's rule choice is "<type>:<rule>", one list for every type.
        choice = data.get("rule") or ""
        kind, _sep, rule = choice.partition(":")
        return {"rule": rule if kind == self.name else choice}

    def form_initial(self, check: dict) -> dict:
        return {"rule": f"{self.name}:{check.get('rule', '')}"}


class _TargetedCheck(_SalesCheck):
    """A segment or campaign check: compared with a target rule in the exercise's area."""

    target_kind = truth.AREA_TARGET_KIND
    form_fields = ("rule", "sales_target")

    def validate(self, check: dict, out: dict) -> dict:
        super().validate(check, out)
        target = check.get("target")
        if target not in truth.TARGET_RULES:
            raise CheckError(_("Cible inconnue : %(t)s.") % {"t": target})
        out["target"] = target
        return out

    def from_form(self, data: dict) -> dict:
        return {**super().from_form(data), "target": data.get("sales_target")}

    def form_initial(self, check: dict) -> dict:
        return {**super().form_initial(check), "sales_target": check.get("target", "")}

    @staticmethod
    def target_label(check: dict) -> str:
        return str(truth.TARGET_RULES.get(check.get("target"), {}).get("label", ""))


class SegmentCheck(_TargetedCheck):
    name = "segment"
    label = gettext_lazy("Segment construit (ciblage)")
    rules = {
        "saved": gettext_lazy("segment enregistré"),
        "customers": gettext_lazy("clients du segment"),
    }
    form_fields = ("rule", "sales_target", "segment_name")

    def validate(self, check: dict, out: dict) -> dict:
        super().validate(check, out)
        name = str(check.get("name", "")).strip()[:SEGMENT_NAME_LENGTH]
        if not name:
            raise CheckError(_("Indiquez le nom du segment attendu."))
        out["name"] = name
        return out

    def describe(self, check: dict) -> str:
        text = _("Segment « %(n)s » : %(r)s") % {"n": check["name"], "r": self.rule_label(check)}
        if check["rule"] == "customers":
            text += " — " + _("comparés à la cible (%(t)s) ; crédit partiel") % {
                "t": self.target_label(check)
            }
        return text

    def from_form(self, data: dict) -> dict:
        return {**super().from_form(data), "name": data.get("segment_name") or ""}

    def form_initial(self, check: dict) -> dict:
        return {**super().form_initial(check), "segment_name": check.get("name", "")}

    def _find(self, check: dict, context: GradingContext):
        segments = list(Segment.objects.in_workspace(context.workspace).order_by("pk"))
        wanted = fold_words(check["name"])
        return next((s for s in segments if fold_words(s.name) == wanted), None), segments

    def _not_found(self, check: dict, segments) -> Verdict:
        message = _(
            "Aucun segment nommé « %(n)s » dans votre base : construisez la cible, puis "
            "enregistrez-la sous ce nom."
        ) % {"n": check["name"]}
        if segments:
            message += " " + _("Vos segments : %(l)s.") % {
                "l": ", ".join(f"« {s.name} »" for s in segments[:_SEGMENTS_LISTED])
            }
        return _fail(message)

    def grade_saved(self, check: dict, context: GradingContext) -> Verdict:
        segment, segments = self._find(check, context)
        if segment is None:
            return self._not_found(check, segments)
        return Verdict(True, _("Segment « %(n)s » enregistré.") % {"n": segment.name})

    def grade_customers(self, check: dict, context: GradingContext) -> Verdict:
        segment, segments = self._find(check, context)
        if segment is None:
            return self._not_found(check, segments)
        area = _area(context)
        if not area:
            return _fail(_("Aucune zone cible dans votre base : prévenez votre formateur."))
        expected = truth.expected_customers(
            context.workspace, rule=check["target"], area=area, today=timezone.localdate()
        )
        if not expected:
            return _empty_target()
        got = _segment_members(segment, context.workspace)
        if got is None:
            return _fail(
                _(
                    "Le segment « %(n)s » ne peut pas être calculé : ouvrez-le et corrigez ses "
                    "conditions."
                )
                % {"n": segment.name},
            )
        if got == expected:
            return Verdict(
                True,
                _("Votre segment « %(n)s » contient exactement les %(e)d clients attendus.")
                % {"n": segment.name, "e": len(expected)},
            )
        what = _("Segment « %(n)s »") % {"n": segment.name}
        return Verdict(
            False,
            _gap_message(got, expected, what=what),
            _share(check["points"], _f1(got, expected)),
        )


def _segment_members(segment, workspace) -> set[int] | None:
    """The segment's customers, or None when its saved conditions no longer compute."""
    from relais.crm.segments.query import segment_customers

    try:
        members = segment_customers(segment)
        return set(members.filter(workspace=workspace).order_by().values_list("pk", flat=True))
    except (FieldError, ValidationError, ValueError, KeyError, TypeError, LookupError):
        return None


class CampaignCheck(_TargetedCheck):
    name = "campaign"
    label = gettext_lazy("Campagne envoyée")
    rules = {
        "sent": gettext_lazy("campagne envoyée sur le bon canal"),
        "recipients": gettext_lazy("destinataires de la campagne"),
        "consent": gettext_lazy("consentement respecté"),
    }
    form_fields = ("rule", "sales_target", "channel")

    def validate(self, check: dict, out: dict) -> dict:
        super().validate(check, out)
        if check.get("channel") not in truth.CHANNELS:
            raise CheckError(_("Canal inconnu : %(c)s.") % {"c": check.get("channel")})
        out["channel"] = check["channel"]
        return out

    def describe(self, check: dict) -> str:
        channel = truth.CHANNEL_LABELS.get(check["channel"], "")
        text = _("Campagne par %(c)s : %(r)s") % {"c": channel, "r": self.rule_label(check)}
        if check["rule"] == "recipients":
            text += " — " + _(
                "cible (%(t)s) sans les clients qui refusent ou n'ont pas d'adresse ; crédit "
                "partiel"
            ) % {"t": self.target_label(check)}
        return text

    def from_form(self, data: dict) -> dict:
        return {**super().from_form(data), "channel": data.get("channel")}

    def form_initial(self, check: dict) -> dict:
        return {**super().form_initial(check), "channel": check.get("channel", "")}

    def _choice(self, check: dict, context: GradingContext):
        """``(campaign, included, expected, neutral)`` for the learner's best sent campaign
        on the channel, or ``None``. ``neutral``: recipients judged neither way."""
        key = ("campaign", check["channel"], check["target"])
        if key not in context.cache:
            context.cache[key] = self._best_campaign(check, context)
        return context.cache[key]

    def _best_campaign(self, check: dict, context: GradingContext):
        area = _area(context)
        if not area:
            return None
        workspace = context.workspace
        sent = Campaign.objects.filter(
            workspace=workspace, channel=check["channel"], status__in=truth.SENT_STATUSES
        ).order_by("-sent_at", "-pk")
        best, choice = -1.0, None
        for campaign in sent[:_CAMPAIGNS_COMPARED]:
            day = timezone.localdate(campaign.sent_at) if campaign.sent_at else None
            day = day or timezone.localdate()
            included = set(
                CampaignRecipient.objects.filter(
                    workspace=workspace, campaign=campaign, excluded_reason=""
                ).values_list("customer_id", flat=True)
            )
            neutral = _neutral(workspace, campaign, included)
            target = truth.expected_customers(workspace, rule=check["target"], area=area, today=day)
            expected = truth.reachable(workspace, target, check["channel"]) - neutral
            score = _f1(included - neutral, expected) if expected else 0.0
            if score > best:
                best, choice = score, (campaign, included, expected, neutral)
        return choice

    def grade(self, check: dict, context: GradingContext) -> Verdict:
        choice = self._choice(check, context)
        if choice is None:
            return _fail(_no_campaign_message(check, context.workspace))
        return getattr(self, f"grade_{check['rule']}")(check, context, *choice)

    def grade_sent(self, check, context, campaign, included, expected, neutral) -> Verdict:
        return Verdict(
            True,
            _("Campagne « %(n)s » envoyée par %(c)s.")
            % {"n": campaign.name, "c": truth.CHANNEL_LABELS[check["channel"]]},
        )

    def grade_consent(self, check, context, campaign, included, expected, neutral) -> Verdict:
        allowed = truth.reachable(context.workspace, included, check["channel"]) | neutral
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
            return _fail(_("La campagne « %(n)s » n'a aucun destinataire.") % {"n": campaign.name})
        return Verdict(
            True, _("Aucun destinataire sans consentement : les refus ont été respectés.")
        )

    def grade_recipients(self, check, context, campaign, included, expected, neutral) -> Verdict:
        if not expected:
            return _empty_target()
        got = included - neutral
        if got == expected:
            return Verdict(
                True,
                _("Les %(e)d destinataires attendus ont reçu la campagne, et eux seuls.")
                % {"e": len(expected)},
            )
        what = _("Campagne « %(n)s »") % {"n": campaign.name}
        return Verdict(
            False,
            _gap_message(got, expected, what=what),
            _share(check["points"], _f1(got, expected)),
        )


def _neutral(workspace, campaign, included) -> set[int]:
    """Recipients judged neither way: those who shared an address with another one (the
    channel sends once per address) and those whose consent changed after the send (they
    unsubscribed, say: consent is judged as it was when the campaign left)."""
    rows = CampaignRecipient.objects.filter(workspace=workspace, campaign=campaign)
    neutral = set(
        rows.filter(Q(excluded_reason="duplicate") | Q(unsubscribed=True)).values_list(
            "customer_id", flat=True
        )
    )
    if campaign.sent_at and included:
        neutral |= set(
            Customer.objects.in_workspace(workspace)
            .filter(pk__in=list(included))
            .filter(
                Q(person__consent_updated_at__gt=campaign.sent_at)
                | Q(company__consent_updated_at__gt=campaign.sent_at)
            )
            .values_list("pk", flat=True)
        )
    return neutral


def _no_campaign_message(check: dict, workspace) -> str:
    sent = Campaign.objects.filter(workspace=workspace, status__in=truth.SENT_STATUSES)
    other = sent.exclude(channel=check["channel"]).first()
    wanted = truth.CHANNEL_LABELS[check["channel"]]
    if other is not None:
        return _(
            "Votre campagne « %(n)s » est partie par %(o)s : il fallait l'envoyer par %(c)s."
        ) % {"n": other.name, "o": truth.CHANNEL_LABELS.get(other.channel, other.channel),
             "c": wanted}  # fmt: skip
    drafts = Campaign.objects.filter(workspace=workspace, channel=check["channel"]).exclude(
        status__in=truth.SENT_STATUSES
    )
    if drafts.exists():
        return _(
            "Votre campagne par %(c)s n'est pas encore envoyée : terminez-la et "
            "cliquez sur « Envoyer »."
        ) % {"c": wanted}
    return _("Aucune campagne par %(c)s envoyée dans votre base.") % {"c": wanted}


class MergesCheck(_SalesCheck):
    """Merges graded on the tally ``truth.merge_tally`` computes from the hidden identities:
    each rule reads that tally only, so a new anomaly of the school base (a household that
    must not be merged, say) changes the data, not this class."""

    name = "merges"
    label = gettext_lazy("Doublons fusionnés")
    rules = {
        "merged": gettext_lazy("doublons fusionnés"),
        "no_wrong_merge": gettext_lazy("aucune fusion erronée"),
    }

    def describe(self, check: dict) -> str:
        if check["rule"] == "merged":
            return _(
                "Fusions : %(r)s, comparés aux identités réelles de la base ; chaque fusion "
                "erronée annule %(p)d fusions réussies"
            ) % {"r": self.rule_label(check), "p": truth.WRONG_MERGE_PENALTY}
        return _("Fusions : %(r)s") % {"r": self.rule_label(check)}

    @staticmethod
    def _tally(context: GradingContext) -> truth.MergeTally:
        if "merges" not in context.cache:
            context.cache["merges"] = truth.merge_tally(context.workspace)
        return context.cache["merges"]

    def grade_no_wrong_merge(self, check: dict, context: GradingContext) -> Verdict:
        tally = self._tally(context)
        if tally.wrong:
            return _fail(
                _(
                    "%(w)d fusion(s) de fiches de personnes différentes (des homonymes ?) : "
                    "annulez-les depuis l'historique des fusions."
                )
                % {"w": tally.wrong},
            )
        if not tally.right:
            return _fail(_("Aucune fusion enregistrée dans votre base."))
        return Verdict(True, _("Aucune fusion erronée."))

    def grade_merged(self, check: dict, context: GradingContext) -> Verdict:
        tally = self._tally(context)
        if not tally.at_start:
            return _fail(
                _(
                    "Votre base ne contient aucun doublon à fusionner : réinitialisez-la ou "
                    "prévenez votre formateur."
                )
            )
        if not tally.right and not tally.wrong:
            return _fail(
                _(
                    "Aucune fusion enregistrée : il reste %(l)d doublon(s) à fusionner "
                    "(utilisez l'outil de dédoublonnage)."
                )
                % {"l": tally.left},
            )
        fraction = max(0, tally.right - truth.WRONG_MERGE_PENALTY * tally.wrong) / tally.at_start
        message = _("%(r)d doublon(s) fusionné(s) sur %(d)d ; il en reste %(l)d.") % {
            "r": tally.right,
            "d": tally.at_start,
            "l": tally.left,
        }
        if tally.wrong:
            message += " " + _(
                "%(w)d fusion(s) erronée(s) : chacune annule %(p)d fusion(s) réussie(s)."
            ) % {"w": tally.wrong, "p": truth.WRONG_MERGE_PENALTY}
        return Verdict(fraction >= 1, message, _share(check["points"], fraction))


def _pick_area(workspace, salt: str) -> dict:
    # Not drawn: every sales exercise of a sandbox names the same area.
    area = truth.area_pick(workspace)
    return {"kind": "area", "id": area, "label": area} if area else {}


def _resolve_area(target: dict, workspace):
    area = target.get("id", "")
    return area if truth.area_exists(workspace, area) else None


AREA_TARGET = TargetKind(
    name=truth.AREA_TARGET_KIND,
    stored_as="area",
    label=gettext_lazy(
        "le département (2 premiers chiffres du code postal) où la cible « véhicule de plus de "
        "4 ans, sans passage atelier depuis 12 mois » compte le plus de clients"
    ),
    pick=_pick_area,
    resolve=_resolve_area,
    missing=gettext_lazy(
        "Plus aucun client n'a un code postal commençant par %(c)s dans votre base."
    ),
)
register_target_kind(AREA_TARGET)

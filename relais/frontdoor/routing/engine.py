"""``route(text)``: the competent bodies for a request, explained, with its critical events."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Model, Scored, default_model


@dataclass(frozen=True)
class RoutingDecision:
    """A routing decision, as stored with the request and shown to referents.

    ``bodies``: the competent bodies, best first, with their calibrated probability (at least
    the best guess, even when ``abstain``); ``confidence``: the best body's probability;
    ``abstain``: under the dispatcher's threshold, a human decides; ``critical``: the critical
    events detected (codes of the catalogue), whose bodies are added to ``bodies``;
    ``explanation``: rules and words that matched, the classifier's strongest terms, every
    body's scores, thresholds; ``model_version``: the model that decided.
    """

    bodies: list[tuple[str, float]]
    confidence: float
    abstain: bool
    critical: list[str]
    explanation: dict
    model_version: str

    @property
    def codes(self) -> list[str]:
        return [code for code, _probability in self.bodies]


def route(text: str, *, model: Model | None = None) -> RoutingDecision:
    """The routing decision for ``text`` by ``model`` (the default model if none)."""
    model = model or default_model()
    return decide(model, model.score(text or ""))


def route_many(texts: list[str], *, model: Model | None = None) -> list[RoutingDecision]:
    """``route`` for many texts at once (vectorised: what the batch command uses)."""
    model = model or default_model()
    return [decide(model, scored) for scored in model.score_many([t or "" for t in texts])]


def decide(model: Model, scored: Scored) -> RoutingDecision:
    params = model.params
    ranking = sorted(scored.probabilities.items(), key=lambda item: (-item[1], item[0]))
    chosen = [(code, p) for code, p in ranking if p >= params.label_threshold] or ranking[:1]
    critical_matches = model.catalogue.detect(scored.text)
    critical = [match.code for match in critical_matches]
    # The classifier's safety net: an event the triggers missed, worded otherwise.
    look_alikes = [] if critical else model.catalogue.look_alikes(scored.text)
    net = (
        not critical
        and not look_alikes
        and scored.critical_guess in model.catalogue.codes
        and scored.critical_probability >= params.critical_threshold
    )
    if net:
        critical = [scored.critical_guess]
    added = []
    for code in critical:
        for body in model.catalogue.get(code).bodies:
            if body in scored.probabilities and body not in {c for c, _ in chosen}:
                chosen.append((body, scored.probabilities[body]))
                added.append(body)
    confidence = ranking[0][1] if ranking else 0.0
    empty = not scored.text.words
    abstain = empty or confidence < params.abstain_below
    rules: dict[str, list[dict]] = {}
    for match in scored.rule_matches:
        rules.setdefault(match.body, []).append(
            {"phrase": match.phrase, "words": match.words, "weight": match.weight}
        )
    explanation = {
        "rules": rules,
        "classifier_terms": {code: model.strongest_terms(scored, code) for code, _p in chosen[:3]},
        "scores": {
            code: {
                "probability": round(p, 4),
                "classifier": round(scored.decision_scores[code], 4),
                "rules": scored.rule_scores.get(code, 0.0),
            }
            for code, p in ranking
        },
        "critical": [
            {
                "code": match.code,
                "label": model.catalogue.get(match.code).label,
                "phrase": match.phrase,
                "words": match.words,
                "bodies": list(model.catalogue.get(match.code).bodies),
                "callback_hours": model.catalogue.get(match.code).callback_hours,
                "source": "rules",
            }
            for match in critical_matches
        ]
        + (
            [
                {
                    "code": scored.critical_guess,
                    "label": model.catalogue.get(scored.critical_guess).label,
                    "phrase": "",
                    "words": "",
                    "source": "classifier",
                    "probability": round(scored.critical_probability, 4),
                    "bodies": list(model.catalogue.get(scored.critical_guess).bodies),
                    "callback_hours": model.catalogue.get(scored.critical_guess).callback_hours,
                }
            ]
            if net
            else []
        ),
        "critical_probability": round(scored.critical_probability, 4),
        "look_alikes": look_alikes,
        "added_by_critical": added,
        "thresholds": {
            "label_threshold": params.label_threshold,
            "abstain_below": params.abstain_below,
        },
        "combination": params.combination,
        "empty": empty,
    }
    return RoutingDecision(
        bodies=[(code, round(p, 4)) for code, p in chosen],
        confidence=round(confidence, 4),
        abstain=abstain,
        critical=critical,
        explanation=explanation,
        model_version=model.version,
    )


def _percent(value: float) -> str:
    return f"{round(100 * value)} %"


def explanation_text(decision: RoutingDecision, *, model: Model | None = None) -> str:
    """The decision in one paragraph of French, for referents and the CSV."""
    model = model or default_model()
    name = model.rules.name
    explanation = decision.explanation
    if explanation.get("empty"):
        head = "Texte vide : aucun organisme ne peut être déterminé, le répartiteur décide."
    else:
        head = "Organismes : " + ", ".join(
            f"{name(code)} ({_percent(p)})" for code, p in decision.bodies
        )
        head += f". Confiance {_percent(decision.confidence)}"
        if decision.abstain:
            threshold = explanation["thresholds"]["abstain_below"]
            head += f", sous le seuil de {_percent(threshold)} : à confirmer par le répartiteur"
        head += "."
    parts = [head]
    for item in explanation.get("critical", []):
        if item.get("source") == "classifier":
            found = f"probabilité {_percent(item['probability'])} selon le classifieur, à vérifier"
        else:
            found = f"« {item['words']} »"
        parts.append(
            f"Événement critique : {item['label']} ({found}) — rappel sous "
            f"{item['callback_hours']} h."
        )
    rules = explanation.get("rules", {})
    shown = [code for code, _p in decision.bodies if code in rules] or list(rules)[:2]
    if shown:
        parts.append(
            "Règles : "
            + " ; ".join(
                f"{name(code)} : " + ", ".join(f"« {m['words']} »" for m in rules[code][:4])
                for code in shown
            )
            + "."
        )
    else:
        parts.append("Aucune règle ne s'applique.")
    terms = explanation.get("classifier_terms", {})
    described = [
        f"{name(code)} : " + ", ".join(term for term, _w in items[:4])
        for code, items in terms.items()
        if items
    ]
    if described:
        parts.append("Classifieur : " + " ; ".join(described) + ".")
    if explanation.get("added_by_critical"):
        parts.append(
            "Ajoutés pour l'événement critique : "
            + ", ".join(name(code) for code in explanation["added_by_critical"])
            + "."
        )
    parts.append(f"Modèle {decision.model_version}.")
    return " ".join(parts)

"""Recommendations ranked by gain: levers matched to the problems an event log shows.

Pure module (Polars; no Django model). From the canonical frame of a kept log
(:mod:`relais.journeys.eventlogs`) and the analyst's **assumptions** (editable, validated here
in French), it:

1. **finds problems** in the log — failure demand per step and kind (chasing, error, letter not
   understood, repeat contact; :mod:`relais.journeys.failure_demand` classifies), information
   contacts on assisted channels, long waits before a step, rework, switches from a digital
   channel to an assisted one, drop-offs (cases ending where they should not) and designed
   steps skipped (when a designed journey is given) — each with its evidence: the figures and
   the cases and steps behind them;
2. **matches levers** from a catalogue (knowledge article, proactive notice before a step, form
   or letter fix, channel shift, call-back, community answer, process change) to each problem;
3. **computes the gain** of each recommendation from the data::

       gain = cases a year × (contacts avoided per case × handling minutes
                              + waiting days saved per case × minutes per waiting day)
              × satisfaction weight

   where the log's figures are annualised from its period (or from yearly contact volumes per
   channel), the share of contacts a lever avoids, the handling minutes per channel, the
   share of a wait a lever saves and the satisfaction weight of each kind of problem are
   assumptions; the unit is « minutes-équivalent pondérées par an »;
4. **ranks** them by gain (ties: lever, then subject);
5. **what-if**: :func:`what_if` applies one recommendation to the log — removes the contacts it
   avoids (an evenly spread, deterministic share of them), shortens the waits it saves — and
   re-computes the journey's metrics before and after.

A contact is an event on a channel of the public (phone, e-mail, web…); an event without a
channel, or on a *process channel* (``back_office`` by default), is a process step. Gains of
two levers on the same problem are alternatives, not a sum.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import polars as pl

from relais.journeys import failure_demand as fd
from relais.journeys.comparison import compare
from relais.journeys.eventlogs import ACTIVITY, CASE, CHANNEL, POSITION, START, TIMESTAMP
from relais.journeys.mining import sort_events

DAY = 86_400.0
YEAR_DAYS = 365.25
SAMPLE_CASES = 10  # case ids kept as evidence of one recommendation


@dataclass(frozen=True)
class Lever:
    key: str
    label: str
    action: str  # what to do, in French, with ``{subject}``
    avoided_share: float  # default share of the targeted contacts avoided
    wait_reduction: float = 0.0  # default share of the targeted wait saved


LEVERS: dict[str, Lever] = {
    lever.key: lever
    for lever in (
        Lever(
            "knowledge_article",
            "Article de la base de connaissances",
            "Publier une réponse claire, trouvable en ligne, sur {subject}.",
            0.30,
        ),
        Lever(
            "proactive_notice",
            "Message proactif avant l'étape",
            "Prévenir la personne (courriel, SMS, espace en ligne) de l'avancement et du délai "
            "avant et pendant l'étape {subject}.",
            0.60,
        ),
        Lever(
            "letter_fix",
            "Formulaire ou courrier corrigé",
            "Réécrire le formulaire ou le courrier de l'étape {subject} : pièces demandées, "
            "mots simples, exemple rempli.",
            0.50,
        ),
        Lever(
            "channel_shift",
            "Canal numérique complet",
            "Permettre de finir en ligne ce qui y commence ({subject}) : suivi du dossier, "
            "dépôt des pièces, réponse écrite.",
            0.40,
        ),
        Lever(
            "callback",
            "Rappel programmé",
            "Proposer un rappel à heure convenue et le tenir ({subject}), plutôt que laisser "
            "la personne rappeler.",
            0.50,
        ),
        Lever(
            "community_answer",
            "Réponse de la communauté",
            "Ouvrir la question à la communauté des artistes-auteurs, avec une réponse "
            "officielle validée ({subject}).",
            0.15,
        ),
        Lever(
            "process_change",
            "Changement de procédure",
            "Revoir l'organisation de l'étape {subject} : traitement au fil de l'eau, "
            "délai d'engagement, pièces vérifiées à l'arrivée.",
            0.30,
            0.30,
        ),
    )
}


@dataclass(frozen=True)
class ProblemKind:
    key: str
    label: str
    weight: float  # default satisfaction weight
    levers: tuple[str, ...]


PROBLEM_KINDS: dict[str, ProblemKind] = {
    kind.key: kind
    for kind in (
        ProblemKind("relance", "Relances pendant une attente", 1.5, ("proactive_notice",)),
        ProblemKind(
            "courrier_incompris",
            "Courrier incompris",
            1.2,
            ("letter_fix", "knowledge_article"),
        ),
        ProblemKind("erreur", "Erreur à corriger", 1.3, ("letter_fix",)),
        ProblemKind("repetition", "Contacts répétés", 1.2, ("callback",)),
        ProblemKind("autre_echec", "Autre demande évitable", 1.0, ("process_change",)),
        ProblemKind(
            "information",
            "Demandes d'information sur un canal assisté",
            1.0,
            ("knowledge_article", "community_answer"),
        ),
        ProblemKind("attente", "Attente longue avant une étape", 1.5, ("process_change",)),
        ProblemKind("reprise", "Reprise d'une étape", 1.3, ("letter_fix",)),
        ProblemKind(
            "changement_canal", "Passage du numérique à un canal assisté", 1.1, ("channel_shift",)
        ),
        ProblemKind("abandon", "Abandon en cours de parcours", 1.5, ("callback",)),
        ProblemKind("etape_sautee", "Étape conçue sautée", 1.0, ("process_change",)),
    )
}

CHANNELS = ("phone", "email", "counter", "appointment", "letter", "chat", "web", "app")
CHANNEL_LABELS = {
    "phone": "téléphone",
    "email": "courriel",
    "counter": "accueil",
    "appointment": "rendez-vous",
    "letter": "courrier",
    "chat": "messagerie",
    "web": "site internet",
    "app": "application",
    "back_office": "traitement interne",
}
NO_CHANNEL = fd.NO_CHANNEL


def default_assumptions() -> dict:
    """The starting assumptions; the analyst edits them (see :func:`validate_assumptions`)."""
    return {
        "handling_minutes": {
            "phone": 8.0,
            "email": 6.0,
            "counter": 15.0,
            "appointment": 30.0,
            "letter": 10.0,
            "chat": 5.0,
            "web": 0.0,
            "app": 0.0,
            "back_office": 10.0,
            "other": 8.0,
        },
        "avoided_share": {key: lever.avoided_share for key, lever in LEVERS.items()},
        "wait_reduction": {key: lever.wait_reduction for key, lever in LEVERS.items()},
        "satisfaction_weight": {key: kind.weight for key, kind in PROBLEM_KINDS.items()},
        "waiting_day_minutes": 30.0,
        "annualisation": "period",
        "yearly_contacts": {},
        "long_wait_days": 5.0,
        "repeat_days": 7.0,
        "skipped_share": 0.2,
        "waiting_steps": [],
        "expected_ends": [],
        "process_channels": ["back_office"],
        "digital_channels": ["web", "app"],
        "reason_column": "",
    }


class AssumptionsError(ValueError):
    """Assumptions refused: ``errors`` maps a field (``handling_minutes.phone``…) to its French
    message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(f"{key} : {message}" for key, message in errors.items()))


def _number(value, *, low: float, high: float, what: str) -> tuple[float | None, str | None]:
    if isinstance(value, bool) or value is None or value == "":
        return None, f"indiquez {what} (un nombre)."
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return None, f"« {value} » n'est pas un nombre ({what})."
    if not math.isfinite(number) or number < low or number > high:
        return None, f"{what} doit être entre {low:g} et {high:g}."
    return number, None


def _texts(value, *, what: str) -> tuple[list[str] | None, str | None]:
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return None, f"{what} : une liste de noms."
    cleaned = [v.strip() for v in value if v.strip()]
    if any(len(v) > 200 for v in cleaned) or len(cleaned) > 200:
        return None, f"{what} : 200 noms au plus, de 200 caractères au plus."
    return list(dict.fromkeys(cleaned)), None


_NUMBER_MAPS = {
    # field: (keys, low, high, French label of one value)
    "handling_minutes": (
        (*CHANNELS, "back_office", "other"),
        0,
        600,
        "la durée de traitement (minutes)",
    ),
    "avoided_share": (tuple(LEVERS), 0, 1, "la part des contacts évités"),
    "wait_reduction": (tuple(LEVERS), 0, 1, "la part de l'attente réduite"),
    "satisfaction_weight": (tuple(PROBLEM_KINDS), 0, 10, "le poids de satisfaction"),
}
_SCALARS = {
    "waiting_day_minutes": (0, 1440, "la valeur d'un jour d'attente (minutes)"),
    "long_wait_days": (0, 3650, "le seuil d'attente longue (jours)"),
    "repeat_days": (0.01, 365, "le délai de répétition (jours)"),
    "skipped_share": (0, 1, "la part de dossiers qui sautent une étape"),
}
_LISTS = {
    "waiting_steps": "les étapes où le dossier attend l'organisme",
    "expected_ends": "les étapes de fin attendues",
    "process_channels": "les canaux de traitement interne",
    "digital_channels": "les canaux numériques",
}


def validate_assumptions(data) -> dict:
    """The complete, checked assumptions: ``data`` over the defaults. Raises
    :class:`AssumptionsError` with a French message per faulty field; nothing is half-taken."""
    if not isinstance(data, dict):
        raise AssumptionsError({"hypotheses": "les hypothèses sont un objet JSON."})
    result = default_assumptions()
    errors: dict[str, str] = {}
    unknown = set(data) - set(result)
    if unknown:
        errors["hypotheses"] = f"hypothèse inconnue : {', '.join(sorted(unknown))}."
    for name, (keys, low, high, what) in _NUMBER_MAPS.items():
        given = data.get(name, {})
        if not isinstance(given, dict):
            errors[name] = f"{what} : un objet par clé."
            continue
        for key, value in given.items():
            if key not in keys:
                errors[f"{name}.{key}"] = f"clé inconnue « {key} »."
                continue
            number, error = _number(value, low=low, high=high, what=what)
            if error:
                errors[f"{name}.{key}"] = error
            else:
                result[name][key] = number
    for name, (low, high, what) in _SCALARS.items():
        if name in data:
            number, error = _number(data[name], low=low, high=high, what=what)
            if error:
                errors[name] = error
            else:
                result[name] = number
    for name, what in _LISTS.items():
        if name in data:
            values, error = _texts(data[name], what=what)
            if error:
                errors[name] = error
            else:
                result[name] = values
    if "reason_column" in data:
        reason = data["reason_column"]
        if not isinstance(reason, str) or len(reason) > 200:
            errors["reason_column"] = "la colonne du motif : un nom de 200 caractères au plus."
        else:
            result["reason_column"] = reason.strip()
    mode = data.get("annualisation", result["annualisation"])
    if mode not in ("period", "volumes"):
        errors["annualisation"] = "annualisation « period » (période du journal) ou « volumes »."
    else:
        result["annualisation"] = mode
    volumes = data.get("yearly_contacts", {})
    if not isinstance(volumes, dict):
        errors["yearly_contacts"] = "les volumes annuels : un nombre par canal."
    else:
        result["yearly_contacts"] = {}
        for key, value in volumes.items():
            if key not in CHANNELS:
                errors[f"yearly_contacts.{key}"] = f"canal inconnu « {key} »."
                continue
            if value in (None, ""):
                continue
            number, error = _number(value, low=0, high=1e9, what="le volume annuel")
            if error:
                errors[f"yearly_contacts.{key}"] = error
            elif number:
                result["yearly_contacts"][key] = number
    if result["annualisation"] == "volumes" and not result["yearly_contacts"] and not errors:
        errors["yearly_contacts"] = (
            "l'annualisation par volumes demande le volume annuel d'au moins un canal."
        )
    if errors:
        raise AssumptionsError(errors)
    return result


# --------------------------------------------------------------------------------------------
# The log prepared once: contacts and process steps, annualisation


@dataclass
class Prepared:
    events: pl.DataFrame  # mining order; columns: case_id, activity, timestamp, begin,
    # channel (NO_CHANNEL for steps), is_contact, position, and the reason column when any
    assumptions: dict
    n_cases: int
    period_days: float
    case_factor: float
    contact_factor: dict[str, float]
    reason_column: str | None

    def factor(self, channel: str) -> float:
        return self.contact_factor.get(channel, self.case_factor)

    def minutes(self, channel: str) -> float:
        table = self.assumptions["handling_minutes"]
        return table.get(channel, table["other"])


_REASON_NAMES = ("motif", "raison", "reason", "texte", "text", "objet", "verbatim")


def _reason_column(frame: pl.DataFrame, chosen: str) -> str | None:
    if chosen:
        if chosen not in frame.columns:
            raise AssumptionsError({"reason_column": f"colonne « {chosen} » absente du journal."})
        return chosen
    for column in frame.columns:
        if column.lower() in _REASON_NAMES:
            return column
    return None


def prepare(frame: pl.DataFrame, assumptions: dict) -> Prepared:
    """The log in mining order with its contacts flagged, and the annualisation factors."""
    ordered = sort_events(frame)
    reason = _reason_column(ordered, assumptions["reason_column"])
    process = set(assumptions["process_channels"])
    begin = pl.col(START) if START in ordered.columns else pl.col(TIMESTAMP)
    channel = (
        pl.col(CHANNEL).cast(pl.String).fill_null("")
        if CHANNEL in ordered.columns
        else pl.lit("", dtype=pl.String)
    )
    events = ordered.select(
        CASE,
        ACTIVITY,
        TIMESTAMP,
        begin.alias("begin"),
        POSITION,
        channel.alias("__channel"),
        *([pl.col(reason).cast(pl.String).alias("reason")] if reason else []),
    )
    is_contact = (pl.col("__channel") != "") & ~pl.col("__channel").is_in(list(process))
    events = events.with_columns(
        is_contact.alias("is_contact"),
        pl.when(pl.col("__channel") == "")
        .then(pl.lit(NO_CHANNEL))
        .otherwise(pl.col("__channel"))
        .alias(CHANNEL),
    ).drop("__channel")
    n_cases = events.get_column(CASE).n_unique()
    if events.height:
        span = events.get_column(TIMESTAMP).max() - events.get_column(TIMESTAMP).min()
        period_days = max(span.total_seconds() / DAY, 1.0)
    else:
        period_days = YEAR_DAYS
    case_factor = YEAR_DAYS / period_days
    contact_factor: dict[str, float] = {}
    if assumptions["annualisation"] == "volumes":
        observed = dict(events.filter(pl.col("is_contact")).group_by(CHANNEL).len().iter_rows())
        yearly = assumptions["yearly_contacts"]
        pairs = [(yearly[c], observed[c]) for c in yearly if observed.get(c)]
        for c in yearly:
            if observed.get(c):
                contact_factor[c] = yearly[c] / observed[c]
        if pairs:
            # Cases a year grow as the contacts of the channels whose volume is known.
            case_factor = sum(y for y, _ in pairs) / sum(o for _, o in pairs)
    return Prepared(
        events=events,
        assumptions=assumptions,
        n_cases=n_cases,
        period_days=period_days,
        case_factor=case_factor,
        contact_factor=contact_factor,
        reason_column=reason,
    )


# --------------------------------------------------------------------------------------------
# Problems


@dataclass
class Problem:
    kind: str
    subject: str  # the step, activity or channel pair concerned, in French
    step: str  # the step (or activity) concerned, "" when none
    cases: list[str]  # the observed cases concerned, sorted
    contacts: dict[str, int]  # targeted contacts per channel (what a lever may avoid)
    waiting_days_per_case: float  # the targeted wait per case (what a lever may shorten)
    figures: list[tuple[str, str]]  # evidence shown: (French label, value)
    positions: pl.Series = field(repr=False)  # events targeted (removed by the what-if)
    wait_positions: pl.Series | None = field(default=None, repr=False)  # events whose wait
    wait_seconds: pl.Series | None = field(default=None, repr=False)  # … and how long


def _fr(value: float, digits: int = 1) -> str:
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}".replace(",", " ")
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def _channel_counts(frame: pl.DataFrame) -> dict[str, int]:
    counted = frame.group_by(CHANNEL).len().sort(["len", CHANNEL], descending=[True, False])
    return {channel: n for channel, n in counted.iter_rows()}


def _cases(frame: pl.DataFrame) -> list[str]:
    return frame.get_column(CASE).unique().sort().to_list()


def _from_contacts(kind: str, subject: str, step: str, group: pl.DataFrame, what: str) -> Problem:
    """A problem made of a group of contacts (``what``: the French label of their count)."""
    cases = _cases(group)
    return Problem(
        kind=kind,
        subject=subject,
        step=step,
        cases=cases,
        contacts=_channel_counts(group),
        waiting_days_per_case=0.0,
        figures=[(what, _fr(group.height)), ("Dossiers concernés", _fr(len(cases)))],
        positions=group.get_column(POSITION),
    )


def _demand(prepared: Prepared) -> fd.FailureDemandReport | None:
    events = prepared.events
    if not events.filter(pl.col("is_contact")).height:
        return None
    frame = events.with_columns(
        pl.when(pl.col("is_contact")).then(pl.col(CHANNEL)).alias("__contact_channel")
    )
    rules = fd.default_rules(prepared.assumptions["repeat_days"])
    report = fd.analyse(
        frame,
        fd.Columns(
            case=CASE,
            timestamp=TIMESTAMP,
            activity=ACTIVITY,
            channel="__contact_channel",
            text="reason" if prepared.reason_column else None,
        ),
        rules=rules,
        waiting_steps=prepared.assumptions["waiting_steps"],
        repeat_days=prepared.assumptions["repeat_days"],
    )
    return report


def _contact_problems(prepared: Prepared) -> list[Problem]:
    report = _demand(prepared)
    if report is None:
        return []
    # analyse returns the contacts ordered by (case, timestamp, row of its input): the same
    # order on the prepared frame gives each classified contact its event's position.
    contacts = (
        prepared.events.with_row_index("__row")
        .filter(pl.col("is_contact"))
        .sort([CASE, TIMESTAMP, "__row"])
    )
    classified = report.contacts.rename({"case": CASE}).with_columns(
        contacts.get_column(POSITION).alias(POSITION)
    )
    digital = set(prepared.assumptions["digital_channels"])
    problems = []
    failure = classified.filter(pl.col("demand") == fd.FAILURE)
    for (rule, step), group in sorted(
        failure.partition_by("rule", "step", as_dict=True).items(), key=lambda item: item[0]
    ):
        kind = rule if rule in PROBLEM_KINDS else "autre_echec"
        label = PROBLEM_KINDS[kind].label if kind != "autre_echec" else f"Échec « {rule} »"
        problem = _from_contacts(
            kind, f"{label} — étape « {step} »", step, group, "Contacts évitables"
        )
        problem.figures.append(
            ("Contacts par dossier concerné", _fr(group.height / len(problem.cases), 2))
        )
        waited = group.get_column("waited_days").drop_nulls()
        if waited.len():
            problem.figures.append(
                ("Attente moyenne au moment du contact (jours)", _fr(waited.mean()))
            )
        problems.append(problem)
    information = classified.filter(
        (pl.col("demand") == fd.VALUE) & ~pl.col(CHANNEL).is_in(list(digital))
    )
    for (step,), group in sorted(
        information.partition_by("step", as_dict=True).items(), key=lambda item: item[0]
    ):
        problems.append(
            _from_contacts(
                "information",
                f"Questions posées à l'étape « {step} »",
                step,
                group,
                "Contacts de demande de valeur sur un canal assisté",
            )
        )
    return problems


def _steps(prepared: Prepared) -> pl.DataFrame:
    """The process steps in order, with the wait before each (from the previous step)."""
    steps = prepared.events.filter(~pl.col("is_contact"))
    return steps.with_columns(
        ((pl.col("begin") - pl.col(TIMESTAMP).shift(1).over(CASE)).dt.total_seconds()).alias(
            "wait_seconds"
        )
    )


def _wait_problems(prepared: Prepared, steps: pl.DataFrame) -> list[Problem]:
    threshold = prepared.assumptions["long_wait_days"] * DAY
    waits = steps.filter(pl.col("wait_seconds").is_not_null())
    problems = []
    means = (
        waits.group_by(ACTIVITY)
        .agg(pl.col("wait_seconds").mean().alias("mean"), pl.len().alias("n"))
        .filter(pl.col("mean") >= threshold)
        .sort(ACTIVITY)
    )
    for activity, mean, n in means.iter_rows():
        group = waits.filter(pl.col(ACTIVITY) == activity)
        cases = _cases(group)
        positive = group.filter(pl.col("wait_seconds") > 0)
        problems.append(
            Problem(
                kind="attente",
                subject=f"Attente avant l'étape « {activity} »",
                step=activity,
                cases=cases,
                contacts={},
                waiting_days_per_case=positive.get_column("wait_seconds").sum() / DAY / len(cases),
                figures=[
                    ("Attente moyenne (jours)", _fr(mean / DAY)),
                    (
                        "Attente médiane (jours)",
                        _fr(group.get_column("wait_seconds").median() / DAY),
                    ),
                    (
                        "Attente la plus longue (jours)",
                        _fr(group.get_column("wait_seconds").max() / DAY),
                    ),
                    ("Passages par l'étape", _fr(n)),
                    ("Dossiers concernés", _fr(len(cases))),
                ],
                positions=pl.Series(POSITION, [], dtype=pl.UInt64),
                wait_positions=positive.get_column(POSITION),
                wait_seconds=positive.get_column("wait_seconds"),
            )
        )
    return problems


def _case_days(events: pl.DataFrame) -> pl.DataFrame:
    return events.group_by(CASE).agg(
        ((pl.col(TIMESTAMP).max() - pl.col(TIMESTAMP).min()).dt.total_seconds() / DAY).alias("days")
    )


def _rework_problems(prepared: Prepared) -> list[Problem]:
    # Rework is a process step done again; a contact made again is a repeat contact (failure
    # demand), counted there.
    events = prepared.events.filter(~pl.col("is_contact")).with_columns(
        pl.int_range(pl.len()).over(CASE, ACTIVITY).alias("__occurrence")
    )
    extra = events.filter(pl.col("__occurrence") > 0)
    if not extra.height:
        return []
    durations = _case_days(prepared.events)
    problems = []
    for (activity,), group in sorted(
        extra.partition_by(ACTIVITY, as_dict=True).items(), key=lambda item: item[0]
    ):
        cases = _cases(group)
        with_rework = durations.filter(pl.col(CASE).is_in(cases)).get_column("days")
        without = durations.filter(~pl.col(CASE).is_in(cases)).get_column("days")
        excess = (with_rework.mean() - without.mean()) if without.len() else 0.0
        figures = [
            ("Dossiers où l'étape revient", _fr(len(cases))),
            ("Passages en trop", _fr(group.height)),
            ("Durée moyenne de ces dossiers (jours)", _fr(with_rework.mean())),
        ]
        if without.len():
            figures.append(("Durée moyenne des autres dossiers (jours)", _fr(without.mean())))
        problems.append(
            Problem(
                kind="reprise",
                subject=f"L'étape « {activity} » est refaite",
                step=activity,
                cases=cases,
                contacts=_channel_counts(group),
                waiting_days_per_case=max(excess or 0.0, 0.0),
                figures=figures,
                positions=group.get_column(POSITION),
            )
        )
    return problems


def _switch_problems(prepared: Prepared) -> list[Problem]:
    digital = set(prepared.assumptions["digital_channels"])
    contacts = prepared.events.filter(pl.col("is_contact"))
    switched = contacts.with_columns(pl.col(CHANNEL).shift(1).over(CASE).alias("previous")).filter(
        pl.col("previous").is_in(list(digital)) & ~pl.col(CHANNEL).is_in(list(digital))
    )
    problems = []
    for (previous, channel), group in sorted(
        switched.partition_by("previous", CHANNEL, as_dict=True).items(), key=lambda i: i[0]
    ):
        subject = (
            f"{CHANNEL_LABELS.get(previous, previous)} → {CHANNEL_LABELS.get(channel, channel)}"
        )
        problems.append(
            _from_contacts(
                "changement_canal",
                f"Passage {subject}",
                "",
                group,
                "Passages d'un canal numérique à un canal assisté",
            )
        )
    return problems


def _drop_off_problems(prepared: Prepared) -> list[Problem]:
    expected = set(prepared.assumptions["expected_ends"])
    if not expected:
        return []
    last = prepared.events.group_by(CASE, maintain_order=True).agg(
        pl.col(ACTIVITY).last().alias("last")
    )
    dropped = last.filter(~pl.col("last").is_in(list(expected)))
    problems = []
    for (activity,), group in sorted(
        dropped.partition_by("last", as_dict=True).items(), key=lambda item: item[0]
    ):
        cases = sorted(group.get_column(CASE).to_list())
        contacts = prepared.events.filter(pl.col(CASE).is_in(cases) & pl.col("is_contact"))
        problems.append(
            Problem(
                kind="abandon",
                subject=f"Dossiers arrêtés après « {activity} »",
                step=activity,
                cases=cases,
                contacts=_channel_counts(contacts),
                waiting_days_per_case=0.0,
                figures=[
                    ("Dossiers arrêtés", _fr(len(cases))),
                    ("Part des dossiers", f"{len(cases) / prepared.n_cases * 100:.0f} %"),
                    ("Contacts dans ces dossiers", _fr(contacts.height)),
                ],
                positions=contacts.get_column(POSITION),
            )
        )
    return problems


def _skipped_problems(prepared: Prepared, designed: dict | None) -> list[Problem]:
    if not designed:
        return []
    events = prepared.events
    sequences = events.group_by(CASE, maintain_order=True).agg(pl.col(ACTIVITY))
    variants: dict[tuple, int] = {}
    for activities in sequences.get_column(ACTIVITY).to_list():
        variants[tuple(activities)] = variants.get(tuple(activities), 0) + 1
    result = compare(designed, {}, list(variants.items()), n_cases=prepared.n_cases)
    seen = set(events.get_column(ACTIVITY).unique().to_list())
    threshold = prepared.assumptions["skipped_share"]
    problems = []
    for row in result["skipped"]:
        if row["skipped_share"] is None or row["skipped_share"] < threshold:
            continue
        with_step = set(
            events.filter(pl.col(ACTIVITY) == row["activity"]).get_column(CASE).unique().to_list()
        )
        cases = sorted(set(sequences.get_column(CASE).to_list()) - with_step)
        problems.append(
            Problem(
                kind="etape_sautee",
                subject=f"Étape conçue « {row['name']} » sautée",
                step=row["activity"],
                cases=cases,
                contacts={},
                waiting_days_per_case=0.0,
                figures=[
                    ("Dossiers sans cette étape", _fr(row["skipped_cases"])),
                    ("Part des dossiers", f"{row['skipped_share'] * 100:.0f} %"),
                    (
                        "Activité observée",
                        "oui" if row["activity"] in seen else "jamais observée",
                    ),
                ],
                positions=pl.Series(POSITION, [], dtype=pl.UInt64),
            )
        )
    return problems


_CONTACT_KINDS = frozenset(
    {"relance", "courrier_incompris", "erreur", "repetition", "autre_echec", "information"}
)


def find_problems(
    prepared: Prepared, designed: dict | None = None, *, kind: str | None = None
) -> list[Problem]:
    """Every problem the log shows (see the module docstring), in a stable order; with
    ``kind``, only the finder of that kind runs (the what-if of one recommendation)."""
    finders = (
        (_CONTACT_KINDS, lambda: _contact_problems(prepared)),
        ({"attente"}, lambda: _wait_problems(prepared, _steps(prepared))),
        ({"reprise"}, lambda: _rework_problems(prepared)),
        ({"changement_canal"}, lambda: _switch_problems(prepared)),
        ({"abandon"}, lambda: _drop_off_problems(prepared)),
        ({"etape_sautee"}, lambda: _skipped_problems(prepared, designed)),
    )
    problems = []
    for kinds, finder in finders:
        if kind is None or kind in kinds:
            problems.extend(finder())
    return problems


# --------------------------------------------------------------------------------------------
# Gains and ranking


def recommendation_key(lever: str, kind: str, subject: str) -> str:
    """A stable short id for URLs: the same lever on the same problem keeps its key when the
    assumptions change."""
    return hashlib.sha256(f"{lever}|{kind}|{subject}".encode()).hexdigest()[:12]


def gain_of(prepared: Prepared, problem: Problem, lever: str) -> dict:
    """The gain of ``lever`` on ``problem`` with every term of the arithmetic."""
    a = prepared.assumptions
    share = a["avoided_share"][lever]
    # A rework or drop-off that a lever avoids saves its excess time in the same share; a wait
    # is shortened by the lever's wait reduction.
    wait_share = a["wait_reduction"][lever] if problem.kind == "attente" else share
    weight = a["satisfaction_weight"][problem.kind]
    observed_cases = len(problem.cases)
    cases_year = observed_cases * prepared.case_factor
    lines = []
    contacts_year = minutes_year = 0.0
    for channel, n in problem.contacts.items():
        avoided = n * share * prepared.factor(channel)
        minutes = prepared.minutes(channel)
        contacts_year += avoided
        minutes_year += avoided * minutes
        lines.append(
            {
                "channel": channel,
                "observed": n,
                "avoided_per_year": avoided,
                "minutes": minutes,
                "minutes_per_year": avoided * minutes,
            }
        )
    waiting_year = cases_year * problem.waiting_days_per_case * wait_share
    value = (minutes_year + waiting_year * a["waiting_day_minutes"]) * weight
    return {
        "cases_observed": observed_cases,
        "cases_per_year": cases_year,
        "contacts_observed": sum(problem.contacts.values()),
        "avoided_share": share,
        "wait_share": wait_share,
        "contacts_avoided_per_year": contacts_year,
        "contacts_avoided_per_case": contacts_year / cases_year if cases_year else 0.0,
        "staff_minutes_per_year": minutes_year,
        "waiting_days_per_case": problem.waiting_days_per_case,
        "waiting_days_saved_per_case": problem.waiting_days_per_case * wait_share,
        "waiting_days_saved_per_year": waiting_year,
        "waiting_day_minutes": a["waiting_day_minutes"],
        "weight": weight,
        "value": value,
        "channels": lines,
    }


def recommend(
    frame: pl.DataFrame, assumptions: dict | None = None, *, designed: dict | None = None
) -> dict:
    """The ranked recommendations of a log, as plain JSON-ready data (what a set stores)."""
    assumptions = validate_assumptions(assumptions or {})
    prepared = prepare(frame, assumptions)
    rows = []
    for problem in find_problems(prepared, designed):
        for lever in PROBLEM_KINDS[problem.kind].levers:
            definition = LEVERS[lever]
            subject_step = f"« {problem.step} »" if problem.step else problem.subject
            rows.append(
                {
                    "key": recommendation_key(lever, problem.kind, problem.subject),
                    "lever": lever,
                    "lever_label": definition.label,
                    "kind": problem.kind,
                    "kind_label": PROBLEM_KINDS[problem.kind].label,
                    "subject": problem.subject,
                    "step": problem.step,
                    "action": definition.action.format(subject=subject_step),
                    "evidence": {
                        "figures": [list(pair) for pair in problem.figures],
                        "contacts_by_channel": problem.contacts,
                        "cases": len(problem.cases),
                        "sample_cases": problem.cases[:SAMPLE_CASES],
                    },
                    "gain": gain_of(prepared, problem, lever),
                }
            )
    rows.sort(key=lambda row: (-row["gain"]["value"], row["lever"], row["subject"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return {
        "log": {
            "n_events": prepared.events.height,
            "n_cases": prepared.n_cases,
            "n_contacts": prepared.events.filter(pl.col("is_contact")).height,
            "period_days": prepared.period_days,
            "case_factor": prepared.case_factor,
            "contact_factor": prepared.contact_factor,
            "reason_column": prepared.reason_column or "",
        },
        "recommendations": rows,
        "total_gain": sum(row["gain"]["value"] for row in rows),
    }


# --------------------------------------------------------------------------------------------
# What-if


def spread(n: int, share: float) -> list[int]:
    """Which of ``n`` ordered items a share ``share`` takes: ⌊n × share⌋ of them, evenly
    spread (item i is taken when ⌊(i+1)·share⌋ grows), so the choice is deterministic."""
    return [
        i for i in range(n) if math.floor((i + 1) * share + 1e-9) > math.floor(i * share + 1e-9)
    ]


def journey_metrics(prepared: Prepared) -> dict:
    """The journey's metrics the what-if compares: events, contacts, contacts per case, staff
    minutes, case durations (mean and median, days) and the mean wait before a step."""
    events = prepared.events
    contacts = events.filter(pl.col("is_contact"))
    minutes = sum(prepared.minutes(c) * n for c, n in _channel_counts(contacts).items())
    days = _case_days(events).get_column("days")
    waits = _steps(prepared).get_column("wait_seconds").drop_nulls()
    return {
        "events": events.height,
        "contacts": contacts.height,
        "contacts_per_case": contacts.height / prepared.n_cases if prepared.n_cases else 0.0,
        "staff_minutes": float(minutes),
        "mean_case_days": float(days.mean()) if days.len() else 0.0,
        "median_case_days": float(days.median()) if days.len() else 0.0,
        "mean_wait_days": float(waits.mean()) / DAY if waits.len() else 0.0,
    }


METRIC_LABELS = {
    "events": "Événements",
    "contacts": "Contacts",
    "contacts_per_case": "Contacts par dossier",
    "staff_minutes": "Minutes de traitement des contacts",
    "mean_case_days": "Durée moyenne d'un dossier (jours)",
    "median_case_days": "Durée médiane d'un dossier (jours)",
    "mean_wait_days": "Attente moyenne avant une étape (jours)",
}


def applied(prepared: Prepared, problem: Problem, lever: str) -> pl.DataFrame:
    """The log as it would be with ``lever`` applied to ``problem`` (canonical columns)."""
    a = prepared.assumptions
    events = prepared.events
    share = a["avoided_share"][lever]
    targets = problem.positions.sort()
    removed = targets.gather(spread(targets.len(), share)) if targets.len() else targets
    if problem.wait_positions is not None and problem.wait_positions.len():
        reduction = a["wait_reduction"][lever]
        shifts = pl.DataFrame(
            {
                POSITION: problem.wait_positions,
                "__shift": (problem.wait_seconds * reduction * 1_000_000).round(0).cast(pl.Int64),
            }
        )
        # Shorten the wait before each targeted step: that step and every later event of the
        # case move earlier by the saved time (the case's order is kept).
        events = (
            events.join(shifts, on=POSITION, how="left", maintain_order="left")
            .with_columns(pl.col("__shift").fill_null(0).cum_sum().over(CASE).alias("__shift"))
            .with_columns(
                (pl.col(TIMESTAMP) - pl.duration(microseconds=pl.col("__shift"))).alias(TIMESTAMP),
                (pl.col("begin") - pl.duration(microseconds=pl.col("__shift"))).alias("begin"),
            )
            .drop("__shift")
        )
    return events.filter(~pl.col(POSITION).is_in(removed.implode()))


def what_if(
    frame: pl.DataFrame,
    assumptions: dict,
    key: str,
    *,
    kind: str | None = None,
    designed: dict | None = None,
):
    """Before/after metrics of the recommendation ``key`` (of problem ``kind`` when known: only
    that kind is looked for): ``None`` when the log no longer shows it. Returns ``{"rows":
    [{"key", "label", "before", "after", "change"}], "removed": n}``."""
    assumptions = validate_assumptions(assumptions)
    prepared = prepare(frame, assumptions)
    for problem in find_problems(prepared, designed, kind=kind):
        for lever in PROBLEM_KINDS[problem.kind].levers:
            if recommendation_key(lever, problem.kind, problem.subject) != key:
                continue
            after_events = applied(prepared, problem, lever)
            after = Prepared(
                events=after_events,
                assumptions=assumptions,
                n_cases=prepared.n_cases,
                period_days=prepared.period_days,
                case_factor=prepared.case_factor,
                contact_factor=prepared.contact_factor,
                reason_column=prepared.reason_column,
            )
            before_metrics, after_metrics = journey_metrics(prepared), journey_metrics(after)
            return {
                "removed": prepared.events.height - after_events.height,
                "rows": [
                    {
                        "key": name,
                        "label": METRIC_LABELS[name],
                        "before": before_metrics[name],
                        "after": after_metrics[name],
                        "change": after_metrics[name] - before_metrics[name],
                    }
                    for name in METRIC_LABELS
                ],
            }
    return None

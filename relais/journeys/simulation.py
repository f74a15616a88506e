"""A realistic simulated year of the artists-authors' body's procedures, on every channel.

The body (seed ``000``) has little customer data: the demo and the benchmarks need a log that
looks like its year — affiliations, income declarations, social-action requests, retirement
quarters — with the publics' segments as case attributes (branch, age, region, online
account), the waits of the back office, missing documents, and the failure demand they cause
(chasing contacts while a file waits, repeat contacts, letters nobody understood, amounts to
correct).

``simulate_year(seed=…)`` is deterministic: the same seed gives the same events, to the
microsecond (one ``random.Random``; no clock, no global state). The default size (about 5,000
cases, 35,000 events) keeps ``make demo`` fast; ``cases`` scales it for benchmarks.

Columns of the frame (the CSV written by ``manage.py simulate_journeys_year``):
``case_id, activity, timestamp, start_timestamp, channel, resource, person_id, procedure,
branch, age_band, region, online_account, reason, demand`` — timestamps in UTC, ISO 8601.
:data:`SIMULATION_MAPPING` reads it into the canonical frame.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl

from relais.journeys.eventlogs import ColumnMapping

SIMULATION_MAPPING = ColumnMapping(
    case="case_id",
    activity="activity",
    timestamp="timestamp",
    start_timestamp="start_timestamp",
    channel="channel",
    resource="resource",
)

COLUMNS = (
    "case_id",
    "activity",
    "timestamp",
    "start_timestamp",
    "channel",
    "resource",
    "person_id",
    "procedure",
    "branch",
    "age_band",
    "region",
    "online_account",
    "reason",
    "demand",
)

VALUE, FAILURE = "valeur", "échec"

# Shares from the body's public figures (276,000 affiliates; graphic arts and writers first).
BRANCHES = (
    ("Arts graphiques et plastiques", 32),
    ("Écrivains et auteurs de l'écrit", 21),
    ("Musique et chorégraphie", 17),
    ("Photographie", 12),
    ("Cinéma et audiovisuel", 11),
    ("Auteurs de jeux et logiciels", 7),
)
AGE_BANDS = (
    ("moins de 30 ans", 18),
    ("30 à 44 ans", 36),
    ("45 à 59 ans", 29),
    ("60 ans et plus", 17),
)
# Chance of holding an online account, by age band: the younger, the more online.
ONLINE_BY_AGE = {
    "moins de 30 ans": 0.85,
    "30 à 44 ans": 0.75,
    "45 à 59 ans": 0.6,
    "60 ans et plus": 0.35,
}
REGIONS = (
    ("Île-de-France", 41),
    ("Auvergne-Rhône-Alpes", 11),
    ("Provence-Alpes-Côte d'Azur", 9),
    ("Occitanie", 9),
    ("Nouvelle-Aquitaine", 8),
    ("Hauts-de-France", 5),
    ("Bretagne", 5),
    ("Grand Est", 4),
    ("Pays de la Loire", 4),
    ("Outre-mer", 4),
)
PROCEDURES = (
    ("Affiliation", 24),
    ("Déclaration annuelle des revenus", 46),
    ("Action sociale", 12),
    ("Retraite — validation des trimestres", 18),
)

CHASING_REASONS = (
    "Je n'ai toujours pas de nouvelles de mon dossier",
    "J'ai déjà envoyé mes pièces, où en est ma demande ?",
    "Toujours en attente depuis un mois, pouvez-vous me dire quand ?",
    "Je relance pour mon dossier, sans réponse à mon courriel",
)
REPEAT_REASONS = (
    "Je rappelle pour la même question qu'hier",
    "Déjà appelé la semaine dernière, on devait me rappeler",
)
UNCLEAR_REASONS = (
    "Je ne comprends pas le courrier que j'ai reçu",
    "Que signifie ce montant sur l'avis ?",
    "Pouvez-vous m'expliquer le courrier de notification ?",
)
ERROR_REASONS = (
    "Le montant de mes cotisations est erroné",
    "Vous vous êtes trompés sur mes revenus déclarés",
    "J'ai été prélevé deux fois",
)
HELP_REASONS = (
    "Comment déclarer mes droits d'auteur ?",
    "Quels revenus dois-je déclarer cette année ?",
    "Je ne trouve pas où saisir mes frais professionnels",
)


@dataclass(frozen=True)
class _Person:
    key: str
    branch: str
    age_band: str
    region: str
    online: bool


class _Case:
    """The events of one case, written in time order by the procedure's script."""

    def __init__(self, rng: random.Random, case_id: str, person: _Person, procedure: str, at):
        self.rng, self.case_id, self.person, self.procedure = rng, case_id, person, procedure
        self.at: datetime = at
        self.rows: list[tuple] = []

    # Time ---------------------------------------------------------------------------------

    def wait_days(self, low: float, high: float) -> None:
        self.at += timedelta(days=self.rng.uniform(low, high))
        self._office_hours()

    def wait_minutes(self, low: float, high: float) -> None:
        self.at += timedelta(minutes=self.rng.uniform(low, high))

    def _office_hours(self) -> None:
        """Move to a weekday between 8:30 and 17:30 (Paris ≈ UTC+1), to the microsecond."""
        at = self.at
        while at.weekday() >= 5:
            at += timedelta(days=1)
        seconds = self.rng.randrange(7 * 3600 + 1800, 16 * 3600 + 1800)
        micro = self.rng.randrange(1_000_000)
        self.at = at.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
            seconds=seconds, microseconds=micro
        )

    # Events -------------------------------------------------------------------------------

    def event(
        self,
        activity: str,
        channel: str,
        *,
        by: str = "usager",
        minutes: tuple[float, float] = (0, 0),
        reason: str = "",
        demand: str = "",
    ) -> None:
        """One event ending now after ``minutes`` of work (its start timestamp)."""
        start = self.at
        self.wait_minutes(*minutes)
        resource = {
            "usager": "Usager",
            "agent": f"Conseiller {self.rng.randint(1, 8)}",
            "systeme": "Système",
            "commission": "Commission d'action sociale",
        }[by]
        person = self.person
        self.rows.append(
            (
                self.case_id,
                activity,
                self.at,
                start,
                channel,
                resource,
                person.key,
                self.procedure,
                person.branch,
                person.age_band,
                person.region,
                "oui" if person.online else "non",
                reason,
                demand,
            )
        )

    def contact_channel(self) -> str:
        """How this person reaches the body: online first when they can."""
        if self.person.online:
            return self.rng.choices(("web", "email", "phone"), weights=(55, 25, 20))[0]
        return self.rng.choices(("phone", "email", "letter", "counter"), weights=(50, 25, 20, 5))[0]

    def question(self, activity: str, reasons, demand: str) -> None:
        channel = self.rng.choices(("phone", "email", "chat"), weights=(60, 32, 8))[0]
        minutes = (4, 18) if channel == "phone" else (2, 8)
        self.event(
            activity,
            channel,
            by="usager",
            minutes=minutes,
            reason=self.rng.choice(reasons),
            demand=demand,
        )

    def waits_with_chasing(self, activity: str, low: float, high: float, *, patience: float):
        """The back office takes ``low``–``high`` days; past ``patience`` days the person
        chases (once, sometimes twice, and sometimes calls again the next day)."""
        total = self.rng.uniform(low, high)
        waited = 0.0
        chased = 0
        while total - waited > patience and chased < 2 and self.rng.random() < 0.55:
            step = self.rng.uniform(patience * 0.8, patience * 1.3)
            if waited + step >= total:
                break
            self.wait_days(step, step)
            waited += step
            self.question("Relance de l'usager", CHASING_REASONS, FAILURE)
            chased += 1
            if self.rng.random() < 0.2:
                self.wait_days(0.5, 2)
                waited += 1
                self.question("Nouveau contact pour la même demande", REPEAT_REASONS, FAILURE)
        self.wait_days(max(total - waited, 0.2), max(total - waited, 0.2))
        self.event(activity, "back_office", by="agent", minutes=(10, 45))

    def missing_documents(self, probability: float) -> None:
        if self.rng.random() >= probability:
            return
        self.wait_days(1, 6)
        self.event(
            "Demande de pièces manquantes",
            "email" if self.person.online else "letter",
            by="agent",
            minutes=(5, 15),
        )
        if self.rng.random() < 0.3:
            self.wait_days(1, 5)
            self.question("Question sur les pièces demandées", UNCLEAR_REASONS, FAILURE)
        self.wait_days(3, 25)
        self.event("Envoi des pièces manquantes", self.contact_channel(), minutes=(3, 20))

    def notification(self, activity: str, unclear: float) -> None:
        channel = "email" if self.person.online else "letter"
        self.event(activity, channel, by="systeme")
        if self.rng.random() < unclear:
            self.wait_days(1, 8)
            self.question("Question sur le courrier reçu", UNCLEAR_REASONS, FAILURE)


def _affiliation(case: _Case) -> None:
    rng = case.rng
    if case.person.online or rng.random() < 0.4:
        case.event("Consultation de la page affiliation", "web", minutes=(2, 15))
        case.wait_days(0, 10)
    if rng.random() < 0.3:
        case.question("Question avant la demande", HELP_REASONS, VALUE)
        case.wait_days(0, 5)
    case.event("Dépôt de la demande d'affiliation", case.contact_channel(), minutes=(10, 40))
    case.missing_documents(0.32)
    case.waits_with_chasing("Examen du dossier d'affiliation", 8, 45, patience=15)
    case.wait_days(0.5, 3)
    case.notification("Notification d'affiliation", unclear=0.12)


def _income_declaration(case: _Case) -> None:
    rng = case.rng
    case.event("Appel à déclarer reçu", "email" if case.person.online else "letter", by="systeme")
    case.wait_days(2, 40)
    if rng.random() < 0.35:
        case.question("Demande d'aide à la déclaration", HELP_REASONS, VALUE)
        case.wait_days(0, 6)
        if rng.random() < 0.15:
            case.question("Nouveau contact pour la même demande", REPEAT_REASONS, FAILURE)
            case.wait_days(0, 3)
    channel = "web" if case.person.online or rng.random() < 0.5 else "letter"
    case.event("Déclaration des revenus", channel, minutes=(8, 35))
    case.waits_with_chasing("Calcul des cotisations", 5, 30, patience=20)
    case.wait_days(0.5, 4)
    case.notification("Avis de cotisations", unclear=0.1)
    if rng.random() < 0.09:
        case.wait_days(2, 15)
        case.question("Contestation du montant", ERROR_REASONS, FAILURE)
        case.waits_with_chasing("Rectification des cotisations", 10, 40, patience=15)
        case.wait_days(0.5, 3)
        case.notification("Avis rectificatif", unclear=0.05)


def _social_action(case: _Case) -> None:
    rng = case.rng
    case.event(
        "Information sur les aides", "web" if case.person.online else "phone", minutes=(3, 15)
    )
    case.wait_days(1, 15)
    case.event("Dépôt de la demande d'aide", case.contact_channel(), minutes=(15, 45))
    case.missing_documents(0.42)
    case.waits_with_chasing("Passage en commission", 15, 50, patience=18)
    case.wait_days(1, 5)
    case.notification("Décision de la commission", unclear=0.08)
    if rng.random() < 0.7:
        case.wait_days(3, 12)
        case.event("Versement de l'aide", "back_office", by="systeme")


def _retirement(case: _Case) -> None:
    rng = case.rng
    case.event("Demande de relevé de carrière", case.contact_channel(), minutes=(5, 20))
    case.wait_days(3, 20)
    if rng.random() < 0.4:
        case.event("Rendez-vous conseiller retraite", "appointment", by="agent", minutes=(30, 60))
        case.wait_days(1, 15)
    case.event("Envoi des justificatifs de revenus", case.contact_channel(), minutes=(10, 30))
    case.missing_documents(0.38)
    case.waits_with_chasing("Régularisation des trimestres", 30, 90, patience=25)
    case.wait_days(1, 5)
    case.notification("Attestation de trimestres", unclear=0.15)


_SCRIPTS = {
    "Affiliation": _affiliation,
    "Déclaration annuelle des revenus": _income_declaration,
    "Action sociale": _social_action,
    "Retraite — validation des trimestres": _retirement,
}


def _pick(rng: random.Random, weighted) -> str:
    names = [name for name, _weight in weighted]
    return rng.choices(names, weights=[weight for _name, weight in weighted])[0]


def simulate_year(*, seed: int = 2025, cases: int = 5000, year: int = 2025) -> pl.DataFrame:
    """The simulated year (see the module docstring): ``cases`` cases started in ``year``
    by about 0.8 × ``cases`` persons, events sorted by case then time."""
    if cases < 1:
        raise ValueError("Le nombre de dossiers doit être positif.")
    rng = random.Random(seed)
    persons = []
    for number in range(max(1, int(cases * 0.8))):
        age_band = _pick(rng, AGE_BANDS)
        persons.append(
            _Person(
                key=f"P{number + 1:06d}",
                branch=_pick(rng, BRANCHES),
                age_band=age_band,
                region=_pick(rng, REGIONS),
                online=rng.random() < ONLINE_BY_AGE[age_band],
            )
        )
    begin = datetime(year, 1, 1, tzinfo=UTC)
    rows: list[tuple] = []
    for number in range(cases):
        procedure = _pick(rng, PROCEDURES)
        if procedure == "Déclaration annuelle des revenus":
            # The declaration campaign opens in the spring.
            day = rng.uniform(60, 150)
        else:
            day = rng.uniform(0, 330)
        case = _Case(
            rng,
            f"D{year}-{number + 1:06d}",
            rng.choice(persons),
            procedure,
            begin + timedelta(days=day),
        )
        case._office_hours()
        _SCRIPTS[procedure](case)
        rows.extend(case.rows)
    frame = pl.DataFrame(rows, schema=list(COLUMNS), orient="row")
    return frame.with_columns(
        pl.col("timestamp").dt.replace_time_zone("UTC"),
        pl.col("start_timestamp").dt.replace_time_zone("UTC"),
    )


def write_csv(frame: pl.DataFrame, path) -> None:
    """The simulated year as CSV (UTF-8, comma, header first, ISO 8601 instants in UTC)."""
    frame.with_columns(
        pl.col("timestamp").dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ"),
        pl.col("start_timestamp").dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ"),
    ).write_csv(path)

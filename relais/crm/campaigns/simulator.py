"""The reaction simulator: what each recipient does after a campaign, drawn reproducibly.

Every recipient gets its own random generator, seeded with the campaign's seed mixed with the
recipient's *stable id* (the school base's hidden identity when there is one, so two sandboxes
cloned from one base give the same results; the record's public id otherwise). Same seed and
same base ⇒ same reactions, whatever the order in which recipients are processed.

The funnel, each step conditional on the previous one::

    delivered (else bounced) → opened → clicked
                             ↘ unsubscribed (ends the funnel)
                               opened → booked an appointment (with a reply) or replied

Base probabilities come from ``ReactionSettings`` (campaign, then workspace, then
``DEFAULT_PROBABILITIES``); the recipient's profile multiplies them (``profile_factors``).
"""

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from relais.crm.models import (
    CampaignChannel,
    ReactionKind,
    ReactionSettings,
    ReplyIntent,
)

STEPS = ("delivered", "opened", "clicked", "replied", "booked", "unsubscribed")

DEFAULT_PROBABILITIES: dict[str, dict[str, float]] = {
    CampaignChannel.EMAIL: {
        "delivered": 0.95,
        "opened": 0.40,
        "clicked": 0.25,
        "replied": 0.10,
        "booked": 0.06,
        "unsubscribed": 0.02,
    },
    CampaignChannel.SMS: {
        "delivered": 0.97,
        "opened": 0.85,
        "clicked": 0.12,
        "replied": 0.07,
        "booked": 0.04,
        "unsubscribed": 0.015,
    },
    CampaignChannel.LETTER: {
        "delivered": 0.93,
        "opened": 0.65,
        "clicked": 0.05,
        "replied": 0.05,
        "booked": 0.04,
        "unsubscribed": 0.005,
    },
}

MAX_PROBABILITY = 0.99

# Shares of reply intents when the recipient replies without booking.
REPLY_INTENT_WEIGHTS = (
    (ReplyIntent.QUOTE, 0.30),
    (ReplyIntent.CALLBACK, 0.30),
    (ReplyIntent.INFO, 0.20),
    (ReplyIntent.NOT_INTERESTED, 0.20),
)

# How long after sending each channel reaches its recipient (days): e-mail and SMS within the
# hour, a letter in one to three working days.
DELIVERY_DELAY = {
    CampaignChannel.EMAIL: (0.005, 0.05),
    CampaignChannel.SMS: (0.0005, 0.005),
    CampaignChannel.LETTER: (1.0, 3.0),
}
# Mean delay (days) between delivery and the recipient reading it.
READING_DELAY = {CampaignChannel.EMAIL: 1.0, CampaignChannel.SMS: 0.1, CampaignChannel.LETTER: 1.0}
BOUNCE_DELAY = {CampaignChannel.EMAIL: 0.01, CampaignChannel.SMS: 0.01, CampaignChannel.LETTER: 7}
MAX_REACTION_DAYS = 21


@dataclass(frozen=True)
class Profile:
    """What the simulator knows about a recipient when the campaign leaves."""

    age: int | None = None
    is_customer: bool = False
    is_company: bool = False
    days_since_visit: int | None = None
    service_due: bool = False
    consents: int = 1


@dataclass
class DrawnEvent:
    kind: str
    occurs_at: datetime
    intent: str = ""
    variant: int = 0


@dataclass
class Reactions:
    events: list[DrawnEvent] = field(default_factory=list)

    def kinds(self) -> set[str]:
        return {e.kind for e in self.events}


def probabilities_in_force(*, workspace, channel: str, campaign=None) -> tuple[dict, str]:
    """The base probabilities in force and where they come from: the campaign's own
    ("campaign"), else the workspace's ("workspace"), else ours ("default")."""
    rows = ReactionSettings.objects.in_workspace(workspace).filter(channel=channel)
    row, origin = None, "default"
    if campaign is not None and campaign.pk:
        row, origin = rows.filter(campaign=campaign).first(), "campaign"
    if row is None:
        row, origin = rows.filter(campaign__isnull=True).first(), "workspace"
    if row is None:
        return dict(DEFAULT_PROBABILITIES[channel]), "default"
    return {step: getattr(row, step) for step in STEPS}, origin


def probabilities_for(*, workspace, channel: str, campaign=None) -> dict[str, float]:
    """The base probabilities in force: the campaign's own, else the workspace's, else ours."""
    return probabilities_in_force(workspace=workspace, channel=channel, campaign=campaign)[0]


def profile_factors(profile: Profile, channel: str) -> dict[str, float]:
    """Multipliers of each step's probability for this profile (1.0 = no effect).

    Customers answer more than prospects; a recent workshop visit and a service coming due
    raise replies and bookings; young people read e-mails and SMS more than letters, older
    people the reverse; companies answer less; a recipient who accepts every channel is more
    engaged.
    """
    factors = dict.fromkeys(STEPS, 1.0)

    def scale(steps, factor):
        for step in steps:
            factors[step] *= factor

    engagement = ("opened", "clicked", "replied", "booked")
    if profile.is_customer:
        scale(engagement, 1.25)
        scale(["unsubscribed"], 0.7)
    else:
        scale(engagement, 0.8)
        scale(["unsubscribed"], 1.5)
    if profile.days_since_visit is not None and profile.days_since_visit <= 180:
        scale(engagement, 1.3)
    elif profile.days_since_visit is None or profile.days_since_visit > 730:
        scale(engagement, 0.75)
        scale(["unsubscribed"], 1.3)
    if profile.service_due:
        scale(["replied"], 1.4)
        scale(["booked"], 1.8)
    if profile.age is not None:
        if profile.age < 30:
            scale(["opened"], 0.7 if channel == CampaignChannel.LETTER else 1.15)
        elif profile.age >= 65:
            factor = {"letter": 1.25, "email": 0.8, "sms": 0.9}[channel]
            scale(["opened"], factor)
    if profile.is_company:
        scale(["replied", "booked"], 0.85)
    if profile.consents >= 3:
        scale(engagement, 1.1)
    return factors


def effective_probabilities(base: dict[str, float], profile: Profile, channel: str) -> dict:
    factors = profile_factors(profile, channel)
    return {step: min(MAX_PROBABILITY, max(0.0, base[step] * factors[step])) for step in STEPS}


def stable_id(customer) -> str:
    """The recipient's id that survives sandbox cloning (see the module docstring)."""
    if customer.identity_key:
        return f"{customer.identity_key}|{customer.sort_name}"
    return str(customer.public_id)


def rng_for(seed: int, recipient_id: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}:{recipient_id}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def profile_of(customer, *, visits: list[date], today: date, frequency) -> Profile:
    """``frequency`` is the ``visit_frequency`` of the customer's after-sales visits."""
    contact = customer.contact
    age = None
    if not customer.is_company and contact.birth_date:
        age = contact.age(today)
    last = max(visits) if visits else None
    next_visit = frequency.next_expected_visit
    service_due = bool(next_visit and next_visit <= today + timedelta(days=60))
    return Profile(
        age=age,
        is_customer=customer.status == "customer",
        is_company=customer.is_company,
        days_since_visit=(today - last).days if last else None,
        service_due=service_due,
        consents=len(contact.consents()),
    )


def draw(
    *, rng: random.Random, channel: str, probabilities: dict[str, float], sent_at: datetime
) -> Reactions:
    """Draw one recipient's reactions; ``probabilities`` are already profile-adjusted."""
    reactions = Reactions()
    add = reactions.events.append

    def later(start: datetime, days: float) -> datetime:
        return start + timedelta(days=min(days, MAX_REACTION_DAYS))

    low, high = DELIVERY_DELAY[channel]
    arrival = later(sent_at, rng.uniform(low, high))
    if rng.random() >= probabilities["delivered"]:
        add(DrawnEvent(ReactionKind.BOUNCED, later(sent_at, BOUNCE_DELAY[channel])))
        return reactions
    add(DrawnEvent(ReactionKind.DELIVERED, arrival))
    opened = rng.random() < probabilities["opened"]
    read_at = later(arrival, rng.expovariate(1 / READING_DELAY[channel])) if opened else None
    if rng.random() < probabilities["unsubscribed"]:
        if read_at:
            add(DrawnEvent(ReactionKind.OPENED, read_at))
        add(DrawnEvent(ReactionKind.UNSUBSCRIBED, later(read_at or arrival, 0.01)))
        return reactions
    if not opened:
        return reactions
    add(DrawnEvent(ReactionKind.OPENED, read_at))
    if rng.random() < probabilities["clicked"]:
        add(DrawnEvent(ReactionKind.CLICKED, later(read_at, rng.uniform(0.001, 0.05))))
    answer_at = later(read_at, rng.expovariate(1 / 1.5))
    variant = rng.randrange(1000)
    if rng.random() < probabilities["booked"]:
        add(DrawnEvent(ReactionKind.REPLIED, answer_at, ReplyIntent.BOOKING, variant))
        add(DrawnEvent(ReactionKind.BOOKED, answer_at, ReplyIntent.BOOKING, variant))
    elif rng.random() < probabilities["replied"]:
        pick, total = rng.random(), 0.0
        intent = REPLY_INTENT_WEIGHTS[-1][0]
        for candidate, weight in REPLY_INTENT_WEIGHTS:
            total += weight
            if pick < total:
                intent = candidate
                break
        add(DrawnEvent(ReactionKind.REPLIED, answer_at, intent, variant))
    return reactions


def booking_slot(answer_at: datetime, variant: int) -> datetime:
    """The appointment a booking reply asks for: 2 to 13 days later, on the hour, 9h–16h,
    never on a Sunday."""
    day = answer_at + timedelta(days=2 + variant % 12)
    if day.weekday() == 6:
        day += timedelta(days=1)
    return day.replace(hour=9 + (variant // 12) % 8, minute=0, second=0, microsecond=0)


REPLY_TEXTS: dict[str, list[str]] = {
    ReplyIntent.QUOTE: [
        "Bonjour, votre offre m'intéresse. Pouvez-vous m'envoyer un devis détaillé ? Merci.",
        "Bonjour, je voudrais un devis pour l'entretien de mon véhicule. Cordialement.",
        "Pourriez-vous me faire une proposition chiffrée ? Je compare avec un autre garage.",
        "Bonjour, quel serait le prix pour la révision et le changement des plaquettes ?",
    ],
    ReplyIntent.CALLBACK: [
        "Bonjour, pouvez-vous me rappeler en fin de journée ? Merci.",
        "Je suis intéressé, merci de me téléphoner demain matin.",
        "Rappelez-moi s'il vous plaît, je préfère en parler de vive voix.",
        "Bonjour, un conseiller peut-il me rappeler cette semaine ?",
    ],
    ReplyIntent.BOOKING: [
        "Bonjour, je souhaite prendre rendez-vous pour la révision. Le créneau proposé me va.",
        "D'accord pour un rendez-vous à l'atelier, je viendrai avec le véhicule.",
        "Je réserve un créneau pour un essai, merci de me confirmer.",
        "Bonjour, je prends rendez-vous comme proposé. À bientôt.",
    ],
    ReplyIntent.INFO: [
        "Bonjour, l'offre est-elle valable pour les véhicules hybrides ?",
        "Jusqu'à quelle date cette offre est-elle valable ?",
        "Faut-il prendre rendez-vous ou puis-je passer directement ?",
        "Bonjour, proposez-vous un véhicule de courtoisie pendant l'intervention ?",
    ],
    ReplyIntent.NOT_INTERESTED: [
        "Merci, mais je ne suis pas intéressé pour le moment.",
        "Non merci, j'ai vendu le véhicule.",
        "Je fais déjà entretenir ma voiture ailleurs, merci.",
        "Pas intéressé, merci de ne plus me solliciter pour cette offre.",
    ],
}


def reply_text(intent: str, variant: int) -> str:
    texts = REPLY_TEXTS[intent]
    return texts[variant % len(texts)]

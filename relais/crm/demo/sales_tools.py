"""The sales tools of the live demo dealership: saved segments, a sent and a draft campaign,
an agenda for this week and the next, and a stored duplicate search.

Everything goes through the tools' own services, as a user would, so that the demo shows
exactly what the product makes. The background jobs (campaign send, duplicate search) run
right here: ``load_demo`` has no worker, and a demo opened on a half-sent campaign or an
empty "Doublons" page would show nothing.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from relais.core.jobs.services import jobs_run_here
from relais.core.workspaces.models import Workspace
from relais.crm.agenda.services import appointment_create
from relais.crm.campaigns.services import (
    campaign_audience,
    campaign_clock_advance,
    campaign_create,
    campaign_send,
)
from relais.crm.dedup.review import duplicate_search_start
from relais.crm.models import (
    AppointmentSource,
    Campaign,
    CampaignChannel,
    Customer,
    DuplicateCandidate,
    Segment,
)
from relais.crm.segments.services import segment_create

CLOCK_DAYS = 7

SEGMENTS = (
    (
        "Véhicules de plus de 4 ans sans passage atelier depuis 12 mois",
        "Clients à relancer pour une révision : un véhicule mis en circulation il y a plus de "
        "4 ans et aucune facture après-vente ces 12 derniers mois.",
        {
            "match": "all",
            "conditions": [
                {
                    "field": "vehicle.first_registration_date",
                    "op": "older_than",
                    "value": {"amount": 4, "unit": "years"},
                },
                {
                    "entity": "invoice",
                    "quantifier": "none",
                    "match": "all",
                    "conditions": [
                        {"field": "invoice.kind", "op": "eq", "value": "apv"},
                        {
                            "field": "invoice.issued_on",
                            "op": "in_last",
                            "value": {"amount": 12, "unit": "months"},
                        },
                    ],
                },
            ],
            "sort": [{"field": "computed.oldest_vehicle_age", "dir": "desc"}],
        },
    ),
    (
        "Prospects entrés ces 3 derniers mois",
        "Fiches prospects créées depuis trois mois, à relancer avant qu'elles refroidissent.",
        {
            "match": "all",
            "conditions": [
                {"field": "customer.status", "op": "eq", "value": "prospect"},
                {
                    "field": "customer.created_at",
                    "op": "in_last",
                    "value": {"amount": 3, "unit": "months"},
                },
            ],
            "sort": [{"field": "customer.created_at", "dir": "desc"}],
        },
    ),
    (
        "Clients ayant accepté les e-mails",
        "Clients et prospects joignables par e-mail avec leur consentement.",
        {
            "match": "all",
            "conditions": [
                {"field": "customer.consent_email", "op": "is_true"},
                {"field": "customer.email", "op": "is_not_empty"},
            ],
            "sort": [{"field": "customer.last_name", "dir": "asc"}],
        },
    ),
)

EMAIL_SUBJECT = "{{ prenom }}, votre {{ vehicule }} mérite une révision"
EMAIL_BODY = (
    "Bonjour {{ civilite }} {{ nom }},\n\n"
    "Votre {{ vehicule }} ({{ immatriculation }}) n'est pas passé dans notre atelier depuis "
    "un moment. Pour rouler sereinement, nous vous proposons un contrôle complet et une "
    "remise de 15 % sur la main-d'œuvre jusqu'à la fin du mois.\n\n"
    "Répondez simplement à ce message ou appelez-nous pour prendre rendez-vous.\n\n"
    "À bientôt,\nL'équipe après-vente de {{ concession }}"
)
SMS_BODY = (
    "{{ concession }} : {{ prenom }}, portes ouvertes ce week-end ! Essayez nos nouveautés "
    "et profitez d'une reprise estimée sur place. STOP au 36173"
)

# (week offset, weekday, start "HH:MM", minutes, owner, title, location, with a customer)
APPOINTMENTS = (
    (0, 0, "10:00", 60, "agent", "Essai routier", "Parking de la concession", True),
    (0, 1, "14:30", 45, "agent", "Présentation d'un devis", "Bureau 2", True),
    (0, 2, "11:00", 30, "superviseur", "Point mensuel avec le chef d'atelier", "Atelier", False),
    (0, 3, "09:30", 60, "agent", "Livraison d'un véhicule", "Espace livraison", True),
    (0, 4, "16:00", 45, "superviseur", "Reprise d'un véhicule d'occasion", "Bureau 1", True),
    (1, 0, "14:00", 60, "agent", "Essai routier", "Parking de la concession", True),
    (1, 1, "10:30", 30, "agent", "Rappel de la campagne révision", "Téléphone", True),
    (1, 2, "15:00", 60, "superviseur", "Entretien annuel de Camille", "Bureau 1", False),
    (1, 3, "11:30", 45, "superviseur", "Négociation flotte d'entreprise", "Salle de réunion", True),
    (1, 4, "17:00", 30, "agent", "Signature du bon de commande", "Bureau 2", True),
)
MEETING = ("Réunion d'équipe commerciale", "Salle de réunion", "09:00", 30)


@transaction.atomic
def sales_tools_demo_load(
    *, workspace: Workspace, users: dict, today: datetime.date, seed: int
) -> dict[str, int]:
    """Fill the live demo workspace's sales tools; returns counts of what was made.

    A base too small for a campaign audience simply gets no sent campaign: the demo's
    tests load a dozen customers. Atomic, so that the jobs' on-commit queueing is always
    deferred (and dropped, see ``jobs_run_here``).
    """
    supervisor, agent = users["superviseur"], users["agent"]
    segments = _segments(workspace, supervisor)
    campaigns = _campaigns(workspace, supervisor, segments, seed)
    appointments = _appointments(workspace, users, today, seed)
    candidates = _duplicate_search(workspace, agent)
    return {
        "segments": len(segments),
        "campaigns": campaigns,
        "appointments": appointments,
        "candidates": candidates,
    }


def _segments(workspace: Workspace, actor) -> list[Segment]:
    return [
        segment_create(
            actor=actor, workspace=workspace, name=name, description=text, definition=definition
        )
        for name, text, definition in SEGMENTS
    ]


def _campaigns(workspace: Workspace, actor, segments: list[Segment], seed: int) -> int:
    email = campaign_create(
        actor=actor,
        workspace=workspace,
        name="Relance révision des véhicules de plus de 4 ans",
        channel=CampaignChannel.EMAIL,
        segment=segments[0],
        subject=EMAIL_SUBJECT,
        body=EMAIL_BODY,
        seed=seed,
        follow_up_days=10,
    )
    campaign_create(
        actor=actor,
        workspace=workspace,
        name="Invitation aux portes ouvertes (SMS)",
        channel=CampaignChannel.SMS,
        segment=segments[1],
        body=SMS_BODY,
        seed=seed,
        follow_up_days=3,
    )
    if campaign_audience(email).included:
        with jobs_run_here():
            campaign_send(actor=actor, campaign=email)
        email = Campaign.objects.get(pk=email.pk)
        campaign_clock_advance(actor=actor, campaign=email, days=CLOCK_DAYS)
    return 2


def _at(day: datetime.date, hhmm: str) -> datetime.datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(hours, minutes)),
        timezone.get_default_timezone(),
    )


def _appointments(workspace: Workspace, users: dict, today: datetime.date, seed: int) -> int:
    rng = random.Random(f"agenda-{seed}")
    # Drawn among the keys, only the picked customers loaded.
    customers = Customer.objects.in_workspace(workspace).select_related("person", "company")
    keys = list(customers.order_by("sort_name", "identity_key").values_list("pk", flat=True))
    picked_keys = rng.sample(keys, min(len(keys), len(APPOINTMENTS)))
    loaded = customers.in_bulk(picked_keys)
    picked = [loaded[pk] for pk in picked_keys]
    monday = today - datetime.timedelta(days=today.weekday())
    made = 0
    for week, weekday, start, minutes, owner, title, location, with_customer in APPOINTMENTS:
        day = monday + datetime.timedelta(weeks=week, days=weekday)
        customer = picked.pop() if with_customer and picked else None
        starts_at = _at(day, start)
        appointment_create(
            actor=users[owner],
            workspace=workspace,
            title=f"{title} — {customer}" if customer else title,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=minutes),
            customer=customer,
            source=AppointmentSource.CUSTOMER if customer else AppointmentSource.MANUAL,
            location=location,
        )
        made += 1
    title, location, start, minutes = MEETING
    starts_at = _at(monday, start)
    appointment_create(
        actor=users["superviseur"],
        workspace=workspace,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        location=location,
        notes="Objectifs de la semaine, leads à répartir, retours des essais.",
        recurrence="weekly",
        recurrence_count=10,
    )
    return made + 1


def _duplicate_search(workspace: Workspace, actor) -> int:
    """The search the "Doublons" page starts, run now under the actor's name (the page
    shows the actor's last search and its result)."""
    with jobs_run_here():
        duplicate_search_start(actor=actor, workspace=workspace)
    return DuplicateCandidate.objects.in_workspace(workspace).count()

"""The front door's demo: the Haute-Garonne building-trade network (seed ``003_…``).

``load_frontdoor_demo()`` creates, once (a second call finds the network and changes
nothing), the host organization and its six bodies (Urssaf, CAF, CPAM, Carsat, France
Travail and the congés intempéries BTP fund), their referents (« DRE »), a dispatcher on
duty, a moderator and a reception agent, building-trade companies and accountants acting
for several of them, and a few hundred requests in every state — transfers, « pas pour
moi », joint answers, private notes, overdue ones — among which two critical events (a
fatal work accident, an account seizure that blocks the wages). Everything is generated
from ``seed``: the same seed gives the same data. Past steps are loaded through the
services in backfill mode (dated, no e-mail, no notification).

Accounts (password ``DEMO_PASSWORD``): see ``DEMO_ACCOUNTS``.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import luhn

from relais.core.accounts.models import OrganizationMembership, User
from relais.core.accounts.roles import Role
from relais.core.calendars import AdministrativeCalendar
from relais.core.demo import DEMO_PASSWORD, DemoLogin
from relais.core.organizations.models import Organization
from relais.core.workspaces.models import Workspace, WorkspaceKind
from relais.frontdoor.models import (
    Body,
    Commitment,
    Network,
    Priority,
    Referent,
    RequestChannel,
    RequesterRole,
    Visibility,
)
from relais.frontdoor.services import (
    answer_send,
    assignment_accept,
    assignment_refuse,
    assignment_transfer,
    joint_answer_decide,
    joint_answer_propose,
    message_post,
    request_assign,
    request_close,
    request_set_waiting,
    request_submit,
)
from relais.frontdoor.services._common import backfill

NETWORK_SLUG = "guichet-btp-31"
PARIS = ZoneInfo("Europe/Paris")

# code, organization name, slug, display name, competence, address, phone
BODIES = (
    (
        "URSSAF",
        "Urssaf Midi-Pyrénées",
        "urssaf-midi-pyrenees",
        "Urssaf Midi-Pyrénées",
        "Cotisations sociales, déclarations (DSN), délais de paiement, aides à l'embauche.",
        "Rue Georges Vivent, 31000 Toulouse",
        "3957",
    ),
    (
        "CAF",
        "CAF de la Haute-Garonne",
        "caf-haute-garonne",
        "CAF de la Haute-Garonne",
        "Prestations familiales des salariés, attestations, aides au logement.",
        "24 rue Riquet, 31000 Toulouse",
        "3230",
    ),
    (
        "CPAM",
        "CPAM de la Haute-Garonne",
        "cpam-haute-garonne",
        "CPAM de la Haute-Garonne",
        "Arrêts de travail, accidents du travail et maladies professionnelles, indemnités.",
        "3 boulevard du Professeur Léopold Escande, 31000 Toulouse",
        "3679",
    ),
    (
        "CARSAT",
        "Carsat Midi-Pyrénées",
        "carsat-midi-pyrenees",
        "Carsat Midi-Pyrénées",
        "Prévention des risques professionnels, taux AT/MP, retraite des salariés.",
        "2 rue Georges Vivent, 31000 Toulouse",
        "3960",
    ),
    (
        "FRANCE_TRAVAIL",
        "France Travail Occitanie",
        "france-travail-occitanie",
        "France Travail Haute-Garonne",
        "Recrutement, offres d'emploi, aides à l'embauche, activité partielle (avec la DDETS).",
        "33 avenue des États-Unis, 31200 Toulouse",
        "3995",
    ),
    (
        "CIBTP",
        "Caisse congés intempéries BTP Grand Sud-Ouest",
        "cibtp-grand-sud-ouest",
        "Caisse congés intempéries BTP",
        "Congés payés et chômage intempéries des entreprises du BTP.",
        "Rue de la Caisse, 31000 Toulouse",
        "05 61 00 00 00",
    ),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    description: str


# Referents: username, first name, last name, body code, dispatcher, competences, sectors
REFERENTS = (
    ("dre-urssaf", "Nadia", "Benali", "URSSAF", False, ["cotisations", "DSN"], ["gros œuvre"]),
    ("repartiteur", "Julien", "Mercier", "URSSAF", True, ["aides à l'embauche"], ["BTP"]),
    ("dre-caf", "Sophie", "Lacombe", "CAF", False, ["prestations", "attestations"], ["BTP"]),
    ("dre-cpam", "Karim", "Haddad", "CPAM", False, ["AT/MP", "arrêts de travail"], ["BTP"]),
    ("dre-cpam-2", "Claire", "Fabre", "CPAM", False, ["indemnités journalières"], ["second œuvre"]),
    ("dre-carsat", "Thomas", "Roux", "CARSAT", False, ["prévention", "taux AT/MP"], ["BTP"]),
    ("dre-france-travail", "Inès", "Garcia", "FRANCE_TRAVAIL", False, ["recrutement"], ["BTP"]),
    ("dre-cibtp", "Marc", "Delpech", "CIBTP", False, ["congés payés", "intempéries"], ["BTP"]),
)
MODERATOR = ("moderatrice-btp", "Hélène", "Vidal")
AGENT = ("accueil-cpam", "Lucas", "Petit", "CPAM")

DEMO_ACCOUNTS = (
    *(
        DemoAccount(u, f, last, f"Référent {code}" + (" — répartiteur de permanence" if d else ""))
        for u, f, last, code, d, _c, _s in REFERENTS
    ),
    DemoAccount(MODERATOR[0], MODERATOR[1], MODERATOR[2], "Modératrice du réseau"),
    DemoAccount(AGENT[0], AGENT[1], AGENT[2], "Agent d'accueil de la CPAM (saisie)"),
)

# Questions employers ask, by competent body(ies): subject, text.
QUESTIONS = {
    ("URSSAF",): [
        (
            "Délai de paiement des cotisations",
            "Chantier payé en retard par le client, je ne peux pas régler les cotisations du mois. Puis-je avoir un délai ?",
        ),
        (
            "Erreur dans ma DSN",
            "J'ai fait une erreur sur la DSN de mars pour un compagnon, comment corriger ?",
        ),
        (
            "Majorations de retard",
            "J'ai reçu une mise en demeure avec des majorations, je conteste le montant.",
        ),
        (
            "Exonération heures supplémentaires",
            "Comment déclarer la déduction forfaitaire sur les heures sup de mes ouvriers ?",
        ),
    ],
    ("CAF",): [
        (
            "Attestation employeur pour la CAF",
            "Un de mes salariés me demande une attestation de salaire pour la CAF, quel formulaire ?",
        ),
        (
            "Salarié et prime d'activité",
            "Mon apprenti demande si ses heures comptent pour la prime d'activité.",
        ),
    ],
    ("CPAM",): [
        (
            "Arrêt de travail d'un maçon",
            "Un maçon est en arrêt depuis lundi, comment faire l'attestation de salaire pour les indemnités ?",
        ),
        (
            "Déclaration d'accident du travail",
            "Un ouvrier s'est coupé la main sur le chantier, comment déclarer l'accident ?",
        ),
        (
            "Subrogation des indemnités journalières",
            "Je maintiens le salaire, comment être remboursé des IJ ?",
        ),
    ],
    ("CARSAT",): [
        (
            "Taux accident du travail trop élevé",
            "Mon taux AT/MP a augmenté, je voudrais comprendre le calcul.",
        ),
        (
            "Aide prévention échafaudage",
            "Existe-t-il une subvention prévention pour acheter des échafaudages ?",
        ),
        (
            "Retraite progressive d'un chef d'équipe",
            "Mon chef d'équipe veut passer en retraite progressive, quelles démarches ?",
        ),
    ],
    ("FRANCE_TRAVAIL",): [
        (
            "Recruter un coffreur",
            "Je cherche un coffreur bancheur, pouvez-vous diffuser mon offre ?",
        ),
        (
            "Aide à l'embauche d'un demandeur d'emploi",
            "Quelles aides si j'embauche un demandeur d'emploi de longue durée ?",
        ),
    ],
    ("CIBTP",): [
        (
            "Chômage intempéries",
            "Chantier arrêté trois jours pour la neige, comment déclarer le chômage intempéries ?",
        ),
        (
            "Certificat de congés payés",
            "Un salarié quitte l'entreprise, quel certificat de congés lui remettre ?",
        ),
    ],
    ("URSSAF", "FRANCE_TRAVAIL"): [
        (
            "Embauche d'un apprenti",
            "J'embauche un apprenti maçon en septembre : aides, cotisations et démarches ?",
        ),
    ],
    ("CPAM", "CARSAT"): [
        (
            "Maladie professionnelle et prévention",
            "Un carreleur a une maladie professionnelle aux genoux, que faire pour lui et pour prévenir ?",
        ),
    ],
    ("URSSAF", "CIBTP"): [
        (
            "Création d'entreprise de plomberie",
            "Je crée mon entreprise de plomberie avec un salarié, à quelles caisses m'affilier ?",
        ),
    ],
}

CRITICAL = (
    (
        ("CPAM", "CARSAT", "URSSAF"),
        "URGENT accident mortel sur le chantier",
        "Un compagnon est tombé du toit ce matin et il est decede. Je ne sais pas quoi faire, "
        "qui prevenir, l'inspection du travail ? aidez moi svp",
    ),
    (
        ("URSSAF", "CIBTP"),
        "Saisie sur compte, salaires bloqués",
        "L'huissier a fait une saisie sur le compte de la boite, je peux pas payer les salaires "
        "de fin de mois. Je suis a bout.",
    ),
)

NAF_BTP = ("41.20A", "41.20B", "43.21A", "43.22A", "43.22B", "43.31Z", "43.32A", "43.34Z",
           "43.39Z", "43.91A", "43.91B", "43.99C", "42.11Z", "43.12A")  # fmt: skip
TRADES = ("Maçonnerie", "Charpente", "Couverture", "Plomberie", "Électricité", "Peinture",
          "Menuiserie", "Carrelage", "Terrassement", "Plâtrerie")  # fmt: skip
PLACES = ("du Lauragais", "de la Garonne", "Toulousaine", "du Comminges", "de Muret",
          "de Colomiers", "du Volvestre", "de Blagnac", "de Saint-Gaudens", "de l'Ariège")  # fmt: skip
FIRST = ("Paul", "Léa", "Karim", "Marie", "Antoine", "Nora", "Hugo", "Julie", "Éric", "Samia")
LAST = ("Martin", "Durand", "Lopez", "Bernard", "Ferrer", "Moreau", "Blanc", "Garcia", "Roux")
ACCOUNTANTS = (
    ("Cabinet Comptable Occitan", "Valérie", "Sarda"),
    ("Expertise BTP Conseil", "Olivier", "Cazals"),
    ("Fiducial Toulouse Sud", "Agnès", "Pujol"),
)


def _siret(rng: random.Random) -> str:
    siren = str(rng.randint(10_000_000, 99_999_999))
    siren += luhn.calc_check_digit(siren)
    base = siren + f"{rng.randint(1, 999):04d}"
    return base + luhn.calc_check_digit(base)


def _user(username: str, first: str, last: str, organization: Organization) -> User:
    user = User(
        username=username,
        first_name=first,
        last_name=last,
        organization=organization,
        email="",
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _business_moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=PARIS
    )


def demo_network() -> Network | None:
    return Network.objects.filter(slug=NETWORK_SLUG).first()


@transaction.atomic
def load_frontdoor_demo(
    *, requests: int = 300, seed: int = 2025, today: datetime.date | None = None
) -> Network:
    """Create the Haute-Garonne building-trade network with ``requests`` requests (plus the
    two critical events); return it. Idempotent: an existing demo network is returned as
    it is."""
    existing = demo_network()
    if existing is not None:
        return existing
    rng = random.Random(seed)
    today = today or timezone.localdate()
    host = Organization.objects.create(
        name="Guichet unique BTP Haute-Garonne",
        slug=NETWORK_SLUG,
        header_text="Guichet unique des employeurs du BTP — Haute-Garonne",
        footer_text=(
            "Urssaf, CAF, CPAM, Carsat, France Travail et caisse congés intempéries BTP : "
            "une seule porte d'entrée. Données de démonstration fictives."
        ),
    )
    workspace = Workspace.objects.create(
        organization=host, name="Guichet unique BTP 31", kind=WorkspaceKind.LIVE
    )
    network = Network.objects.create(
        name="Guichet unique BTP Haute-Garonne",
        slug=NETWORK_SLUG,
        organization=host,
        workspace=workspace,
        contact_email="guichet-btp31@exemple.fr",
    )
    bodies: dict[str, Body] = {}
    for code, org_name, slug, name, description, address, phone in BODIES:
        organization = Organization.objects.filter(
            slug=slug
        ).first() or Organization.objects.create(name=org_name, slug=slug)
        bodies[code] = Body.objects.create(
            network=network,
            organization=organization,
            code=code,
            name=name,
            description=description,
            address=address,
            phone=phone,
            email=f"btp31.{code.lower()}@exemple.fr",
        )
    # Two bodies commit to shorter delays than the defaults.
    for code, first, resolution in (("CPAM", 5, 20), ("CAF", 8, 25)):
        Commitment.objects.create(
            body=bodies[code],
            channel="",
            priority=Priority.NORMAL,
            acknowledgement_days=5,
            first_answer_days=first,
            resolution_days=resolution,
        )
    referents: dict[str, list[User]] = {code: [] for code in bodies}
    dispatcher = None
    for username, first, last, code, is_dispatcher, competences, sectors in REFERENTS:
        body = bodies[code]
        user = _user(username, first, last, body.organization)
        OrganizationMembership.objects.create(
            user=user, organization=body.organization, role=Role.REFERENT
        )
        Referent.objects.create(
            user=user,
            body=body,
            competences=competences,
            sectors=sectors,
            territory="Haute-Garonne (31)",
            is_dispatcher=is_dispatcher,
        )
        referents[code].append(user)
        if is_dispatcher:
            dispatcher = user
    moderator = _user(*MODERATOR, host)
    OrganizationMembership.objects.create(user=moderator, organization=host, role=Role.SUPERVISOR)
    agent = _user(*AGENT[:3], bodies[AGENT[3]].organization)
    OrganizationMembership.objects.create(
        user=agent, organization=bodies[AGENT[3]].organization, role=Role.AGENT
    )

    companies = []
    for index in range(40):
        trade, place = TRADES[index % len(TRADES)], PLACES[(index * 7) % len(PLACES)]
        companies.append(
            {
                "legal_name": f"{trade} {place}" + (f" {index // 10 + 1}" if index >= 10 else ""),
                "siret": _siret(rng),
                "naf_code": rng.choice(NAF_BTP),
            }
        )
    calendar = AdministrativeCalendar()
    days = [d for d in (today - datetime.timedelta(days=n) for n in range(1, 91))]
    days = [d for d in days if calendar.is_working_day(d)]
    plans = [None] * requests + list(CRITICAL)
    for number, critical in enumerate(plans):
        company = companies[rng.randrange(len(companies))]
        accountant = ACCOUNTANTS[rng.randrange(len(ACCOUNTANTS))] if rng.random() < 0.2 else None
        if accountant:
            person = {
                "first_name": accountant[1],
                "last_name": accountant[2],
                "email": f"{accountant[2].lower()}@cabinet.exemple.fr",
            }
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            person = {
                "first_name": first,
                "last_name": last,
                "email": f"{last.lower()}.{number}@exemple.fr",
            }
        if critical:
            targets, subject, text = critical
            received = _business_moment(rng, days[rng.randrange(0, 3)])
        else:
            targets = rng.choice(list(QUESTIONS))
            subject, text = rng.choice(QUESTIONS[targets])
            received = _business_moment(rng, days[rng.randrange(len(days))])
        channel = rng.choices(
            [RequestChannel.WEB, RequestChannel.EMAIL, RequestChannel.PHONE, RequestChannel.LETTER],
            weights=[55, 20, 20, 5],
        )[0]
        staff = channel in (RequestChannel.PHONE, RequestChannel.LETTER)
        first_body = bodies[AGENT[3]] if staff else None
        with backfill(received):
            request = request_submit(
                network=network,
                channel=channel,
                subject=subject,
                text=text,
                company=company,
                person=person,
                requester_role=RequesterRole.ACCOUNTANT if accountant else RequesterRole.EMPLOYER,
                critical=bool(critical),
                source_site=rng.choice(["www.urssaf.fr", "www.caf.fr", "www.ameli.fr", ""]),
                first_body=first_body,
                actor=agent if staff else None,
                received_at=received,
                rng=rng,
            )
        # Every twelfth request waits for the dispatcher, so that the queue is never empty.
        _play(rng, request, [bodies[c] for c in targets], bodies, referents, dispatcher,
              moderator, received, today, urgent=bool(critical),
              queued=critical is None and number % 12 == 0)  # fmt: skip
    # From now on, a request the engine is sure of goes straight to the competent bodies.
    network.auto_route = True
    network.save(update_fields=["auto_route"])
    return network


def _later(rng, moment, today, hours=(1, 60)) -> datetime.datetime | None:
    """A moment some business hours after ``moment``, or ``None`` if it would be the future."""
    step = AdministrativeCalendar().add_business_hours(moment, rng.randint(*hours))
    limit = datetime.datetime.combine(today, datetime.time(8, 0), tzinfo=PARIS)
    return step if step < limit else None


def _play(rng, request, targets, bodies, referents, dispatcher, moderator, received, today, *,
          urgent=False, queued=False):  # fmt: skip
    """Take ``request`` through a life: routed (or left in the queue), maybe refused or
    transferred once, taken in charge, discussed, answered, closed — stopping at today."""
    outcome = rng.random()
    # Old requests have mostly been answered: a few linger, and are overdue on the board.
    if (today - received.date()).days > 30 and rng.random() < 0.85:
        outcome = 0.5 + outcome / 2
    if queued or not urgent and outcome < 0.04:
        return  # still in the dispatcher's queue
    moment = _later(rng, received, today, (1, 8) if urgent else (1, 16))
    if moment is None:
        return
    # A wrong first routing now and then: refused or transferred to the right body.
    wrong = None
    if not urgent and rng.random() < 0.15:
        wrong = rng.choice([b for b in bodies.values() if b not in targets])
    with backfill(moment):
        # A critical event was sent to its catalogue's bodies on receipt: the dispatcher
        # adds the other competent ones.
        already = list(request.assignments.filter(state="pending").select_related("body"))
        held = {a.body_id for a in already}
        extra = [b for b in ([wrong] if wrong else targets) if b.pk not in held]
        assignments = already + (
            request_assign(actor=dispatcher, request=request, bodies=extra) if extra else []
        )
    if wrong:
        moment = _later(rng, moment, today, (2, 20))
        if moment is None:
            return
        referent = referents[wrong.code][0]
        if rng.random() < 0.5:
            with backfill(moment):
                assignment_refuse(
                    actor=referent,
                    assignment=assignments[0],
                    reason=f"Hors de notre champ : relève de {targets[0].name}.",
                )
            moment = _later(rng, moment, today, (1, 8))
            if moment is None:
                return
            with backfill(moment):
                assignments = request_assign(actor=dispatcher, request=request, bodies=targets)
        else:
            with backfill(moment):
                assignments = [
                    assignment_transfer(
                        actor=referent,
                        assignment=assignments[0],
                        to_body=targets[0],
                        reason=f"Compétence de {targets[0].name}.",
                    )
                ]
    if not urgent and outcome < 0.22:
        return  # pending: waiting to be taken in charge
    handlers = {}
    for assignment in assignments:
        moment = _later(rng, moment, today, (1, 6) if urgent else (1, 24))
        if moment is None:
            return
        handler = rng.choice(referents[assignment.body.code])
        handlers[assignment.body.code] = handler
        with backfill(moment):
            assignment_accept(actor=handler, assignment=assignment)
    lead = handlers[assignments[0].body.code]
    if len(assignments) > 1 or rng.random() < 0.4:
        moment = _later(rng, moment, today, (1, 10))
        if moment is None:
            return
        with backfill(moment):
            message_post(
                actor=lead,
                request=request,
                text="Je regarde la situation de l'entreprise de notre côté et je reviens vers vous.",
                visibility=Visibility.INTERNAL,
            )
    if rng.random() < 0.25:
        moment = _later(rng, moment, today, (1, 10))
        if moment is None:
            return
        with backfill(moment):
            message_post(
                actor=lead,
                request=request,
                text="Note interne : dossier déjà connu du service contentieux.",
                visibility=Visibility.PRIVATE,
            )
    if not urgent and outcome < 0.42:
        return  # in progress
    if not urgent and outcome < 0.50:
        moment = _later(rng, moment, today, (1, 10))
        if moment is None:
            return
        with backfill(moment):
            message_post(
                actor=lead,
                request=request,
                text="Pouvez-vous nous transmettre le dernier bulletin de salaire concerné ?",
                visibility=Visibility.SHARED,
            )
            request_set_waiting(actor=lead, request=request, waiting=True)
        return  # waiting for the requester
    if urgent:
        return  # the critical events are being handled now
    # Late answers now and then: some requests are answered after their deadline.
    moment = _later(rng, moment, today, (4, 120) if rng.random() < 0.2 else (2, 40))
    if moment is None:
        return
    joint = [b for b in (a.body for a in assignments[1:])]
    with backfill(moment):
        if joint:
            # A joint answer leaves once every co-signing body approved it.
            draft = joint_answer_propose(
                actor=lead,
                request=request,
                text="Bonjour, voici notre réponse commune : vos démarches sont détaillées "
                "ci-dessous.",
                body=assignments[0].body,
                co_bodies=joint,
            )
            for body in joint:
                joint_answer_decide(
                    actor=handlers[body.code], joint_answer=draft, approve=True, body=body
                )
        else:
            answer_send(
                actor=lead,
                request=request,
                text="Bonjour, voici la réponse à votre question ; n'hésitez pas à nous "
                "recontacter.",
                body=assignments[0].body,
            )
    if outcome < 0.65:
        return  # answered
    moment = _later(rng, moment, today, (1, 30))
    if moment is None:
        return
    with backfill(moment):
        request_close(actor=lead, request=request)


DEMO_LOGINS = (
    ("repartiteur", _("répartiteur")),
    ("moderatrice-btp", _("modératrice")),
    ("dre-urssaf", _("référent Urssaf")),
    ("dre-caf", _("référent CAF")),
    ("dre-cpam", _("référent CPAM")),
    ("accueil-cpam", _("agent d'accueil CPAM")),
)


def load_demo_for_platform(*, reset: bool = False) -> list[DemoLogin]:
    """``load_demo``'s step (``relais.core.demo``): the Haute-Garonne network, created when
    missing. Idempotent; ``reset`` keeps an existing network as it is."""
    network = load_frontdoor_demo()
    where = _("réseau « %(name)s »") % {"name": network.name}
    return [DemoLogin(username, str(role), where) for username, role in DEMO_LOGINS]

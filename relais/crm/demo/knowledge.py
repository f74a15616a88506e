"""The demo dealership's knowledge base: a few reference answers, validated or in draft, so
that « Connaissances » shows what the base is for on the first visit."""

from datetime import date, timedelta

from relais.core.knowledge.models import Entry
from relais.core.knowledge.services import entry_create, entry_publish

# (question, answer in Markdown, tags, source, validated?)
ENTRIES = [
    (
        "Quand faut-il faire la révision d'un véhicule ?",
        "Suivez le **carnet d'entretien du constructeur** : en général tous les ans ou tous les "
        "15 000 à 30 000 km, au premier des deux termes atteint. Proposez le rendez-vous atelier "
        "un mois avant l'échéance ; notez le kilométrage relevé sur la fiche du véhicule.",
        "atelier, entretien, révision",
        "Carnet d'entretien du constructeur",
        True,
    ),
    (
        "Un client demande la garantie légale de conformité : que répondre ?",
        "Pour un véhicule **neuf ou d'occasion vendu par un professionnel**, la garantie légale "
        "de conformité couvre les défauts existant à la livraison : deux ans pour un neuf, un an "
        "au moins pour une occasion. Le client choisit entre réparation et remplacement ; "
        "enregistrez la demande comme activité « Réclamation » sur sa fiche.",
        "garantie, réclamation, vente",
        "Code de la consommation, articles L217-3 et suivants",
        True,
    ),
    (
        "Quels documents pour immatriculer un véhicule d'occasion ?",
        "Le certificat d'immatriculation barré et signé par le vendeur, le certificat de cession "
        "(cerfa 15776), un contrôle technique de moins de six mois pour un véhicule de plus de "
        "quatre ans, une pièce d'identité et un justificatif de domicile. La démarche se fait "
        "en ligne sur le site de l'ANTS.",
        "immatriculation, occasion, documents",
        "Service-Public.fr — Carte grise d'un véhicule d'occasion",
        True,
    ),
    (
        "Un client ne veut plus recevoir de SMS : comment faire ?",
        "Ouvrez sa fiche, retirez le consentement **SMS** : il est daté et tracé, et les "
        "campagnes suivantes l'excluront d'elles-mêmes. Ne supprimez pas son numéro : il reste "
        "utile pour le joindre au sujet d'un rendez-vous atelier.",
        "consentement, SMS, campagnes",
        "RGPD, article 7 ; Code des postes et communications électroniques, L34-5",
        True,
    ),
    (
        "Comment présenter l'offre de reprise d'un véhicule ?",
        "Brouillon à compléter : expertise, cote, frais de remise en état, validité de l'offre.",
        "reprise, vente",
        "",
        False,
    ),
]


def knowledge_demo_load(*, organization, author, validator, today: date) -> list[Entry]:
    """Write the demo entries of ``organization`` through the knowledge services."""
    entries = []
    for question, answer, tags, source, validated in ENTRIES:
        entry = entry_create(
            user=author,
            organization=organization,
            question=question,
            answer=answer,
            tags=tags,
            source_text=source,
            review_date=today + timedelta(days=365) if validated else None,
        )
        if validated:
            entry = entry_publish(user=validator, entry=entry)
        entries.append(entry)
    return entries

"""The community's RGAA accessibility statement (« Déclaration d'accessibilité »), following
the model the DINUM publishes with the RGAA 4.1: the compliance status, the results of the
audit, the content that is not accessible (non-compliances, derogations for disproportionate
burden, content outside the obligation), how the statement was made, a way to report a problem
and the legal remedies (Défenseur des droits).

Administrators fill its fields in the back office (``Community.accessibility``); an
unfilled statement says « non conforme » with no audit, as the law requires.
"""

import datetime

from django.utils.translation import gettext_lazy as _

STATUS_CHOICES = (
    ("non", _("non conforme")),
    ("partiel", _("partiellement conforme")),
    ("total", _("totalement conforme")),
)

FIELDS = (
    "status",
    "rate",
    "audit_date",
    "auditor",
    "statement_date",
    "non_compliant",
    "derogations",
    "out_of_scope",
    "pages",
    "environment",
    "contact_email",
    "contact_url",
    "contact_address",
    "schema_url",
)

TECHNOLOGIES = (
    "HTML5",
    "CSS",
    "JavaScript (facultatif : toutes les pages restent utilisables sans)",
)

DEFAULT_ENVIRONMENT = _(
    "Firefox et NVDA sous Windows ; Safari et VoiceOver sous macOS et iOS ; Chrome et TalkBack "
    "sous Android ; navigation au clavier seul."
)

REMEDIES = (
    _("Écrire un message au Défenseur des droits (https://formulaire.defenseurdesdroits.fr/)"),
    _(
        "Contacter le délégué du Défenseur des droits dans votre région "
        "(https://www.defenseurdesdroits.fr/saisir/delegues)"
    ),
    _(
        "Envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des "
        "droits, Libre réponse 71120, 75342 Paris CEDEX 07"
    ),
    _("Contacter le Défenseur des droits par téléphone : 09 69 39 00 00"),
)


def statement_for(community) -> dict:
    """What the statement page shows: the saved fields, the status in words, the defaults."""
    data = dict(community.accessibility or {})
    status = data.get("status") or "non"
    for name in ("audit_date", "statement_date"):
        if data.get(name):
            data[name] = _french_date(data[name])
    if data.get("rate"):
        data["rate"] = str(data["rate"]).replace(".", ",")
    return {
        **data,
        "status": status,
        "status_label": dict(STATUS_CHOICES).get(status, STATUS_CHOICES[0][1]),
        "entity": community.organization.name,
        "audited": bool(data.get("audit_date")),
        "environment": data.get("environment") or DEFAULT_ENVIRONMENT,
        "technologies": TECHNOLOGIES,
        "remedies": REMEDIES,
    }


def _french_date(value: str) -> str:
    try:
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value

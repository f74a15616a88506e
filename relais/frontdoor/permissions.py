"""The front door's permissions and the roles that grant them.

Who does what (roles are held in organizations, ``OrganizationMembership``):

* **referent** of a body (role ``referent`` in the body's organization, plus a ``Referent``
  row saying competences, sectors, territory): reads the requests involving the body, takes
  them in charge, refuses, transfers, writes in the thread, answers, closes.
* **dispatcher** ("DRE de permanence répartiteur"): not a role of its own — a referent whose
  ``Referent.is_dispatcher`` is set, or a moderator of the network. Sees the network's queue
  and assigns bodies (``can_dispatch``).
* **moderator** of the network: the ``supervisor`` or ``moderator`` role in the network's
  host organization. Sees every request of the network (not the bodies' private notes),
  the board, the CSV export; dispatches.
* **agent** of a body: enters requests received by phone, at the counter or by letter, and
  reads the requests involving the body.
* **supervisor or moderator** of a body's organization: keeps the body's answer templates.
* **administrator** of an organization: everything a referent and a moderator may do there;
  in the network's host organization, also retrains the routing model (``TRAIN``).
"""

from django.utils.translation import gettext_lazy as _

from relais.core.accounts.permissions import register_permissions
from relais.core.accounts.roles import Role

VIEW = "frontdoor.request.view"
CREATE = "frontdoor.request.create"
HANDLE = "frontdoor.request.handle"
DISPATCH = "frontdoor.request.dispatch"
MODERATE = "frontdoor.network.moderate"
TEMPLATES = "frontdoor.answer_template.manage"
TRAIN = "frontdoor.routing.train"

PERMISSIONS = {
    VIEW: _("Consulter les demandes du guichet unique reçues par son organisme"),
    CREATE: _("Saisir une demande reçue par téléphone, à l'accueil ou par courrier"),
    HANDLE: _("Prendre en charge, transmettre, refuser et répondre aux demandes"),
    DISPATCH: _("Répartir les demandes entre les organismes du réseau"),
    MODERATE: _("Animer le réseau : tableau de suivi de toutes les demandes"),
    TEMPLATES: _("Gérer les modèles de réponse de son organisme"),
    TRAIN: _("Réentraîner le modèle d'orientation du réseau"),
}

GRANTS = {
    Role.ADMINISTRATOR: [VIEW, CREATE, HANDLE, DISPATCH, MODERATE, TEMPLATES, TRAIN],
    Role.SUPERVISOR: [VIEW, CREATE, HANDLE, DISPATCH, MODERATE, TEMPLATES],
    Role.MODERATOR: [VIEW, DISPATCH, MODERATE, TEMPLATES],
    Role.REFERENT: [VIEW, CREATE, HANDLE],
    Role.AGENT: [VIEW, CREATE],
}


def register() -> None:
    register_permissions("frontdoor", PERMISSIONS, GRANTS)

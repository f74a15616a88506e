from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontdoorConfig(AppConfig):
    name = "relais.frontdoor"
    label = "frontdoor"
    verbose_name = _("Guichet unique")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from relais.core.interactions.events import register_event_codes
        from relais.core.navigation import register_nav_entry
        from relais.frontdoor import permissions as perms

        perms.register()

        from relais.frontdoor.job_kinds import register_frontdoor_job_kinds

        register_frontdoor_job_kinds()

        from relais.core.demo import register_demo
        from relais.frontdoor.demo import load_demo_for_platform
        from relais.frontdoor.selectors import user_in_a_network

        register_demo(
            "frontdoor", _("Guichet unique BTP Haute-Garonne"), load_demo_for_platform, order=250
        )
        register_event_codes(
            "frontdoor",
            {
                "frontdoor.request.received": _("Demande reçue au guichet unique"),
                "frontdoor.request.acknowledged": _("Accusé de réception envoyé"),
                "frontdoor.request.queued": _("Demande placée dans la file du répartiteur"),
                "frontdoor.request.assigned": _("Demande orientée vers un organisme"),
                "frontdoor.request.accepted": _("Demande prise en charge"),
                "frontdoor.request.refused": _("Demande refusée (« pas pour moi »)"),
                "frontdoor.request.transferred": _("Demande transmise à un autre organisme"),
                "frontdoor.message.posted": _("Message sur une demande"),
                "frontdoor.request.waiting": _("Demande en attente du demandeur ou reprise"),
                "frontdoor.answer.sent": _("Réponse envoyée au demandeur"),
                "frontdoor.answer.joint_proposed": _("Projet de réponse commune soumis"),
                "frontdoor.answer.joint_approved": _("Réponse commune approuvée par un organisme"),
                "frontdoor.answer.joint_changes": _(
                    "Modification demandée sur une réponse commune"
                ),
                "frontdoor.answer.joint_edited": _("Projet de réponse commune modifié"),
                "frontdoor.answer.joint_withdrawn": _("Projet de réponse commune retiré"),
                "frontdoor.request.closed": _("Demande clôturée"),
                "frontdoor.survey.answered": _("Avis du demandeur après clôture"),
            },
        )
        # The inbox's e-mails (relais.frontdoor.services.mail_intake).
        register_event_codes(
            "frontdoor",
            {
                "frontdoor.mail.received": _("E-mail du demandeur joint à sa demande"),
                "frontdoor.mail.bounced": _("E-mail au demandeur non distribué"),
            },
        )
        register_nav_entry(
            key="frontdoor.templates",
            label=_("Modèles de réponse"),
            url_name="frontdoor:answer-templates",
            icon="bi-file-earmark-text",
            permission=perms.TEMPLATES,
            order=440,
            section="tools",
            active_prefix=True,
            description=_("Les modèles de réponse de votre organisme, avec champs de fusion."),
            available=user_in_a_network,
        )
        register_nav_entry(
            key="frontdoor.requests",
            label=_("Guichet unique"),
            url_name="frontdoor:request-list",
            icon="bi-inboxes",
            permission=perms.VIEW,
            order=400,
            active_prefix="/guichet/demandes/",
            description=_("Les demandes des employeurs reçues par votre organisme."),
            available=user_in_a_network,
        )
        register_nav_entry(
            key="frontdoor.queue",
            label=_("À répartir"),
            url_name="frontdoor:dispatch-queue",
            icon="bi-signpost-split",
            permission=(perms.DISPATCH, perms.HANDLE),
            order=410,
            active_prefix=True,
            description=_("La file du répartiteur : orienter les demandes vers les organismes."),
            available=user_in_a_network,
        )
        register_nav_entry(
            key="frontdoor.board",
            label=_("Suivi du réseau"),
            url_name="frontdoor:board",
            icon="bi-speedometer2",
            permission=perms.MODERATE,
            order=420,
            active_prefix=True,
            description=_("Demandes ouvertes, bientôt dues, en retard, non réparties."),
            available=user_in_a_network,
        )
        register_nav_entry(
            key="frontdoor.embed",
            label=_("Bouton « Poser une question »"),
            url_name="frontdoor:embed",
            icon="bi-code-square",
            permission=perms.VIEW,
            order=430,
            section="tools",
            description=_("Le bouton à placer sur le site de chaque organisme du réseau."),
            available=user_in_a_network,
        )
        register_nav_entry(
            key="frontdoor.offers",
            label=_("Offres de service"),
            url_name="frontdoor:offer-list",
            icon="bi-journal-richtext",
            permission=perms.VIEW,
            order=425,
            active_prefix=True,
            description=_("La bibliothèque des offres et brochures de chaque organisme."),
            available=user_in_a_network,
        )
        register_nav_entry(
            key="frontdoor.routing_model",
            label=_("Modèle d'orientation"),
            url_name="frontdoor:routing-model",
            icon="bi-cpu",
            permission=perms.TRAIN,
            order=440,
            section="tools",
            description=_("Réentraîner le moteur d'orientation avec les décisions du réseau."),
            available=user_in_a_network,
        )
        register_nav_entry(
            key="frontdoor.ask",
            label=_("Poser une question"),
            url_name="frontdoor:ask",
            icon="bi-question-circle",
            public=True,
            order=400,
            active_prefix=True,
            description=_(
                "Une question à l'Urssaf, la CAF, la CPAM, la Carsat ou France Travail ?"
            ),
        )
        register_nav_entry(
            key="frontdoor.tracking",
            label=_("Suivre ma demande"),
            url_name="frontdoor:tracking",
            icon="bi-search",
            public=True,
            order=401,
            active_prefix=True,
            description=_("Retrouver une demande avec son code de suivi."),
        )

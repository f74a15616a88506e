"""The CRM's entries in the navigation (registered from ``CrmConfig.ready()``)."""

from django.utils.translation import gettext_lazy as _

from relais.core.navigation import register_nav_entry


def register_navigation() -> None:
    """Every role holding ``crm.view`` sees the CRM's tools, in this order."""
    entries = [
        # key, label, URL name, icon, active on sub-pages, description
        (
            "customers",
            _("Clients"),
            "crm:customer-list",
            "bi-people",
            True,
            _("Rechercher, créer et suivre les fiches clients, leurs véhicules et factures."),
        ),
        (
            "leads",
            _("Leads"),
            "crm:lead-list",
            "bi-inbox",
            None,
            _("Traiter les demandes entrantes et les convertir en clients."),
        ),
        (
            "dashboard",
            _("Tableau de bord"),
            "crm:dashboard",
            "bi-speedometer2",
            True,
            _("Suivre vos indicateurs sur un tableau personnalisable."),
        ),
        (
            "agenda",
            _("Agenda"),
            "crm:agenda",
            "bi-calendar3",
            True,
            _("Planifier rendez-vous et rappels."),
        ),
        (
            "segments",
            _("Ciblage"),
            "crm:segment-list",
            "bi-funnel",
            True,
            _("Construire des segments de clients à partir de critères."),
        ),
        (
            "campaigns",
            _("Campagnes"),
            "crm:campaign-list",
            "bi-megaphone",
            True,
            _("Envoyer des campagnes aux clients joignables et en mesurer les retours."),
        ),
        (
            "duplicates",
            _("Doublons"),
            "crm:dedup-list",
            "bi-intersect",
            True,
            _("Repérer et fusionner les fiches en double."),
        ),
        (
            "field_grid",
            _("Vue par champ"),
            "crm:field-grid",
            "bi-grid-3x3",
            None,
            _("Relire et corriger un même champ sur toutes les fiches."),
        ),
    ]
    for position, (key, label, url_name, icon, active_prefix, description) in enumerate(entries):
        register_nav_entry(
            key=f"crm.{key}",
            label=label,
            url_name=url_name,
            icon=icon,
            permission="crm.view",
            order=10 + 10 * position,
            active_prefix=active_prefix,
            description=description,
        )

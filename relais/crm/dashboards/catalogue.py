"""The widgets a user can put on a dashboard, and the dashboard every user starts with.

A catalogue entry says what a widget shows and how it may be drawn; the figures themselves
come from ``relais.crm.dashboards.selectors`` (one function per entry, same key).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from relais.crm.models import WidgetChartType, WidgetPeriod

KPI, BAR, LINE, PIE, TABLE = (
    WidgetChartType.KPI,
    WidgetChartType.BAR,
    WidgetChartType.LINE,
    WidgetChartType.PIE,
    WidgetChartType.TABLE,
)


@dataclass(frozen=True)
class WidgetSpec:
    key: str
    title: str
    description: str
    chart_types: tuple[str, ...]  # the first is the default
    w: int = 6  # half the grid
    h: int = 5
    period: str = WidgetPeriod.ALL
    uses_period: bool = True

    @property
    def default_chart(self) -> str:
        return self.chart_types[0]


CATALOGUE: dict[str, WidgetSpec] = {
    spec.key: spec
    for spec in (
        WidgetSpec(
            "customers_count",
            _("Clients et prospects"),
            _("Nombre de fiches clients et prospects (créées sur la période)."),
            (KPI, PIE, BAR, TABLE),
            w=3,
            h=3,
        ),
        WidgetSpec(
            "conversion",
            _("Transformation des prospects en clients"),
            _(
                "Part des fiches devenues clientes (au moins une facture) et nouveaux clients "
                "dont la première facture tombe dans la période."
            ),
            (KPI, BAR, TABLE),
            w=3,
            h=3,
        ),
        WidgetSpec(
            "revenue_by_month",
            _("Chiffre d'affaires par mois et type de facture"),
            _("Total HT des factures par mois : VN, VO, après-vente, magasin."),
            (BAR, LINE, TABLE),
            period=WidgetPeriod.LAST_12_MONTHS,
        ),
        WidgetSpec(
            "revenue_per_customer",
            _("Chiffre d'affaires par client"),
            _("Les dix clients au plus fort chiffre d'affaires HT sur la période."),
            (BAR, TABLE, PIE),
            period=WidgetPeriod.LAST_12_MONTHS,
        ),
        WidgetSpec(
            "aftersales_visits",
            _("Passages à l'atelier par mois"),
            _("Factures après-vente et clients distincts venus à l'atelier, par mois."),
            (LINE, BAR, TABLE),
            period=WidgetPeriod.LAST_12_MONTHS,
        ),
        WidgetSpec(
            "leads_by_type",
            _("Leads par type"),
            _("Nombre de leads reçus par type (publicité web, demande d'essai…)."),
            (PIE, BAR, TABLE),
        ),
        WidgetSpec(
            "leads_by_age",
            _("Leads par ancienneté"),
            _("Leads selon le temps écoulé depuis leur émission, par statut."),
            (BAR, TABLE),
        ),
        WidgetSpec(
            "follow_ups",
            _("Relances à effectuer"),
            _(
                "Relances en retard ou prévues cette semaine : activités dont la date de "
                "prochaine relance est passée ou proche, sans activité plus récente avec le client."
            ),
            (TABLE, KPI, BAR),
            uses_period=False,
        ),
        WidgetSpec(
            "campaign_results",
            _("Résultats des campagnes"),
            _(
                "Entonnoir des campagnes envoyées sur la période (courrier, e-mail, SMS) : "
                "destinataires, distribués, ouverts, cliqués, réponses, rendez-vous, "
                "désinscriptions."
            ),
            (BAR, PIE, TABLE),
        ),
        WidgetSpec(
            "vehicles_by_energy",
            _("Parc par énergie"),
            _("Véhicules des clients selon leur énergie (essence, diesel, hybride…)."),
            (PIE, BAR, TABLE),
        ),
    )
}

# The dashboard a user finds on a first visit: (catalogue key, x, y); sizes from the catalogue.
DEFAULT_LAYOUT: tuple[tuple[str, int, int], ...] = (
    ("customers_count", 0, 0),
    ("conversion", 3, 0),
    ("follow_ups", 6, 0),
    ("revenue_by_month", 0, 3),
    ("revenue_per_customer", 6, 5),
    ("aftersales_visits", 0, 8),
    ("leads_by_type", 6, 10),
    ("leads_by_age", 0, 13),
)


def widget_title(widget) -> str:
    """The widget's own title, else its catalogue title (else its key, for a retired entry)."""
    spec = CATALOGUE.get(widget.kind)
    return widget.title or (str(spec.title) if spec else widget.kind)

"""Per-user dashboards: a layout of widgets drawn from the catalogue (``relais.crm.dashboards``).

A dashboard belongs to a user, not to a workspace: the same layout follows the user from the
live CRM to a training sandbox and survives a sandbox reset (which copies only the tables
registered in ``relais.core.workspaces.sandbox``). The figures a widget shows are
always computed in the user's *current* workspace.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel

# The grid has twelve columns, as Bootstrap's; heights are in rows of the grid.
GRID_COLUMNS = 12
MAX_ROWS = 500
MAX_HEIGHT = 12


class WidgetChartType(models.TextChoices):
    KPI = "kpi", _("Indicateur chiffré")
    BAR = "bar", _("Barres")
    LINE = "line", _("Courbes")
    PIE = "pie", _("Secteurs")
    TABLE = "table", _("Tableau")


class WidgetPeriod(models.TextChoices):
    LAST_30_DAYS = "last_30_days", _("30 derniers jours")
    LAST_90_DAYS = "last_90_days", _("90 derniers jours")
    LAST_12_MONTHS = "last_12_months", _("12 derniers mois")
    THIS_YEAR = "this_year", _("Année en cours")
    ALL = "all", _("Toute la période")


class Dashboard(PublicIdModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("propriétaire"),
        on_delete=models.CASCADE,
        related_name="dashboards",
    )
    name = models.CharField(_("nom"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("tableau de bord")
        verbose_name_plural = _("tableaux de bord")
        ordering = ["owner", "position", "id"]

    def __str__(self) -> str:
        return self.name


class DashboardWidget(PublicIdModel):
    """One tile of a dashboard: which figures (``kind``, a catalogue key), drawn how, where.

    ``segment_public_id`` names a saved ``crm.Segment`` of the current workspace by its UUID
    rather than by a foreign key, because segments live in workspaces that a reset re-creates
    (with new ids) while the dashboard stays.
    """

    dashboard = models.ForeignKey(
        Dashboard,
        verbose_name=_("tableau de bord"),
        on_delete=models.CASCADE,
        related_name="widgets",
    )
    kind = models.CharField(_("indicateur"), max_length=40)
    chart_type = models.CharField(
        _("type de graphique"), max_length=5, choices=WidgetChartType.choices
    )
    title = models.CharField(_("titre"), max_length=120, blank=True)
    x = models.PositiveSmallIntegerField(
        _("colonne"), default=0, validators=[MaxValueValidator(GRID_COLUMNS - 1)]
    )
    y = models.PositiveSmallIntegerField(
        _("ligne"), default=0, validators=[MaxValueValidator(MAX_ROWS)]
    )
    w = models.PositiveSmallIntegerField(
        _("largeur"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(GRID_COLUMNS)],
    )
    h = models.PositiveSmallIntegerField(
        _("hauteur"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HEIGHT)],
    )
    segment_public_id = models.UUIDField(_("segment"), null=True, blank=True)
    period = models.CharField(
        _("période"), max_length=20, choices=WidgetPeriod.choices, default=WidgetPeriod.ALL
    )

    class Meta:
        verbose_name = _("élément de tableau de bord")
        verbose_name_plural = _("éléments de tableau de bord")
        ordering = ["dashboard", "y", "x", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(w__gte=1) & Q(h__gte=1) & Q(x__lte=GRID_COLUMNS - F("w")),
                name="dashboard_widget_inside_grid",
            )
        ]

    def __str__(self) -> str:
        return self.title or self.kind

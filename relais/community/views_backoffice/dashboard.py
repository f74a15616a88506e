"""Indicators: the KPI page with its charts, tables and CSV export."""

from django.utils import timezone
from django.utils.translation import gettext as _

from relais.community import kpis
from relais.community.forms_backoffice import (
    PeriodForm,
)
from relais.community.permissions import Permission
from relais.community.views_backoffice.base import BackofficeView
from relais.core.downloads import NumberText, csv_download

# --- indicators -----------------------------------------------------------------------------


def _csv_value(value):
    if isinstance(value, float):
        return NumberText(f"{value:.4f}".rstrip("0").rstrip(",.").replace(".", ","))
    return "" if value is None else value


class DashboardView(BackofficeView):
    permission = Permission.KPIS
    section = "community:backoffice"

    def get(self, request):
        form = PeriodForm(request.GET or None)
        period = kpis.period_from(None, None)
        if form.is_valid():
            period = kpis.period_from(form.cleaned_data["start"], form.cleaned_data["end"])
        result = kpis.kpis_for(user=request.user, community=self.community, period=period)
        if request.GET.get("format") == "csv" and not form.errors:
            return self.csv(result)
        today = timezone.localdate()
        presets = [
            {
                "days": days,
                "period": kpis.last_days(days, today),
                "current": kpis.last_days(days, today) == period,
            }
            for days in kpis.PRESETS
        ]
        query = f"start={period.start.isoformat()}&end={period.end.isoformat()}"
        return self.render(
            "community/backoffice/dashboard.html",
            {
                "form": form,
                "period": period,
                "presets": presets,
                "kpis": result,
                "summary": kpis.summary_rows(result),
                "daily": [
                    {**row, "label": row["day"].strftime("%d/%m/%Y")} for row in result.daily
                ],
                "chart": kpis.chart_data(result),
                "csv_query": query + "&format=csv",
            },
            status=400 if form.errors else 200,
        )

    def csv(self, result: kpis.Kpis):
        """Semicolon CSV with decimal commas (French Excel): the headline figures, then the
        figures by day, then the top contributors and the searches without results."""
        p = result.period
        rows = [
            [_("Indicateur"), _("Valeur"), _("Du"), _("Au")],
            [_("Membres"), result.members, p.start.isoformat(), p.end.isoformat()],
            [_("Nouveaux membres"), result.new_members],
            [_("Membres actifs par jour (moyenne)"), _csv_value(result.active_daily_average)],
            [_("Membres actifs sur 30 jours"), result.active_monthly],
            [_("Sujets ouverts"), result.topics],
            [_("Questions"), result.questions],
            [_("Réponses"), result.answers],
            [_("Taux de résolution"), _csv_value(result.solved_rate)],
            [_("Part de réponses officielles"), _csv_value(result.official_share)],
            [
                _("Délai médian de première réponse (heures)"),
                _csv_value(kpis.hours(result.first_answer_median)),
            ],
            [
                _("Délai médian de réponse officielle (heures)"),
                _csv_value(kpis.hours(result.official_answer_median)),
            ],
            [_("Questions sans réponse"), result.unanswered],
            [_("Signalements"), result.flags],
            [_("Signalements en attente"), result.flags_pending],
            [
                _("Délai médian de traitement des signalements (heures)"),
                _csv_value(kpis.hours(result.flag_handling_median)),
            ],
            [_("Recherches sans résultat"), result.searches_empty],
            [],
            [_("Jour"), _("Nouveaux membres"), _("Membres actifs"), _("Sujets"), _("Réponses")],
            *(
                [r["day"].isoformat(), r["new_members"], r["active"], r["topics"], r["answers"]]
                for r in result.daily
            ),
            [],
            [_("Contributeur"), _("Réponses"), _("Acceptées"), _("Validées")],
            *(
                [c["name"], c["answers"], c["accepted"], c["validated"]]
                for c in result.contributors
            ),
            [],
            [_("Recherche sans résultat"), _("Nombre")],
            *([text, count] for text, count in result.searches_empty_top),
        ]
        name = f"indicateurs-{self.community.slug}-{p.start.isoformat()}-{p.end.isoformat()}.csv"
        return csv_download(rows, name)


# --- settings -------------------------------------------------------------------------------

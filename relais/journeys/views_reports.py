"""The deliverables' pages: the index (a ready log to read, the analyses of recommendations),
deliverable 1 (segmentation of the publics) and deliverable 2 (journey maps with the time per
step), each as an interactive page and as a PDF. Thin: selectors, the pure report builders of
:mod:`relais.journeys.reports`, render."""

from django.db.models import Prefetch
from django.shortcuts import render
from django.utils.text import slugify

from relais.core.downloads import file_download
from relais.core.exceptions import NotFound
from relais.journeys import reports
from relais.journeys import selectors_recommendations as selectors
from relais.journeys.eventlog_store import load_frame
from relais.journeys.models import Phase, Step
from relais.journeys.views import _JourneyView
from relais.journeys.views_recommendations import PDF_TYPE


class _ReportView(_JourneyView):
    pdf = False

    def log_and_frame(self, log_id):
        log = selectors.event_log_get(
            user=self.request.user, organization=self.organization, public_id=log_id
        )
        try:
            return log, load_frame(log)
        except FileNotFoundError:
            raise NotFound(f"Le journal « {log.name} » n'a pas d'événements enregistrés.") from None

    def download(self, content: bytes, log, what: str):
        name = slugify(f"{what}-{log.name}") or what
        return file_download(content, filename=f"{name}.pdf", content_type=PDF_TYPE)


class DeliverablesView(_ReportView):
    def get(self, request):
        user, organization = request.user, self.organization
        return render(
            request,
            "journeys/recommendations/deliverables.html",
            {
                "logs": selectors.ready_event_logs(user=user, organization=organization),
                "sets": selectors.recommendation_set_list(user=user, organization=organization),
            },
        )


class SegmentationReportView(_ReportView):
    """Deliverable 1: segments, profiles and persona cards of a log's publics."""

    def get(self, request, log_id):
        log, frame = self.log_and_frame(log_id)
        report = reports.segmentation_report(frame)
        if self.pdf:
            return self.download(
                reports.segmentation_pdf(self.organization, log, report), log, "segmentation"
            )
        return render(
            request, "journeys/recommendations/segmentation.html", {"log": log, "report": report}
        )


class JourneysReportView(_ReportView):
    """Deliverable 2: the designed journeys with the designed and observed time per step."""

    def get(self, request, log_id):
        log, frame = self.log_and_frame(log_id)
        journeys = selectors.designed_journeys(
            user=request.user, organization=self.organization
        ).prefetch_related(
            Prefetch(
                "phases",
                queryset=Phase.objects.order_by("order").prefetch_related(
                    Prefetch("steps", queryset=Step.objects.order_by("order"))
                ),
            )
        )
        entries = reports.journeys_report(frame, journeys)
        if self.pdf:
            return self.download(
                reports.journeys_pdf(self.organization, log, entries), log, "cartes-parcours"
            )
        return render(
            request, "journeys/recommendations/journeys.html", {"log": log, "entries": entries}
        )

"""The deliverables' pages: the index (a ready log to read, the analyses of recommendations),
deliverable 1 (segmentation of the publics) and deliverable 2 (journey maps with the time per
step), each as an interactive page and as a PDF — built at once for a log of up to
``SYNC_EVENTS_MAX`` events, in a background job beyond. Thin: selectors, the report builders
of :mod:`relais.journeys.reports`, render."""

from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render

from relais.core.downloads import file_download
from relais.core.exceptions import NotFound
from relais.journeys import reports
from relais.journeys import selectors_recommendations as selectors
from relais.journeys import services_recommendations as services
from relais.journeys.eventlog_store import load_frame
from relais.journeys.views import OrganizationJourneyView
from relais.journeys.views_recommendations import PDF_TYPE


def _no_events(log) -> NotFound:
    return NotFound(f"Le journal « {log.name} » n'a pas d'événements enregistrés.")


class _ReportView(OrganizationJourneyView):
    pdf = False  # the deliverable's PDF rather than its page
    deliverable = ""

    def log(self, log_id):
        return selectors.event_log_get(
            user=self.request.user, organization=self.organization, public_id=log_id
        )

    def frame(self, log):
        try:
            return load_frame(log)
        except FileNotFoundError:
            raise _no_events(log) from None

    def pdf_response(self, request, log):
        """The PDF itself for a small log; for a large one, a page offering to build it in
        the background (a GET never starts a job)."""
        if log.n_events > services.SYNC_EVENTS_MAX:
            return render(
                request,
                "journeys/recommendations/prepare_pdf.html",
                {"log": log, "label": services.DELIVERABLES[self.deliverable][1]},
            )
        try:
            filename, content = services.deliverable_pdf(
                organization=self.organization, log_pk=log.pk, deliverable=self.deliverable
            )
        except FileNotFoundError:
            raise _no_events(log) from None
        return file_download(content, filename=filename, content_type=PDF_TYPE)

    def post(self, request, log_id):
        if not self.pdf:
            return HttpResponseNotAllowed(["GET"])
        job = services.deliverable_pdf_start(
            actor=request.user,
            workspace=self.workspace,
            event_log=self.log(log_id),
            deliverable=self.deliverable,
        )
        return redirect("jobs:job-detail", public_id=job.public_id)


class DeliverablesView(OrganizationJourneyView):
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

    deliverable = "segments"

    def get(self, request, log_id):
        log = self.log(log_id)
        if self.pdf:
            return self.pdf_response(request, log)
        try:
            report = services.segmentation_of(log)
        except FileNotFoundError:
            raise _no_events(log) from None
        return render(
            request, "journeys/recommendations/segmentation.html", {"log": log, "report": report}
        )


class JourneysReportView(_ReportView):
    """Deliverable 2: the designed journeys with the designed and observed time per step."""

    deliverable = "journeys"

    def get(self, request, log_id):
        log = self.log(log_id)
        if self.pdf:
            return self.pdf_response(request, log)
        journeys = services.designed_journeys_in_order(
            selectors.designed_journeys(user=request.user, organization=self.organization)
        )
        entries = reports.journeys_report(self.frame(log), journeys)
        return render(
            request, "journeys/recommendations/journeys.html", {"log": log, "entries": entries}
        )
